import { inEffect } from '../../common/ledger/timeline.ts';
import type { RosterPreview } from '../../protocol/admin.ts';
import type { ParsedRoster } from './roster-csv.ts';
import type { StoreOf } from '../store/hub-store.ts';

const byChildId = (a: { childId: string }, b: { childId: string }) =>
  a.childId < b.childId ? -1 : a.childId > b.childId ? 1 : 0;
const byGuardianId = (a: { guardianId: string }, b: { guardianId: string }) =>
  a.guardianId < b.guardianId ? -1 : a.guardianId > b.guardianId ? 1 : 0;

/**
 * The guardians of the roster in effect on `date`: those of the import in effect then, or, on a hub whose
 * roster predates dated imports, the live roster's.
 */
function guardiansOn(store: StoreOf<'history' | 'roster'>, date: string): Map<string, string> {
  const imports = store.history.imports();
  const guardians =
    imports.length === 0 ? store.roster.read().guardians : (inEffect(imports, date)?.roster.guardians ?? []);
  return new Map(guardians.map((g) => [g.id, g.name]));
}

/** On the roster from `date` on: not left before it (one who starts later counts). */
const activeFrom = (child: { leftOn: string | null }, date: string) =>
  child.leftOn === null || child.leftOn >= date;

/**
 * What importing `parsed` effective `effectiveFrom` would change, by name: compared with the roster in
 * effect on that day (the snapshot of the day, its children not left by then). Added: on the file and not
 * on that roster; leaving: on that roster and not on the file (left out, or a left_on before the day); the
 * others may move class, be renamed or change care type. Guardians are compared with the import in effect
 * that day: added, or no longer on the file.
 */
export function previewRoster(
  store: StoreOf<'history' | 'roster'>,
  parsed: ParsedRoster,
  effectiveFrom: string,
): RosterPreview {
  const content = inEffect(store.history.versions(), effectiveFrom)?.content;
  const before = new Map(
    (content?.children ?? []).filter((c) => activeFrom(c, effectiveFrom)).map((c) => [c.id, c]),
  );
  const classBefore = new Map((content?.classes ?? []).map((c) => [c.id, c.name]));
  const classAfter = new Map(parsed.classes.map((c) => [c.id, c.name]));
  const after = new Map(parsed.children.filter((c) => activeFrom(c, effectiveFrom)).map((c) => [c.id, c]));

  const added: RosterPreview['added'] = [];
  const leaving: RosterPreview['leaving'] = [];
  const moved: RosterPreview['moved'] = [];
  const renamed: RosterPreview['renamed'] = [];
  const careTypeChanged: RosterPreview['careTypeChanged'] = [];
  for (const child of after.values()) {
    const old = before.get(child.id);
    if (old === undefined) {
      added.push({
        childId: child.id,
        name: child.name,
        className: classAfter.get(child.classId) ?? child.classId,
      });
      continue;
    }
    if (old.classId !== child.classId) {
      moved.push({
        childId: child.id,
        name: child.name,
        from: classBefore.get(old.classId) ?? old.classId,
        to: classAfter.get(child.classId) ?? child.classId,
      });
    }
    if (old.name !== child.name) renamed.push({ childId: child.id, from: old.name, to: child.name });
    if (old.careType !== child.careType) {
      careTypeChanged.push({ childId: child.id, name: child.name, from: old.careType, to: child.careType });
    }
  }
  for (const old of before.values()) {
    if (!after.has(old.id)) leaving.push({ childId: old.id, name: old.name });
  }
  const guardiansBefore = guardiansOn(store, effectiveFrom);
  const guardiansAfter = new Map(parsed.guardians.map((g) => [g.id, g.name]));
  const guardiansAdded = [...guardiansAfter]
    .filter(([id]) => !guardiansBefore.has(id))
    .map(([guardianId, name]) => ({ guardianId, name }));
  const guardiansRemoved = [...guardiansBefore]
    .filter(([id]) => !guardiansAfter.has(id))
    .map(([guardianId, name]) => ({ guardianId, name }));
  return {
    classes: parsed.classes.length,
    children: parsed.children.length,
    guardians: parsed.guardians.length,
    credentials: parsed.guardians.reduce((n, g) => n + g.cardUids.length, 0),
    childrenAdded: added.length,
    childrenRemoved: leaving.length,
    effectiveFrom,
    added: added.sort(byChildId),
    leaving: leaving.sort(byChildId),
    moved: moved.sort(byChildId),
    renamed: renamed.sort(byChildId),
    careTypeChanged: careTypeChanged.sort(byChildId),
    guardiansAdded: guardiansAdded.sort(byGuardianId),
    guardiansRemoved: guardiansRemoved.sort(byGuardianId),
  };
}
