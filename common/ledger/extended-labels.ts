import type { ExtendedSide } from '../../protocol/ledger-extended.ts';
import type { CareType, LedgerLanguage } from '../../protocol/settings.ts';

/**
 * The words of the extended-care report's files (CSV, XLSX, PDF) in each language; the JSON keeps its
 * keys and codes. Band labels are the facility's own (settings extendedReport.bands) and stay as written.
 */
export interface ExtendedLabels {
  title: string;
  /** File name stem: 延長保育_<施設名>_2026-12.xlsx. */
  fileStem: string;
  /** File name suffix of the CSV's per-day table. */
  daysFile: string;
  careType: Record<CareType, string>;
  side: Record<ExtendedSide, string>;
  /** A count per care type and side: `標準時間 前`. */
  count: (care: string, side: string) => string;
  /** Children present at a time: `在園 18:00`. */
  presentAt: (time: string) => string;
  /** A band and side: `30分 前`. */
  band: (label: string, side: string) => string;
  days: (side: string) => string;
  minutes: (side: string) => string;
  date: string;
  weekdayColumn: string;
  className: string;
  childId: string;
  childName: string;
  careTypeColumn: string;
  total: string;
  /** Print: the total of a side's rows. */
  sideTotal: (side: string) => string;
  /** Print: the per-day table's corner cell, its total column, and the two sections' titles. */
  perDay: string;
  perChild: string;
  openDays: string;
  openDayColumns: readonly [string, string, string];
  /** Print legend: how the report counts. */
  rule: string;
  bandsLine: (list: string) => string;
  bandItem: (label: string, from: number, to: number | null) => string;
}

const JA: ExtendedLabels = {
  title: '時間外（延長）保育 実績報告',
  fileStem: '延長保育',
  daysFile: '日別',
  careType: { standard: '標準時間', short: '短時間' },
  side: { before: '前', after: '後' },
  count: (care, side) => `${care} ${side}`,
  presentAt: (t) => `在園 ${t}`,
  band: (label, side) => `${label} ${side}`,
  days: (side) => `利用日数 ${side}`,
  minutes: (side) => `延長時間（分） ${side}`,
  date: '日付',
  weekdayColumn: '曜日',
  className: '組',
  childId: '園児ID',
  childName: '園児名',
  careTypeColumn: '認定区分',
  total: '合計',
  sideTotal: (side) => `${side} 合計`,
  perDay: '日別利用人数',
  perChild: '園児別 時間帯別利用日数',
  openDays: '降園の記録がない日（集計外）',
  openDayColumns: ['日付', '組', '園児名'],
  rule: '前: 保育時間の開始前、後: 終了後。各側の分数に設定の猶予と丸めを適用し、1分以上の日を利用として数える。',
  bandsLine: (list) => `時間帯: ${list}`,
  bandItem: (label, from, to) => `${label} ${String(from)}〜${to === null ? '' : `${String(to)}分`}`,
};

const EN: ExtendedLabels = {
  title: 'Extended care report',
  fileStem: 'extended-care',
  daysFile: 'days',
  careType: { standard: 'Standard', short: 'Short' },
  side: { before: 'before', after: 'after' },
  count: (care, side) => `${care} ${side}`,
  presentAt: (t) => `Present ${t}`,
  band: (label, side) => `${label} ${side}`,
  days: (side) => `Days ${side}`,
  minutes: (side) => `Minutes ${side}`,
  date: 'Date',
  weekdayColumn: 'Weekday',
  className: 'Class',
  childId: 'Child ID',
  childName: 'Child',
  careTypeColumn: 'Care type',
  total: 'Total',
  sideTotal: (side) => `Total ${side}`,
  perDay: 'Children per day',
  perChild: 'Days per child and band',
  openDays: 'Days without a check-out (not counted)',
  openDayColumns: ['Date', 'Class', 'Child'],
  rule: 'Before: ahead of the care hours, after: past them. Each side is graced and rounded as set; a side of 1 minute or more counts.',
  bandsLine: (list) => `Bands: ${list}`,
  bandItem: (label, from, to) => `${label} ${String(from)}–${to === null ? '' : `${String(to)} min`}`,
};

const LABELS: Record<LedgerLanguage, ExtendedLabels> = { ja: JA, en: EN };

export function extendedLabels(language: LedgerLanguage): ExtendedLabels {
  return LABELS[language];
}
