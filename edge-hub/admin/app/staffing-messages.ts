import type { Staffing, StaffingAge } from '../../../protocol/settings.ts';
import type { Messages } from './messages.ts';

/** Texts of the staffing report page and the staffing settings section, in Japanese and English. */
export interface StaffingMessages {
  readonly report: {
    readonly title: string;
    readonly date: string;
    readonly help: string;
    readonly facility: string;
    readonly time: string;
    readonly kind: Readonly<Record<'slot' | 'staff_change', string>>;
    readonly age: Readonly<Record<StaffingAge | 'unknown', string>>;
    readonly present: string;
    readonly required: string;
    readonly onDuty: string;
    readonly shortfall: string;
    readonly notEntered: string;
    readonly short: string;
    readonly noRows: string;
    readonly ageUnknown: (n: number) => string;
    readonly ownRatio: (n: number) => string;
    /** The standard the report applied (the settings' ratios, not the national defaults). */
    readonly standard: (s: Staffing) => string;
    readonly csvJa: string;
    readonly csvEn: string;
  };
  readonly settings: {
    readonly title: string;
    readonly help: string;
    readonly perStaff: Readonly<Record<StaffingAge, string>>;
    readonly minimumStaff: string;
    readonly save: string;
    readonly saved: string;
  };
}

const ja: StaffingMessages = {
  report: {
    title: '職員配置の日報（年齢別配置基準）',
    date: '日付',
    help: '在園児の年齢（その年度の4月1日時点の年齢）から必要な保育士数を求め、タブレットで入力された配置人数と比べます。30分ごとと、配置人数を変更した時刻の記録です。',
    facility: '施設全体',
    time: '時刻',
    kind: { slot: '定時', staff_change: '配置変更' },
    age: { age0: '0歳', age1: '1歳', age2: '2歳', age3: '3歳', age4plus: '4・5歳', unknown: '不明' },
    present: '在園',
    required: '必要',
    onDuty: '配置',
    shortfall: '不足',
    notEntered: '未入力',
    short: '不足',
    noRows: 'この日の記録はありません',
    ageUnknown: (n) =>
      `生年月日のない園児が${n}人います（年齢不明として別に数えています）。名簿に生年月日を入れてください：`,
    ownRatio: (n) => `クラス独自の基準：保育士1人あたり${n}人まで`,
    standard: ({ childrenPerStaff: r, minimumStaff }) =>
      `配置基準：0歳 ${String(r.age0)}:1・1歳 ${String(r.age1)}:1・2歳 ${String(r.age2)}:1・3歳 ${String(r.age3)}:1・4〜5歳 ${String(r.age4plus)}:1（設定で変更可）、施設全体で最低${String(minimumStaff)}人`,
    csvJa: 'CSV（日本語）',
    csvEn: 'CSV（英語）',
  },
  settings: {
    title: '保育士の配置基準（年齢別）',
    help: '保育士1人あたりの園児数です。年齢はその年度の4月1日時点の年齢で、クラスの「1人あたり人数」はより厳しい場合だけ使われます。',
    perStaff: { age0: '0歳児', age1: '1歳児', age2: '2歳児', age3: '3歳児', age4plus: '4・5歳児' },
    minimumStaff: '施設全体の最低人数',
    save: '配置基準を保存',
    saved: '保存しました',
  },
};

const en: StaffingMessages = {
  report: {
    title: 'Daily staffing report (ratios by age)',
    date: 'Date',
    help: 'Staff required from the ages of the children present (age on April 1 of the fiscal year), against the staff on duty entered on the tablets: every 30 minutes and at each change of a count.',
    facility: 'Facility',
    time: 'Time',
    kind: { slot: 'slot', staff_change: 'count changed' },
    age: {
      age0: 'Age 0',
      age1: 'Age 1',
      age2: 'Age 2',
      age3: 'Age 3',
      age4plus: 'Age 4–5',
      unknown: 'Unknown',
    },
    present: 'Present',
    required: 'Required',
    onDuty: 'On duty',
    shortfall: 'Short by',
    notEntered: 'not set',
    short: 'short',
    noRows: 'Nothing recorded on this day',
    ageUnknown: (n) =>
      `${n} children have no birth date (counted apart as age unknown). Add their birth dates to the roster:`,
    ownRatio: (n) => `Class's own ratio: at most ${n} children per staff member`,
    standard: ({ childrenPerStaff: r, minimumStaff }) =>
      `Standard: age 0 ${String(r.age0)}:1, age 1 ${String(r.age1)}:1, age 2 ${String(r.age2)}:1, age 3 ${String(r.age3)}:1, ages 4–5 ${String(r.age4plus)}:1 (editable in the settings), at least ${String(minimumStaff)} in the facility`,
    csvJa: 'CSV (Japanese)',
    csvEn: 'CSV (English)',
  },
  settings: {
    title: 'Staff ratios by age',
    help: "Children per staff member. Ages are those on April 1 of the fiscal year; a class's own ratio is used only when it is stricter.",
    perStaff: { age0: 'Age 0', age1: 'Age 1', age2: 'Age 2', age3: 'Age 3', age4plus: 'Ages 4–5' },
    minimumStaff: 'Least staff in the facility',
    save: 'Save the ratios',
    saved: 'Saved',
  },
};

export const STAFFING_MESSAGES: Readonly<Record<'ja' | 'en', StaffingMessages>> = { ja, en };

/** The texts in the app's current language (its messages say which: ja-JP or another). */
export function staffingMessages(m: Pick<Messages, 'intlLocale'>): StaffingMessages {
  return m.intlLocale.startsWith('ja') ? ja : en;
}
