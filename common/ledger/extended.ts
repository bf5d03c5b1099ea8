import { ValidationError } from '../errors.ts';
import type {
  CareTypeCounts,
  ExtendedChild,
  ExtendedDay,
  ExtendedLedger,
  ExtendedOpenDay,
  Sides,
} from '../../protocol/ledger-extended.ts';
import { EXTENDED_SIDES } from '../../protocol/ledger-extended.ts';
import type { AttendanceEvent } from '../../protocol/schemas.ts';
import type { CareType, ExtendedBand } from '../../protocol/settings.ts';
import { extendedSides } from './care.ts';
import { zoneClock } from './clock.ts';
import { daysInMonth } from './engine.ts';
import { Period } from './period.ts';
import { monthRowOrder } from './row-order.ts';
import { Rosters, type LedgerSource, type SnapshotChild } from './source.ts';

/**
 * The extended-care report (時間外（延長）保育 実績報告) of a month: pure, shared by the hub and the cloud
 * like the ledgers (engine.ts), whose rules it follows: each day from the snapshot in effect on it and the
 * children enrolled that day, voids resolved and each child's day folded by Period exactly as the monthly
 * ledger folds it, the minutes before and after the care band of the child's care type that day graced
 * and rounded by that day's extendedCare (care.ts extendedSides, whose sum is the ledgers'
 * extended_minutes). What it counts: protocol/ledger-extended.ts.
 */

/** A report row being filled day by day: one (class, care type, child). */
interface Row {
  classId: string;
  careType: CareType;
  /** As of the row's last day. */
  child: SnapshotChild;
  bands: Record<string, Sides>;
  days: Sides;
  minutes: Sides;
}

const zeroCounts = (): CareTypeCounts => ({ standard: 0, short: 0 });
const zeroSides = (): Sides => ({ before: 0, after: 0 });

/** The band whose fromMinutes ≤ m ≤ toMinutes (null: no upper bound), if any. */
export function bandOf(bands: readonly ExtendedBand[], minutes: number): ExtendedBand | undefined {
  return bands.find((b) => b.fromMinutes <= minutes && (b.toMinutes === null || minutes <= b.toMinutes));
}

/**
 * The extended-care report of `month` (YYYY-MM). Throws ValidationError `bad_month`, and NotFoundError
 * `no_snapshot` when `source.versions` is empty. `events`: as for the monthly ledger.
 */
export function extendedLedger(
  source: LedgerSource,
  month: string,
  events: readonly AttendanceEvent[],
): ExtendedLedger {
  const n = daysInMonth(month);
  if (n === undefined) throw new ValidationError('bad_month', `${month}: must be a month YYYY-MM`, 'month');
  const dates = Array.from({ length: n }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);
  const last = `${month}-${String(n).padStart(2, '0')}`;
  const rosters = new Rosters(source.versions);
  const heading = rosters.heading(last);
  const { bands, presentAt } = heading.extendedReport;
  const period = new Period(events, heading.timeZone, (d) => d.startsWith(`${month}-`));
  const times = zoneClock(heading.timeZone);

  /** `class careType child` → row, in the order first seen. */
  const rows = new Map<string, Row>();
  /** Class id → its name on the last day it has rows, in the order first seen. */
  const classNames = new Map<string, string>();
  /** `class child` → the child as of its last day in the class (for the order). */
  const placed = new Map<string, { classId: string; child: SnapshotChild }>();
  const days: ExtendedDay[] = [];
  const openDays: ExtendedOpenDay[] = [];

  for (const date of dates) {
    const day: ExtendedDay = {
      date,
      before: zeroCounts(),
      after: zeroCounts(),
      presentAt: Object.fromEntries(presentAt.map((t) => [t, 0])),
    };
    days.push(day);
    const snapshot = rosters.on(date);
    if (snapshot === undefined) continue;
    for (const { classId, className, child } of rosters.placements(date)) {
      const key = `${classId}\n${child.careType}\n${child.id}`;
      let row = rows.get(key);
      if (row === undefined) {
        row = {
          classId,
          careType: child.careType,
          child,
          bands: Object.fromEntries(bands.map((b) => [b.id, zeroSides()])),
          days: zeroSides(),
          minutes: zeroSides(),
        };
        rows.set(key, row);
      }
      row.child = child;
      classNames.set(classId, className);
      placed.set(`${classId}\n${child.id}`, { classId, child });

      const folded = period.fold(period.of(date, child.id));
      if (folded.status === 'present') {
        openDays.push({ date, childId: child.id, childName: child.name, className });
        continue;
      }
      if (folded.status !== 'left' || folded.checkInAt === null || folded.checkOutAt === null) continue;
      const checkIn = times.hhmm(folded.checkInAt);
      const checkOut = times.hhmm(folded.checkOutAt);
      const sides = extendedSides(
        checkIn,
        checkOut,
        snapshot.careBands[child.careType],
        snapshot.extendedCare,
      );
      for (const side of EXTENDED_SIDES) {
        const minutes = sides[side];
        if (minutes <= 0) continue;
        day[side][child.careType]++;
        row.days[side]++;
        row.minutes[side] += minutes;
        const band = bandOf(bands, minutes);
        const counts = band === undefined ? undefined : row.bands[band.id];
        if (counts !== undefined) counts[side]++;
      }
      // HH:MM strings compare as times of day.
      for (const t of presentAt) {
        if (checkIn <= t && t < checkOut) day.presentAt[t] = (day.presentAt[t] ?? 0) + 1;
      }
    }
  }

  const ordered = monthRowOrder(rosters, last, classNames, placed.values());
  const byPlacement = new Map<string, Row[]>();
  for (const row of rows.values()) {
    const key = `${row.classId}\n${row.child.id}`;
    byPlacement.set(key, [...(byPlacement.get(key) ?? []), row]);
  }
  const children: ExtendedChild[] = ordered.flatMap((cls) =>
    cls.children.flatMap(({ id }) =>
      (byPlacement.get(`${cls.id}\n${id}`) ?? []).map((r): ExtendedChild => ({
        childId: id,
        childName: r.child.name,
        className: cls.name,
        careType: r.careType,
        bands: r.bands,
        days: r.days,
        minutes: r.minutes,
      })),
    ),
  );
  return {
    facilityId: heading.facilityId,
    facilityName: heading.facilityName,
    month,
    bands: bands.map((b) => ({ ...b })),
    presentAt: [...presentAt],
    days,
    children,
    openDays,
  };
}
