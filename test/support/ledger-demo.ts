import type { AttendanceEvent } from '../../protocol/schemas.ts';
import { DEFAULT_SETTINGS, type LedgerSettings } from '../../protocol/settings.ts';
import { prng } from '../../common/random.ts';
import { calendarDay } from '../../common/ledger/calendar.ts';
import type { FacilitySnapshot } from '../../protocol/ledger.ts';
import { baseSnapshot, tokyoEvent } from './ledger-month.ts';

/**
 * A demo month of a Japanese nursery for the print tests and the rendered pages in docs/screens
 * (common/ledger/print.test.ts): November 2026 (文化の日 on the 3rd, 勤労感謝の日 on the 23rd), closed on
 * Sundays, holidays and a closed date (the 14th, 園行事), Saturdays open with few children, Japanese
 * names in four classes, absences with reasons, a staff correction, an open day.
 */
export const DEMO_MONTH = '2026-11';

export const DEMO_SETTINGS: LedgerSettings = {
  ...DEFAULT_SETTINGS.ledger,
  closedWeekdays: [0],
  closedOnHolidays: true,
  closedDates: [...DEFAULT_SETTINGS.ledger.closedDates, '2026-11-14'],
};

const FAMILY = [
  '佐藤',
  '鈴木',
  '高橋',
  '田中',
  '伊藤',
  '渡辺',
  '山本',
  '中村',
  '小林',
  '加藤',
  '吉田',
  '山田',
];
const GIVEN = ['陽翔', '凛', '蓮', '結菜', '湊', '陽葵', '樹', '芽依', '大和', '紬', '悠真', '咲良'];
const KANA = [
  'さとう',
  'すずき',
  'たかはし',
  'たなか',
  'いとう',
  'わたなべ',
  'やまもと',
  'なかむら',
  'こばやし',
  'かとう',
  'よしだ',
  'やまだ',
];

export interface DemoMonth {
  snapshot: FacilitySnapshot;
  events: AttendanceEvent[];
}

/** `children` children (at most 144 distinct names) in four classes, seeded. */
export function demoMonth(children = 48, seed = 16): DemoMonth {
  const rand = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const classes = [
    { id: 'hiyoko', name: 'ひよこ組' },
    { id: 'risu', name: 'りす組' },
    { id: 'usagi', name: 'うさぎ組' },
    { id: 'kirin', name: 'きりん組' },
  ];
  const snapshot = baseSnapshot({
    facilityName: 'さくら保育園',
    ledger: DEMO_SETTINGS,
    classes,
    children: Array.from({ length: children }, (_, i) => {
      const f = i % FAMILY.length;
      const g = Math.floor(i / FAMILY.length) * 5 + i;
      return {
        id: `c${String(i + 1).padStart(3, '0')}`,
        name: `${FAMILY[f] ?? ''} ${GIVEN[g % GIVEN.length] ?? ''}`,
        kana: `${KANA[f] ?? ''}${String(g).padStart(3, '0')}`,
        classId: classes[i % classes.length]?.id ?? 'hiyoko',
        careType: i % 4 === 3 ? ('short' as const) : ('standard' as const),
      };
    }),
  });
  const hhmm = (m: number) =>
    `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  const events: AttendanceEvent[] = [];
  const staff = (note: string): Partial<AttendanceEvent> => ({ method: 'staff', actor: 's001', note });
  for (let d = 1; d <= 30; d++) {
    const date = `${DEMO_MONTH}-${String(d).padStart(2, '0')}`;
    const day = calendarDay(date, DEMO_SETTINGS, 'ja');
    if (day.closed) continue;
    snapshot.children.forEach((child, i) => {
      if (day.weekday === 6 && i % 5 !== 0) return;
      const r = rand();
      if (r < 0.05) {
        events.push(tokyoEvent('absent', child.id, date, '07:30', staff(r < 0.03 ? 'sick: 発熱' : 'family')));
        return;
      }
      if (r < 0.07) return;
      const inM = int(7 * 60, 9 * 60 + 30);
      events.push(tokyoEvent('check_in', child.id, date, hhmm(inM)));
      // One open day (no check-out), the rest picked up between 15:30 and 19:00.
      if (i === 1 && d === 10) return;
      const outM = int(15 * 60 + 30, 19 * 60);
      events.push(
        tokyoEvent(
          'check_out',
          child.id,
          date,
          hhmm(outM),
          i === 2 && d === 5 ? staff('お迎え時の打刻漏れ') : {},
        ),
      );
    });
  }
  return { snapshot, events };
}
