import type { RollcallStatus } from '../../protocol/primitives.ts';
import type { LedgerLanguage } from '../../protocol/settings.ts';
import type { AbsenceReason } from '../../protocol/tablet.ts';

/**
 * The words of the ledger files (CSV, XLSX, PDF) in each language; the JSON keeps its keys and codes.
 * Japanese: what a nursery's 出席簿 and 登降園記録簿 say; the absence reasons as the tablet shows them.
 */
export interface LedgerLabels {
  dailyTitle: string;
  monthlyTitle: string;
  /** Daily ledger headings: DAILY_LEDGER_COLUMNS in order. */
  daily: {
    class_name: string;
    child_id: string;
    child_name: string;
    status: string;
    check_in: string;
    check_out: string;
    extended_minutes: string;
    note: string;
    corrected: string;
  };
  monthly: {
    class_name: string;
    child_id: string;
    child_name: string;
    attended_days: string;
    absent_days: string;
    extended_minutes: string;
  };
  status: Record<RollcallStatus, string>;
  /** The daily `corrected` true; false is empty. */
  corrected: string;
  /** A monthly day cell of an absence (the JSON's 欠). */
  absentCell: string;
  reason: Record<AbsenceReason, string>;
  /** Sunday first. */
  weekdays: readonly string[];
  /** The weekday row's label (under the name column). */
  weekdayRow: string;
  approvals: readonly string[];
  /** A class's total row, e.g. `ひよこ組 計`. */
  classTotal: (className: string) => string;
  facilityTotal: string;
  /** The daily ledger's total row: what its status column says. */
  dailyCounts: (c: { attended: number; absent: number; notArrived: number }) => string;
  /** `N名` */
  children: (n: number) => string;
  /** The month heading without era: 2026年12月 / December 2026. */
  month: (year: number, month: number) => string;
  /** The day heading: 2026年12月1日（火） / Tue 1 December 2026. */
  day: (year: number, month: number, day: number, weekday: number) => string;
  classLine: (className: string) => string;
  /** Legend: the month's holidays, `3日 文化の日` each. */
  holidays: (list: string) => string;
  holidayItem: (day: number, name: string) => string;
  listSeparator: string;
  /** Legend: what the shading means. */
  shading: string;
  /** Legend of the monthly cells: ※, the absence mark, check-in over check-out. */
  monthlyMarks: string;
  /** Daily: the day is a holiday / closed. */
  holidayNote: (name: string) => string;
  closedNote: string;
  amendmentsTitle: string;
  amendmentColumns: readonly string[];
  /** Absence in the amendments' states: `欠席（体調不良: 発熱）`. */
  absentState: (reason: string, note: string | undefined) => string;
  noRecord: string;
  /** 訂正者: `園長 花子（s001）`. */
  actor: (name: string, id: string) => string;
  /** File name stems: 出席簿, 登降園記録簿. */
  monthlyFile: string;
  dailyFile: string;
}

/** The headings both ledgers have. */
const JA_CHILD = {
  class_name: '組',
  child_id: '園児ID',
  child_name: '園児名',
  extended_minutes: '延長保育（分）',
};

/** `: note` after an absence's reason, nothing without a note. */
const noteSuffix = (note: string | undefined): string =>
  note === undefined || note === '' ? '' : `: ${note}`;

const JA: LedgerLabels = {
  dailyTitle: '登降園記録簿',
  monthlyTitle: '出席簿',
  daily: {
    ...JA_CHILD,
    status: '出欠',
    check_in: '登園',
    check_out: '降園',
    note: '備考',
    corrected: '訂正',
  },
  monthly: { ...JA_CHILD, attended_days: '出席日数', absent_days: '欠席日数' },
  status: { not_arrived: '未登園', present: '登園中', left: '降園済', absent: '欠席' },
  corrected: '訂正あり',
  absentCell: '欠',
  reason: { sick: '体調不良', family: '家庭の都合', other: 'その他' },
  weekdays: ['日', '月', '火', '水', '木', '金', '土'],
  weekdayRow: '曜日',
  approvals: ['園長', '主任', '担当'],
  classTotal: (name) => `${name} 計`,
  facilityTotal: '合計',
  dailyCounts: (c) => `出席 ${String(c.attended)}・欠席 ${String(c.absent)}・未登園 ${String(c.notArrived)}`,
  children: (n) => `${String(n)}名`,
  month: (y, m) => `${String(y)}年${String(m)}月`,
  day: (y, m, d, w) => `${String(y)}年${String(m)}月${String(d)}日（${JA.weekdays[w] ?? ''}）`,
  classLine: (name) => `組: ${name}`,
  holidays: (list) => `祝日: ${list}`,
  holidayItem: (d, name) => `${String(d)}日 ${name}`,
  listSeparator: '、',
  shading: '網掛け: 休園日（灰）・日曜祝日（赤）・土曜（青）',
  monthlyMarks: '上段 登園・下段 降園　欠 欠席　※ 訂正した日',
  holidayNote: (name) => `祝日（${name}）`,
  closedNote: '休園日',
  amendmentsTitle: '訂正履歴（確定後の訂正）',
  amendmentColumns: ['日付', '園児ID', '園児名', '訂正前', '訂正後', '訂正者', '理由', '訂正日時'],
  absentState: (reason, note) => `欠席（${reason}${noteSuffix(note)}）`,
  noRecord: '（記録なし）',
  actor: (name, id) => `${name}（${id}）`,
  monthlyFile: '出席簿',
  dailyFile: '登降園記録簿',
};

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

const EN_CHILD = {
  class_name: 'Class',
  child_id: 'Child ID',
  child_name: 'Child',
  extended_minutes: 'Extended care (min)',
};

const EN: LedgerLabels = {
  dailyTitle: 'Daily attendance record',
  monthlyTitle: 'Attendance register',
  daily: {
    ...EN_CHILD,
    status: 'Status',
    check_in: 'In',
    check_out: 'Out',
    note: 'Note',
    corrected: 'Corrected',
  },
  monthly: { ...EN_CHILD, attended_days: 'Days attended', absent_days: 'Days absent' },
  status: { not_arrived: 'Not arrived', present: 'Present', left: 'Left', absent: 'Absent' },
  corrected: 'Corrected',
  absentCell: 'Abs',
  reason: { sick: 'Sick', family: 'Family', other: 'Other' },
  weekdays: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
  weekdayRow: 'Day',
  approvals: ['Director', 'Head', 'Staff'],
  classTotal: (name) => `${name} total`,
  facilityTotal: 'Total',
  dailyCounts: (c) =>
    `Attended ${String(c.attended)}, absent ${String(c.absent)}, not arrived ${String(c.notArrived)}`,
  children: (n) => `${String(n)} ${n === 1 ? 'child' : 'children'}`,
  month: (y, m) => `${MONTHS[m - 1] ?? ''} ${String(y)}`,
  day: (y, m, d, w) => `${EN.weekdays[w] ?? ''} ${String(d)} ${MONTHS[m - 1] ?? ''} ${String(y)}`,
  classLine: (name) => `Class: ${name}`,
  holidays: (list) => `Public holidays: ${list}`,
  holidayItem: (d, name) => `${String(d)} ${name}`,
  listSeparator: ', ',
  shading: 'Shaded: closed (grey), Sundays and holidays (red), Saturdays (blue)',
  monthlyMarks: 'Upper line: in, lower line: out; Abs: absent; ※: corrected',
  holidayNote: (name) => `Public holiday (${name})`,
  closedNote: 'Closed',
  amendmentsTitle: 'Amendments (corrections after closing)',
  amendmentColumns: ['Date', 'Child ID', 'Child', 'Before', 'After', 'By', 'Reason', 'Corrected at'],
  absentState: (reason, note) => `Absent (${reason}${noteSuffix(note)})`,
  noRecord: '(no record)',
  actor: (name, id) => `${name} (${id})`,
  monthlyFile: 'attendance',
  dailyFile: 'daily-record',
};

const LABELS: Record<LedgerLanguage, LedgerLabels> = { ja: JA, en: EN };

export function ledgerLabels(language: LedgerLanguage): LedgerLabels {
  return LABELS[language];
}

/**
 * The daily `note` in the language: each part (the engine joins them with " / ") that is an absence in the
 * tablet's format (`sick`, `sick: 発熱`, common/attendance.ts absenceNote) gets its reason's word. Other
 * parts (staff notes, void reasons) are people's text and stay as written.
 */
export function localNote(note: string, labels: LedgerLabels): string {
  if (note === '') return note;
  return note
    .split(' / ')
    .map((part) => {
      const m = /^(sick|family|other)(: [\s\S]*)?$/.exec(part);
      const reason = m?.[1] as AbsenceReason | undefined;
      return reason === undefined ? part : `${labels.reason[reason]}${m?.[2] ?? ''}`;
    })
    .join(' / ');
}
