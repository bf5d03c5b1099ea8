import { BEGINNING_OF_TIME } from '../../protocol/history.ts';
import { applySnapshotChange, rosterPatchOf } from '../../edge-hub/facility/history.ts';
import type { StoreOf, Transactional } from '../../edge-hub/store/hub-store.ts';

/** Test helpers of the records tests (edge-hub/records: corrections, open days, month close). */

/**
 * Makes the live roster the dated snapshot of every day (whatever an import issued), with `dates` bounding
 * some children's enrolment: what snapshotOn answers for a day of the tests.
 */
export function seedSnapshot(
  store: StoreOf<'history' | 'roster'> & Transactional,
  dates: Record<string, { enrolledOn?: string; leftOn?: string }> = {},
): void {
  const roster = store.roster.read();
  const children = roster.children.map((c) => ({
    ...c,
    enrolledOn: dates[c.id]?.enrolledOn ?? null,
    leftOn: dates[c.id]?.leftOn ?? null,
  }));
  store.transaction(() =>
    applySnapshotChange(
      store,
      BEGINNING_OF_TIME,
      rosterPatchOf({ classes: roster.classes, children, guardians: [] }),
    ),
  );
}
