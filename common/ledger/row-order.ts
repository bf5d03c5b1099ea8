import { rollcallLayout } from '../attendance.ts';
import type { Rosters, SnapshotChild } from './source.ts';

/** A class of a month's report with its children in order. */
export interface OrderedClass {
  id: string;
  /** Its name on the last day it has rows. */
  name: string;
  children: { id: string }[];
}

/**
 * The row order of the month's reports (the monthly ledger, the extended-care report): the classes of
 * the snapshot in effect on the month's last day in its order, then classes seen only earlier in the
 * order first seen; within a class, children by the kana of their last day there. `classNames`: class
 * id → its name on its last day, in the order first seen; `rows`: the (class, child as of its last day
 * there) pairs.
 */
export function monthRowOrder(
  rosters: Rosters,
  last: string,
  classNames: ReadonlyMap<string, string>,
  rows: Iterable<{ classId: string; child: SnapshotChild }>,
): OrderedClass[] {
  const lastClasses = rosters.on(last)?.classes.map((c) => c.id) ?? [];
  const classOrder = [
    ...lastClasses.filter((id) => classNames.has(id)),
    ...[...classNames.keys()].filter((id) => !lastClasses.includes(id)),
  ];
  return rollcallLayout({
    classes: classOrder.map((id) => ({ id, name: classNames.get(id) ?? '' })),
    children: [...rows].map((r) => ({ ...r.child, classId: r.classId })),
  }).classes;
}
