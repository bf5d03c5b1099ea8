import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../protocol/settings.ts';
import type { AttendanceEvent } from '../../protocol/schemas.ts';
import type { StaffingRow } from '../../protocol/staffing.ts';
import { makeEvent } from '../../test/support/hub.ts';
import { dailyStaffingReport, type StaffingReportInput } from './report.ts';
import { rowStatus, staffingCsv } from './report-csv.ts';

const DATE = '2026-06-10';
const TZ = 'Asia/Tokyo';
const at = (hhmm: string) => `${DATE}T${hhmm}:00+09:00`;
const ms = (hhmm: string) => Date.parse(at(hhmm));

/**
 * The day, written twice: as events and counts for the report, and as plain facts (stays, ages, counts in
 * effect) for the independent calculation below. Ages on 2026-04-01 (fiscal 2026).
 */
const CHILDREN = [
  { id: 'a', name: '赤ちゃん', classId: 'k0', birthDate: '2025-05-01' }, // 0
  { id: 'b', name: 'べにちゃん', classId: 'k0', birthDate: '2025-04-01' }, // 1: April 1, the older year
  { id: 'c', name: 'ちいちゃん', classId: 'k0', birthDate: '2024-08-01' }, // 1
  { id: 'd', name: '=不明', classId: 'k0', birthDate: null }, // unknown
  { id: 'e', name: 'えいちゃん', classId: 'k4', birthDate: '2021-04-02' }, // 4
  { id: 'f', name: 'ふうちゃん', classId: 'k4', birthDate: '2020-10-10' }, // 5
];
const AGE = { a: 0, b: 1, c: 1, d: null, e: 4, f: 5 } as const;
/** [from, to) local times; null: never checked out (a past day: counted until closing, 19:00). */
const STAYS: Record<string, [string, string | null][]> = {
  a: [['08:10', '17:00']],
  b: [
    ['08:40', '12:00'],
    ['13:00', '16:20'],
  ],
  c: [['09:05', '18:10']],
  d: [['08:00', null]],
  e: [['07:45', '16:00']],
  f: [],
};
const COUNTS: Record<string, [string, number][]> = {
  k0: [
    ['08:05', 1],
    ['09:02', 2],
  ],
  k4: [['07:40', 1]],
};

function events(): AttendanceEvent[] {
  const ev = (childId: string, type: AttendanceEvent['type'], hhmm: string, extra = {}) =>
    makeEvent({ childId, type, occurredAt: at(hhmm), ...extra });
  const wrong = ev('c', 'check_in', '07:50');
  return [
    ev('a', 'check_in', '08:10'),
    ev('a', 'check_out', '17:00'),
    ev('b', 'check_in', '08:40'),
    ev('b', 'check_out', '12:00'),
    ev('b', 'check_in', '13:00'),
    ev('b', 'check_out', '16:20'),
    // A wrong tap voided: c came at 09:05.
    wrong,
    ev('c', 'void', '09:30', { voids: wrong.id, method: 'staff', actor: 's1' }),
    ev('c', 'check_in', '09:05'),
    ev('c', 'check_out', '18:10'),
    ev('d', 'check_in', '08:00'),
    ev('e', 'check_in', '07:45'),
    ev('e', 'check_out', '16:00'),
    ev('f', 'absent', '07:00'),
  ];
}

function input(): StaffingReportInput {
  return {
    date: DATE,
    timeZone: TZ,
    facilityName: 'ひまわり保育園',
    classes: [
      { id: 'k0', name: 'ひよこ組' },
      { id: 'k4', name: 'きりん組' },
    ],
    children: CHILDREN,
    events: events(),
    changes: Object.entries(COUNTS).flatMap(([classId, list]) =>
      list.map(([hhmm, count]) => ({
        classId,
        date: DATE,
        at: new Date(ms(hhmm)).toISOString(),
        count,
        staffId: 's1',
      })),
    ),
    staffing: DEFAULT_SETTINGS.staffing,
    classRatios: new Map(),
    openUntil: ms('19:00'),
  };
}

// ---- the independent calculation: exact integers, no floating point ------------------------------------

/** Staff the ages need: Σ n/ratio with ratios 3, 6, 6, 15, 25 is Σ n·(150/ratio) / 150, rounded up. */
function needByAge(ages: readonly (number | null)[]): number {
  const units = ages.reduce<number>(
    (u, a) => u + (a === null ? 0 : a === 0 ? 50 : a <= 2 ? 25 : a === 3 ? 10 : 6),
    0,
  );
  return Math.ceil(units / 150);
}

function expectedRow(classId: string | null, hhmm: string) {
  const t = ms(hhmm);
  const present = CHILDREN.filter(
    (c) =>
      (classId === null || c.classId === classId) &&
      (STAYS[c.id] ?? []).some(([from, to]) => ms(from) <= t && (to === null || t < ms(to))),
  );
  const ages = present.map((c) => AGE[c.id as keyof typeof AGE]);
  const byAge = needByAge(ages);
  const countOf = (k: string) => (COUNTS[k] ?? []).filter(([when]) => ms(when) <= t).at(-1)?.[1] ?? null;
  const counts = (classId === null ? ['k0', 'k4'] : [classId]).map(countOf).filter((n) => n !== null);
  const onDuty = counts.length === 0 ? null : counts.reduce((x, y) => x + y, 0);
  const required = classId === null ? (present.length === 0 ? 0 : Math.max(2, byAge)) : byAge;
  return {
    presentTotal: present.length,
    unknown: ages.filter((a) => a === null).length,
    required,
    staffOnDuty: onDuty,
    understaffed: onDuty !== null && onDuty < required,
  };
}

const essentials = (r: StaffingRow) => ({
  presentTotal: r.presentTotal,
  unknown: r.present.unknown,
  required: r.required,
  staffOnDuty: r.staffOnDuty,
  understaffed: r.understaffed,
});

describe('daily staffing report', () => {
  const report = dailyStaffingReport(input());
  const grid: string[] = [];
  for (let m = 7 * 60 + 30; m <= 19 * 60; m += 30) {
    grid.push(`${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
  }

  it('has a row every 30 minutes from the first check-in to the last stay, and at each change of a count', () => {
    expect(report.facility.rows.map((r) => r.time)).toEqual([...grid, '07:40', '08:05', '09:02'].sort());
    expect(report.classes.map((c) => c.rows.map((r) => r.time))).toEqual([
      [...grid, '08:05', '09:02'].sort(),
      [...grid, '07:40'].sort(),
    ]);
    expect(report.facility.rows.find((r) => r.time === '09:02')?.kind).toBe('staff_change');
    expect(report.facility.rows.find((r) => r.time === '09:00')?.kind).toBe('slot');
  });

  it('matches an independent calculation at every row, per class and for the facility', () => {
    for (const c of report.classes) {
      for (const r of c.rows)
        expect([c.classId, r.time, essentials(r)]).toEqual([
          c.classId,
          r.time,
          expectedRow(c.classId, r.time),
        ]);
    }
    for (const r of report.facility.rows) {
      expect(['facility', r.time, essentials(r)]).toEqual(['facility', r.time, expectedRow(null, r.time)]);
    }
  });

  it('counts by age group (April 1 births with the older year) and flags what falls short', () => {
    const k0 = report.classes[0]?.rows ?? [];
    // 09:30: a (0), b (1), c (1), d (unknown): 1/3 + 2/6 = 2/3 → 1 required, 2 on duty since 09:02.
    expect(k0.find((r) => r.time === '09:30')).toMatchObject({
      present: { age0: 1, age1: 2, age2: 0, age3: 0, age4plus: 0, unknown: 1 },
      required: 1,
      staffOnDuty: 2,
      shortfall: 0,
      understaffed: false,
    });
    // 09:00 on the dot: the count of 08:05 (1) is in effect, the one of 09:02 not yet.
    expect(k0.find((r) => r.time === '09:00')?.staffOnDuty).toBe(1);
    expect(k0.find((r) => r.time === '09:02')?.staffOnDuty).toBe(2);
    // 07:30: nobody entered yet for k0, nobody present.
    expect(k0.find((r) => r.time === '07:30')).toMatchObject({
      staffOnDuty: null,
      shortfall: null,
      required: 0,
    });
    // The facility at 08:30: a, d, e present; minimum 2, k0's 1 + k4's 1 on duty.
    expect(report.facility.rows.find((r) => r.time === '08:30')).toMatchObject({
      presentTotal: 3,
      required: 2,
      staffOnDuty: 2,
      understaffed: false,
    });
    // 18:30: only d (unknown age, never checked out) — the facility still needs its minimum of 2 and has 3.
    expect(report.facility.rows.find((r) => r.time === '18:30')).toMatchObject({
      presentTotal: 1,
      required: 2,
    });
    expect(report.ageUnknown).toEqual([{ childId: 'd', name: '=不明', classId: 'k0' }]);
  });

  it('flags a shortfall and a class with no count entered', () => {
    const short = dailyStaffingReport({
      ...input(),
      changes: input()
        .changes.filter((c) => c.classId === 'k0')
        .map((c) => ({ ...c, count: 0 })),
    });
    const k0 = short.classes[0]?.rows.find((r) => r.time === '10:00');
    expect(k0).toMatchObject({ required: 1, staffOnDuty: 0, shortfall: 1, understaffed: true });
    expect(k0 && rowStatus(k0)).toBe('short');
    const k4 = short.classes[1]?.rows.find((r) => r.time === '10:00');
    expect(k4).toMatchObject({ required: 1, staffOnDuty: null, shortfall: null, understaffed: false });
    expect(k4 && rowStatus(k4)).toBe('not_entered');
  });

  it('uses the class ratio when stricter, and has no grid on a day without check-ins', () => {
    const strict = dailyStaffingReport({ ...input(), classRatios: new Map([['k0', 2]]) });
    // 09:30: four present in k0 (one of unknown age counts here): ceil(4/2) = 2.
    expect(strict.classes[0]?.rows.find((r) => r.time === '09:30')?.required).toBe(2);
    expect(strict.classes[0]?.maxChildrenPerStaff).toBe(2);
    const quiet = dailyStaffingReport({ ...input(), events: [] });
    expect(quiet.facility.rows.map((r) => r.time)).toEqual(['07:40', '08:05', '09:02']);
    expect(quiet.facility.rows.every((r) => r.required === 0 && !r.understaffed)).toBe(true);
  });

  it('writes one CSV table with Japanese headings by default and English ones on request', () => {
    const ja = staffingCsv(report, 'ja').toString('utf8');
    expect(
      ja.startsWith(
        '\uFEFFクラス,時刻,区分,0歳児,1歳児,2歳児,3歳児,4・5歳児,年齢不明,在園児数,必要保育士数,配置保育士数,不足数,判定\r\n',
      ),
    ).toBe(true);
    const lines = ja.slice(1).trimEnd().split('\r\n');
    const rows = report.classes.reduce((n, c) => n + c.rows.length, 0) + report.facility.rows.length;
    expect(lines).toHaveLength(1 + rows);
    expect(lines).toContain('ひよこ組,09:30,定時,1,2,0,0,0,1,4,1,2,0,充足');
    expect(lines).toContain('施設全体,09:02,職員数変更,1,1,0,0,1,1,4,2,3,0,充足');
    const en = staffingCsv(report, 'en').toString('utf8');
    expect(en).toContain(
      'class,time,kind,age_0,age_1,age_2,age_3,age_4_5,age_unknown,present,required,on_duty,shortfall,status\r\n',
    );
    expect(en).toContain('facility,09:02,staff_change,');
    // Every line has the same number of cells (one rectangular table).
    expect(new Set(lines.map((l) => l.split(',').length))).toEqual(new Set([14]));
  });

  it('neutralises a class name that would be a formula', () => {
    const evil = dailyStaffingReport({ ...input(), classes: [{ id: 'k0', name: '=HYPERLINK("x")' }] });
    expect(staffingCsv(evil, 'ja').toString('utf8')).toContain(`"'=HYPERLINK(""x"")",08:00,`);
  });
});
