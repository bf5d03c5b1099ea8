import type { AdminAuditNamedEntry } from '../../../protocol/admin-dashboard.ts';
import type { AuditMessages } from './audit-messages.ts';

/** Who acted, as a person reads it: the staff member's name (or id), else the kind of actor. */
export function actorLabel(e: AdminAuditNamedEntry, a: AuditMessages): string {
  switch (e.actorKind) {
    case 'staff':
      return e.actorName ?? e.actorId ?? a.actors.unknown;
    case 'device':
      return e.actorId === null ? a.actors.unknown : a.actors.device(e.actorId);
    case 'cli':
      return a.actors.cli;
    case 'api':
      return a.actors.api;
    default:
      return e.actorId ?? e.actorKind;
  }
}

/** What it was about: a person's or class's name (or the id when not known), a device, a month. */
export function subjectLabel(e: AdminAuditNamedEntry, a: AuditMessages): string {
  if (e.subject === null) return '';
  const colon = e.subject.indexOf(':');
  const kind = colon < 0 ? e.subject : e.subject.slice(0, colon);
  const id = colon < 0 ? '' : e.subject.slice(colon + 1);
  switch (kind) {
    case 'device':
      return a.subjects.device(id);
    case 'month':
      return a.subjects.month(id);
    case 'facility':
      return a.subjects.facility;
    case 'roster':
      return a.subjects.roster;
    default:
      return e.subjectName ?? (id === '' ? e.subject : id);
  }
}

/** One sentence for the entry; an action without one reads as its code. */
export function auditSentence(e: AdminAuditNamedEntry, a: AuditMessages): string {
  const say = a.actions[e.action];
  return say === undefined ? e.action : say(actorLabel(e, a), subjectLabel(e, a));
}

export interface ChangedField {
  key: string;
  label: string;
  /** undefined: the field was not there before (or there is no before). */
  from: string | undefined;
  to: string | undefined;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
/** Keyed card hashes are long: their start tells them apart. */
const HASH_SHOWN = 8;

function formatValue(key: string, v: unknown, a: AuditMessages, locale: string): string {
  if (v === null || v === undefined) return a.empty;
  if (typeof v === 'boolean') return v ? a.yes : a.no;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') {
    if (key === 'credentialHash' && v.length > HASH_SHOWN) return `${v.slice(0, HASH_SHOWN)}…`;
    if (INSTANT.test(v) && !Number.isNaN(Date.parse(v))) return new Date(v).toLocaleString(locale);
    return v;
  }
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) return v.join(', ');
  return JSON.stringify(v);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * before → after as the fields that changed, each with its label: a field in both with the same value is
 * left out; a field only after is new (no from). Values that are not objects show as one unlabelled row.
 */
export function changedFields(
  before: unknown,
  after: unknown,
  a: AuditMessages,
  locale: string,
): ChangedField[] {
  const none = (v: unknown) => v === null || v === undefined;
  if (none(before) && none(after)) return [];
  if ((!none(before) && !isRecord(before)) || (!none(after) && !isRecord(after))) {
    return [
      {
        key: '',
        label: '',
        from: none(before) ? undefined : formatValue('', before, a, locale),
        to: none(after) ? undefined : formatValue('', after, a, locale),
      },
    ];
  }
  const b = isRecord(before) ? before : undefined;
  const f = isRecord(after) ? after : undefined;
  const keys = [...new Set([...Object.keys(b ?? {}), ...Object.keys(f ?? {})])];
  const out: ChangedField[] = [];
  for (const key of keys) {
    const from = b && key in b ? formatValue(key, b[key], a, locale) : undefined;
    const to = f && key in f ? formatValue(key, f[key], a, locale) : undefined;
    if (b !== undefined && f !== undefined && from === to) continue;
    out.push({ key, label: a.fields[key] ?? key, from, to });
  }
  return out;
}
