/** The settings page's extended-care report section (ExtendedReportSection.tsx): its own texts. */
export interface ExtendedReportMessages {
  readonly title: string;
  readonly help: string;
  readonly bands: string;
  readonly label: string;
  readonly fromMinutes: string;
  readonly toMinutes: string;
  readonly toHelp: string;
  readonly addBand: string;
  readonly remove: string;
  readonly presentAt: string;
  readonly presentAtHelp: string;
  readonly addTime: string;
  readonly save: string;
  readonly saved: string;
}

const ja: ExtendedReportMessages = {
  title: '時間外（延長）保育 実績報告',
  help: '延長保育を保育時間の前と後に分け、時間帯ごとの利用日数と、決まった時刻の在園児数を数えます。月の報告は月末日の設定で作られます。変更は今日から有効です。',
  bands: '時間帯（猶予・丸めの後の分数）',
  label: '名称',
  fromMinutes: '何分から',
  toMinutes: '何分まで',
  toHelp: '空欄: 上限なし（最後の時間帯のみ）',
  addBand: '時間帯を追加',
  remove: '削除',
  presentAt: '在園児数を数える時刻',
  presentAtHelp: 'その時刻に登園済みで、まだ降園していない園児を数えます（最大8つ）。',
  addTime: '時刻を追加',
  save: '報告の設定を保存',
  saved: '保存しました',
};

const en: ExtendedReportMessages = {
  title: 'Extended care report',
  help: 'Extended care is counted before and after the care hours apart: days per band, and the children present at set times. A month’s report uses the settings of its last day. Changes hold from today.',
  bands: 'Bands (minutes after grace and rounding)',
  label: 'Label',
  fromMinutes: 'From (min)',
  toMinutes: 'To (min)',
  toHelp: 'Empty: no upper bound (last band only)',
  addBand: 'Add band',
  remove: 'Remove',
  presentAt: 'Count children present at',
  presentAtHelp: 'Children checked in by that time and not yet out are counted (up to 8 times).',
  addTime: 'Add time',
  save: 'Save report settings',
  saved: 'Saved',
};

export const EXTENDED_REPORT_MESSAGES = { ja, en } as const;
