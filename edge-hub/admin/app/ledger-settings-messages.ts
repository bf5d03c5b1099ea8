import type { LedgerLanguage } from '../../../protocol/settings.ts';

/** The settings page's ledger section (LedgerSettingsSection.tsx): its own texts. */
export interface LedgerSettingsMessages {
  readonly title: string;
  readonly help: string;
  readonly language: string;
  readonly languages: Readonly<Record<LedgerLanguage, string>>;
  readonly japaneseEra: string;
  readonly closedWeekdays: string;
  /** Sunday first. */
  readonly weekdays: readonly string[];
  readonly closedOnHolidays: string;
  readonly closedDates: string;
  readonly closedDatesHelp: string;
  readonly save: string;
  readonly saved: string;
}

const ja: LedgerSettingsMessages = {
  title: '帳票（出席簿・登降園記録簿）',
  help: 'CSV・Excel・PDF の見出しと値の言語、和暦の表示、休園日（網掛け）を設定します。帳票はその期間の最終日の設定で作られます。変更は今日から有効です。',
  language: '帳票の言語',
  languages: { ja: '日本語', en: '英語' },
  japaneseEra: '年月を和暦でも表示する（令和8年12月）',
  closedWeekdays: '休園する曜日',
  weekdays: ['日', '月', '火', '水', '木', '金', '土'],
  closedOnHolidays: '祝日は休園',
  closedDates: 'その他の休園日',
  closedDatesHelp: '1行に1日: YYYY-MM-DD、または毎年なら MM-DD（例: 12-29）',
  save: '帳票の設定を保存',
  saved: '保存しました',
};

const en: LedgerSettingsMessages = {
  title: 'Ledgers (attendance registers)',
  help: 'The language of the headings and values of the CSV, Excel and PDF files, the Japanese era, and the closed days (shaded). A ledger uses the settings of its last day. Changes hold from today.',
  language: 'Ledger language',
  languages: { ja: 'Japanese', en: 'English' },
  japaneseEra: 'Show the month in the Japanese era too (令和8年12月)',
  closedWeekdays: 'Closed on',
  weekdays: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
  closedOnHolidays: 'Closed on public holidays',
  closedDates: 'Other closed days',
  closedDatesHelp: 'One a line: YYYY-MM-DD, or MM-DD for every year (e.g. 12-29)',
  save: 'Save ledger settings',
  saved: 'Saved',
};

export const LEDGER_SETTINGS_MESSAGES = { ja, en } as const;
