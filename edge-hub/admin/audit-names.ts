import type { AdminAuditNamedEntry } from '../../protocol/admin-dashboard.ts';
import type { AuditRecord } from '../store/audit.ts';
import type { StoreOf } from '../store/hub-store.ts';

export type AuditNamesStore = StoreOf<'roster' | 'people' | 'history'>;

/**
 * The audit page's entries with the names the hub knows now: the staff member who acted, and the child,
 * guardian, class or staff member a subject (`kind:id`) names. A child or class no longer on the roster is
 * looked up in the dated roster history (newest first); anything else stays null and the app shows the id.
 * The names are for the answer only: the audit log itself keeps ids.
 */
export function nameAuditEntries(
  store: AuditNamesStore,
  entries: readonly AuditRecord[],
): AdminAuditNamedEntry[] {
  const roster = store.roster.read();
  const staff = store.people.staffNames();
  const children = new Map(roster.children.map((c) => [c.id, c.name]));
  const guardians = new Map(roster.guardians.map((g) => [g.id, g.name]));
  const classes = new Map(roster.classes.map((c) => [c.id, c.name]));
  // Read once, and only when a subject is not on today's roster (a child who has left).
  let history: { children: Map<string, string>; classes: Map<string, string> } | undefined;
  const fromHistory = (kind: 'children' | 'classes', id: string): string | null => {
    if (history === undefined) {
      history = { children: new Map(), classes: new Map() };
      // Oldest first, so that the newest name wins.
      for (const v of store.history.versions()) {
        for (const c of v.content.children) history.children.set(c.id, c.name);
        for (const c of v.content.classes) history.classes.set(c.id, c.name);
      }
    }
    return history[kind].get(id) ?? null;
  };

  const subjectName = (subject: string | null): string | null => {
    if (subject === null) return null;
    const colon = subject.indexOf(':');
    if (colon < 0) return null;
    const kind = subject.slice(0, colon);
    const id = subject.slice(colon + 1);
    switch (kind) {
      case 'child':
        return children.get(id) ?? fromHistory('children', id);
      case 'class':
        return classes.get(id) ?? fromHistory('classes', id);
      case 'guardian':
        return guardians.get(id) ?? null;
      case 'staff':
        return staff.get(id) ?? null;
      default:
        return null;
    }
  };

  return entries.map((e) => ({
    id: e.id,
    at: e.at,
    actorKind: e.actorKind,
    actorId: e.actorId,
    action: e.action,
    subject: e.subject,
    deviceId: e.deviceId,
    outcome: e.outcome,
    before: e.before,
    after: e.after,
    actorName: e.actorKind === 'staff' && e.actorId !== null ? (staff.get(e.actorId) ?? null) : null,
    subjectName: subjectName(e.subject),
  }));
}
