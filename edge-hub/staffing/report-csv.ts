import { neutralizeCell } from '../../common/ledger/table.ts';
import type { LedgerLanguage } from '../../protocol/settings.ts';
import type { DailyStaffingReport, StaffingRow } from '../../protocol/staffing.ts';

/**
 * The daily staffing report as one CSV table (UTF-8 with a BOM for Excel, CRLF, RFC 4180): a row per class
 * and time, then the facility's rows, with the language's headings and values and no title or total
 * lines (machines read it). Class names come from the roster: neutralised against formula injection.
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

function quote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function staffingCsv(report: DailyStaffingReport, lang: LedgerLanguage): Buffer {
  const v = VALUES[lang];
  const line = (name: string, r: StaffingRow): string[] => {
    const status = rowStatus(r);
    return [
      neutralizeCell(name),
      r.time,
      v[r.kind],
      String(r.present.age0),
      String(r.present.age1),
      String(r.present.age2),
      String(r.present.age3),
      String(r.present.age4plus),
      String(r.present.unknown),
      String(r.presentTotal),
      String(r.required),
      r.staffOnDuty === null ? '' : String(r.staffOnDuty),
      r.shortfall === null ? '' : String(r.shortfall),
      status === null ? '' : v[status],
    ];
  };
  const lines = [
    [...HEADINGS[lang]],
    ...report.classes.flatMap((c) => c.rows.map((r) => line(c.className, r))),
    ...report.facility.rows.map((r) => line(v.facility, r)),
  ];
  const text = `${lines.map((l) => l.map(quote).join(',')).join('\r\n')}\r\n`;
  return Buffer.from(`\uFEFF${text}`, 'utf8');
}
