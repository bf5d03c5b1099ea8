import { csvFile } from '../../common/ledger/csv.ts';
import type { Cell } from '../../common/ledger/table.ts';
import type { LedgerLanguage } from '../../protocol/settings.ts';
import type { DailyStaffingReport, StaffingRow } from '../../protocol/staffing.ts';

/**
 * The daily staffing report as one CSV table (common/ledger/csv.ts csvFile: UTF-8 with a BOM for Excel,
 * CRLF, RFC 4180, text cells neutralised against formula injection, as class names come from the
 * roster): a row per class and time, then the facility's rows, with the language's headings and values
 * and no title or total lines (machines read it).
 */

const HEADINGS: Record<LedgerLanguage, readonly string[]> = {
  ja: [
    'クラス',
    '時刻',
    '区分',
    '0歳児',
    '1歳児',
    '2歳児',
    '3歳児',
    '4・5歳児',
    '年齢不明',
    '在園児数',
    '必要保育士数',
    '配置保育士数',
    '不足数',
    '判定',
  ],
  en: [
    'class',
    'time',
    'kind',
    'age_0',
    'age_1',
    'age_2',
    'age_3',
    'age_4_5',
    'age_unknown',
    'present',
    'required',
    'on_duty',
    'shortfall',
    'status',
  ],
};

const VALUES = {
  ja: {
    facility: '施設全体',
    slot: '定時',
    staff_change: '職員数変更',
    short: '不足',
    not_entered: '未入力',
    ok: '充足',
  },
  en: {
    facility: 'facility',
    slot: 'slot',
    staff_change: 'staff_change',
    short: 'short',
    not_entered: 'not_entered',
    ok: 'ok',
  },
} as const;

/** `short` when fewer are on duty than required; `not_entered` when staff are required and none entered. */
export function rowStatus(r: StaffingRow): 'short' | 'not_entered' | 'ok' | null {
  if (r.understaffed) return 'short';
  if (r.staffOnDuty === null) return r.required > 0 ? 'not_entered' : null;
  return 'ok';
}

export function staffingCsv(report: DailyStaffingReport, lang: LedgerLanguage): Buffer {
  const v = VALUES[lang];
  const line = (name: string, r: StaffingRow): Cell[] => {
    const status = rowStatus(r);
    return [
      name,
      r.time,
      v[r.kind],
      r.present.age0,
      r.present.age1,
      r.present.age2,
      r.present.age3,
      r.present.age4plus,
      r.present.unknown,
      r.presentTotal,
      r.required,
      r.staffOnDuty,
      r.shortfall,
      status === null ? null : v[status],
    ];
  };
  const lines = [
    [...HEADINGS[lang]],
    ...report.classes.flatMap((c) => c.rows.map((r) => line(c.className, r))),
    ...report.facility.rows.map((r) => line(v.facility, r)),
  ];
  return csvFile(lines, 'utf8');
}
