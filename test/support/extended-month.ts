import { BEGINNING_OF_TIME } from '../../protocol/history.ts';
import type { FacilitySnapshot, SnapshotVersion } from '../../protocol/ledger.ts';
import type { ExtendedLedger } from '../../protocol/ledger-extended.ts';
import type { AttendanceEvent } from '../../protocol/schemas.ts';
import { DEFAULT_SETTINGS, type ExtendedCare } from '../../protocol/settings.ts';
import { baseSnapshot, tokyoEvent } from './ledger-month.ts';

/**
 * A month of the extended-care report's cases with what happened written down (`plan`), and the report
 * worked out from the plan alone (`expectedReport`), without the engine's helpers: the rule is spelled
 * out again here with the band times as numbers.
 *
 * Children (classes k1 ひよこ組, k2 りす組): s1, s2 標準時間; h1, h2 短時間; x1 標準時間 until the 15th and
 * 短時間 from the 16th (a second snapshot version); late enrolled from the 9th (taps before count
 * nowhere); h2 leaves after the 25th (taps after count nowhere). Weekdays only. Each attended day
 * arrives `before` minutes before the band and leaves `after` minutes after it, cycling through the
 * boundaries 0, 5, 6, 15, 16, 30, 31, 45, 90, 91, 120, 121, 150, and every fourth weekday inside the
 * band; seconds on every tap (the ledgers truncate them). Special days: s1 on the 5th a wrong early
 * check-in voided the same day and a wrong late check-out voided the next day; s2 on the 10th checked
 * in and not out (open); h1 absent on the 12th; h2 on the 20th out and back in at noon; taps on the days
 * just outside the month.
 */

export type Variant = 'grace15' | 'default';

export const VARIANTS: Record<Variant, ExtendedCare> = {
  /** Minutes beyond the grace map 1:1. */
  grace15: { graceMinutes: 15, roundingMinutes: 1, rounding: 'up' },
  /** The facility default: grace 5, rounded up to 30. */
  default: { graceMinutes: 5, roundingMinutes: 30, rounding: 'up' },
};

/** Band times in minutes of the day: 標準時間 07:00–18:00, 短時間 08:30–16:30 (the defaults). */
const BAND = { standard: [420, 1080], short: [510, 990] } as const;
const BOUNDARIES = [0, 5, 6, 15, 16, 30, 31, 45, 90, 91, 120, 121, 150];
/** presentAt of version 1 and of version 2 (in effect on the last day: the report's). */
export const PRESENT_AT_V1 = ['18:00', '19:00'];
export const PRESENT_AT_V2 = ['16:30', '18:00', '19:00'];
export const SWITCH_DAY = 16;
export const LATE_FROM = 9;
export const LEAVES_AFTER = 25;

type Care = 'standard' | 'short';
export interface PlannedChild {
  id: string;
  name: string;
  kana: string;
  classId: 'k1' | 'k2';
  careOn: (day: number) => Care;
  enrolledOn: (day: number) => boolean;
}
/** A day: minutes of the day in and out (out null: no check-out), or absent. */
export type Planned = { in: number; out: number | null } | 'absent';

const always = () => true;
const child = (
  id: string,
  name: string,
  kana: string,
  classId: PlannedChild['classId'],
  careOn: Care | ((day: number) => Care),
  enrolledOn: (day: number) => boolean = always,
): PlannedChild => ({
  id,
  name,
  kana,
  classId,
  careOn: typeof careOn === 'string' ? () => careOn : careOn,
  enrolledOn,
});

export const CHILDREN: PlannedChild[] = [
  child('s1', '青木 一郎', 'あおき', 'k1', 'standard'),
  child('x1', '伊藤 二郎', 'いとう', 'k1', (d) => (d < SWITCH_DAY ? 'standard' : 'short')),
  child('h1', '上田 花', 'うえだ', 'k1', 'short'),
  child('s2', '加藤 三郎', 'かとう', 'k2', 'standard'),
  child('late', '木村 四郎', 'きむら', 'k2', 'standard', (d) => d >= LATE_FROM),
  child('h2', '工藤 桜', 'くどう', 'k2', 'short', (d) => d <= LEAVES_AFTER),
];

const pad = (n: number) => String(n).padStart(2, '0');
const hms = (m: number, s: number) => `${pad(Math.floor(m / 60))}:${pad(m % 60)}:${pad(s)}`;
export const hhmm = (m: number) => `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;

export interface ExtendedMonth {
  month: string;
  days: number;
  versions: SnapshotVersion[];
  events: AttendanceEvent[];
  /** childId → day → what happened (days not listed: nothing). */
  plan: Map<string, Map<number, Planned>>;
}

function snapshotOf(month: string, care: ExtendedCare, second: boolean): FacilitySnapshot {
  return baseSnapshot({
    extendedCare: care,
    extendedReport: {
      // Kyoto's bands, the defaults (expectedReport's bandOf spells them out again as numbers).
      bands: DEFAULT_SETTINGS.extendedReport.bands,
      presentAt: second ? PRESENT_AT_V2 : PRESENT_AT_V1,
    },
    classes: [
      { id: 'k1', name: 'ひよこ組' },
      { id: 'k2', name: 'りす組' },
    ],
    children: CHILDREN.map((c) => ({
      id: c.id,
      name: c.name,
      kana: c.kana,
      classId: c.classId,
      careType: c.id === 'x1' && second ? 'short' : c.careOn(1),
      enrolledOn: c.id === 'late' ? `${month}-${pad(LATE_FROM)}` : null,
      leftOn: c.id === 'h2' ? `${month}-${pad(LEAVES_AFTER)}` : null,
    })),
  });
}

/** The month's versions (the second from the SWITCH_DAY), events and plan. */
export function extendedMonth(month: string, variant: Variant): ExtendedMonth {
  const [y = 0, mo = 1] = month.split('-').map(Number);
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  const dateOf = (d: number) => new Date(Date.UTC(y, mo - 1, d)).toISOString().slice(0, 10);
  const weekday = (d: number) => ![0, 6].includes(new Date(Date.UTC(y, mo - 1, d)).getUTCDay());
  const care = VARIANTS[variant];
  const versions: SnapshotVersion[] = [
    { version: 1, effectiveFrom: BEGINNING_OF_TIME, snapshot: snapshotOf(month, care, false) },
    { version: 2, effectiveFrom: dateOf(SWITCH_DAY), snapshot: snapshotOf(month, care, true) },
  ];
  const events: AttendanceEvent[] = [];
  const plan = new Map<string, Map<number, Planned>>();
  const staff = (note: string): Partial<AttendanceEvent> => ({
    method: 'staff',
    actor: 's001',
    deviceId: 'tablet-1',
    note,
  });

  CHILDREN.forEach((child, i) => {
    const mine = new Map<number, Planned>();
    plan.set(child.id, mine);
    let weekdayIndex = 0;
    for (let d = 1; d <= days; d++) {
      if (!weekday(d)) continue;
      weekdayIndex++;
      const date = dateOf(d);
      const [start, end] = BAND[child.careOn(d)];
      const inSec = (d * 7 + i * 13) % 60;
      const outSec = (d * 11 + i * 5) % 60;
      if (child.id === 'h1' && d === 12) {
        events.push(tokyoEvent('absent', child.id, date, '07:30:00', staff('sick: 発熱')));
        mine.set(d, 'absent');
        continue;
      }
      let inM: number;
      let outM: number;
      if ((weekdayIndex + i) % 4 === 0) {
        inM = start + 20;
        outM = end - 20;
      } else {
        inM = start - (BOUNDARIES[(d + 2 * i) % BOUNDARIES.length] ?? 0);
        outM = end + (BOUNDARIES[(3 * d + i) % BOUNDARIES.length] ?? 0);
      }
      if (child.id === 's2' && d === 10) {
        events.push(tokyoEvent('check_in', child.id, date, hms(inM, inSec)));
        mine.set(d, { in: inM, out: null });
        continue;
      }
      if (child.id === 's1' && d === 5) {
        // A wrong early tap voided the same morning; a wrong late check-out voided the next day.
        const wrongIn = tokyoEvent('check_in', child.id, date, '05:30:00');
        const wrongOut = tokyoEvent('check_out', child.id, date, hms(end + 200, 0));
        events.push(
          wrongIn,
          tokyoEvent('void', child.id, date, hms(inM, 59), { ...staff('誤タップ'), voids: wrongIn.id }),
          wrongOut,
          tokyoEvent('void', child.id, dateOf(d + 1), '09:00:00', {
            ...staff('誤タップ'),
            voids: wrongOut.id,
          }),
        );
      }
      if (child.id === 'h2' && d === 20) {
        // Out and back in at noon: the first check-in and the last check-out count.
        events.push(
          tokyoEvent('check_out', child.id, date, '12:00:00'),
          tokyoEvent('check_in', child.id, date, '13:00:00'),
        );
      }
      events.push(
        tokyoEvent('check_in', child.id, date, hms(inM, inSec)),
        tokyoEvent('check_out', child.id, date, hms(outM, outSec)),
      );
      if (child.enrolledOn(d)) mine.set(d, { in: inM, out: outM });
    }
    // The neighbouring months: ignored.
    events.push(
      tokyoEvent('check_in', child.id, dateOf(0), '06:00:00'),
      tokyoEvent('check_out', child.id, dateOf(0), '20:00:00'),
      tokyoEvent('check_in', child.id, dateOf(days + 1), '06:00:00'),
      tokyoEvent('check_out', child.id, dateOf(days + 1), '20:00:00'),
    );
  });
  return { month, days, versions, events, plan };
}

/** A side's minutes as the facility counts them: plainly, per variant. */
export function countedSide(raw: number, variant: Variant): number {
  if (variant === 'grace15') return raw <= 15 ? 0 : raw;
  return raw <= 5 ? 0 : Math.ceil(raw / 30) * 30;
}

/** Kyoto's bands as written in the settings. */
export function bandIdOf(minutes: number): string | null {
  if (minutes >= 121) return 'over2h';
  if (minutes >= 91) return '2h';
  if (minutes >= 31) return '1h';
  if (minutes >= 16) return '30m';
  return null;
}

/** Before and after of a planned attended day with a check-out, as the facility counts them. */
export function plannedSides(
  child: PlannedChild,
  day: number,
  p: { in: number; out: number },
  variant: Variant,
): { before: number; after: number } {
  const [start, end] = BAND[child.careOn(day)];
  const before = Math.max(0, Math.min(p.out, start) - p.in);
  const after = Math.max(0, p.out - Math.max(p.in, end));
  return { before: countedSide(before, variant), after: countedSide(after, variant) };
}

type Counts = { standard: number; short: number };
type SidesN = { before: number; after: number };
export interface ExpectedReport {
  days: { date: string; before: Counts; after: Counts; presentAt: Record<string, number> }[];
  children: {
    childId: string;
    childName: string;
    className: string;
    careType: Care;
    bands: Record<string, SidesN>;
    days: SidesN;
    minutes: SidesN;
  }[];
  openDays: { date: string; childId: string; childName: string; className: string }[];
}

/** The report, worked out from the plan alone; `presentAt`: the counting times of the month's last day. */
export function expectedReport(
  m: ExtendedMonth,
  variant: Variant,
  presentAt: readonly string[] = PRESENT_AT_V2,
): ExpectedReport {
  const dateOf = (d: number) => `${m.month}-${pad(d)}`;
  const className = { k1: 'ひよこ組', k2: 'りす組' };
  const zero = () => ({ before: 0, after: 0 });
  const days: ExpectedReport['days'] = [];
  for (let d = 1; d <= m.days; d++) {
    const day = {
      date: dateOf(d),
      before: { standard: 0, short: 0 },
      after: { standard: 0, short: 0 },
      presentAt: Object.fromEntries(presentAt.map((t) => [t, 0])),
    };
    for (const child of CHILDREN) {
      const p = m.plan.get(child.id)?.get(d);
      if (p === undefined || p === 'absent' || p.out === null) continue;
      const sides = plannedSides(child, d, { in: p.in, out: p.out }, variant);
      if (sides.before > 0) day.before[child.careOn(d)]++;
      if (sides.after > 0) day.after[child.careOn(d)]++;
      for (const t of presentAt) {
        const tm = Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
        if (p.in <= tm && tm < p.out) day.presentAt[t] = (day.presentAt[t] ?? 0) + 1;
      }
    }
    days.push(day);
  }
  // Rows: ひよこ組 then りす組, children by kana (the CHILDREN order), a child's care types in time order.
  const children: ExpectedReport['children'] = [];
  for (const child of CHILDREN) {
    const cares: Care[] = child.id === 'x1' ? ['standard', 'short'] : [child.careOn(1)];
    for (const care of cares) {
      const row = {
        childId: child.id,
        childName: child.name,
        className: className[child.classId],
        careType: care,
        bands: { '30m': zero(), '1h': zero(), '2h': zero(), over2h: zero() } as Record<string, SidesN>,
        days: zero(),
        minutes: zero(),
      };
      for (let d = 1; d <= m.days; d++) {
        const p = m.plan.get(child.id)?.get(d);
        if (child.careOn(d) !== care || p === undefined || p === 'absent' || p.out === null) continue;
        const sides = plannedSides(child, d, { in: p.in, out: p.out }, variant);
        for (const side of ['before', 'after'] as const) {
          if (sides[side] === 0) continue;
          row.days[side]++;
          row.minutes[side] += sides[side];
          const band = bandIdOf(sides[side]);
          const counts = band === null ? undefined : row.bands[band];
          if (counts) counts[side]++;
        }
      }
      children.push(row);
    }
  }
  const openDays: ExpectedReport['openDays'] = [];
  for (let d = 1; d <= m.days; d++) {
    for (const child of CHILDREN) {
      const p = m.plan.get(child.id)?.get(d);
      if (p !== undefined && p !== 'absent' && p.out === null) {
        openDays.push({
          date: dateOf(d),
          childId: child.id,
          childName: child.name,
          className: className[child.classId],
        });
      }
    }
  }
  return { days, children, openDays };
}

/** A child's extended minutes over the report's rows (one per care type it had): before + after. */
export function reportMinutesByChild(report: ExtendedLedger): Map<string, number> {
  const minutes = new Map<string, number>();
  for (const c of report.children) {
    minutes.set(c.childId, (minutes.get(c.childId) ?? 0) + c.minutes.before + c.minutes.after);
  }
  return minutes;
}
