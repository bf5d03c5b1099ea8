import { errorText, type MessageParams } from '../../../protocol/error-catalogue.ts';
import { AUDIT_MESSAGES, type AuditMessages } from './audit-messages.ts';
import { DEVICES_MESSAGES, type DevicesMessages } from './devices-messages.ts';
import { HISTORY_MESSAGES, type HistoryMessages } from './history-messages.ts';
import { RECORDS_MESSAGES, type RecordsMessages } from './records-messages.ts';
import { ROSTER_MESSAGES, type RosterMessages } from './roster-messages.ts';
import { SETTINGS_MESSAGES, type SettingsMessages } from './settings-messages.ts';
import { QR_MESSAGES, type QrMessages } from './qr-messages.ts';
import { PARENT_APP_MESSAGES, type ParentAppMessages } from './parent-invite-messages.ts';
import { PICKUP_PEOPLE_MESSAGES, type PickupPeopleMessages } from './pickup-people-messages.ts';
import { TODAY_MESSAGES, type TodayMessages } from './today-messages.ts';

export type Locale = 'ja' | 'en';
export type Page =
  | 'overview'
  | 'records'
  | 'roster'
  | 'settings'
  | 'devices'
  | 'audit'
  | 'ledger'
  | 'staffing'
  | 'open-days'
  | 'months'
  | 'notices';

/**
 * Every text the admin app shows, in Japanese (the default) and English. The pages with many texts keep
 * theirs in their own files; the cloud relay box and record checks come in as `relay`, `age` and `records`.
 */
export interface Messages extends RecordsMessages {
  readonly intlLocale: string;
  readonly langToggle: string;
  readonly appName: string;
  readonly loading: string;
  readonly signIn: {
    readonly title: string;
    readonly staffId: string;
    readonly pin: string;
    readonly submit: string;
    readonly badCredentials: string;
    readonly tooMany: (seconds: number | null) => string;
    readonly unreachable: string;
  };
  readonly signOut: string;
  readonly signedInAs: (name: string) => string;
  readonly pages: Readonly<Record<Page, string>>;
  /** An API error: its code's text (protocol/error-catalogue.ts) with its params, or a generic one. */
  readonly error: (code: string, params?: MessageParams) => string;
  readonly sessionEnded: string;
  readonly overview: {
    readonly chartTitle: (date: string) => string;
    readonly arrivals: string;
    readonly present: string;
    readonly expected: (n: number) => string;
    readonly date: string;
  };
  /** The roster page (roster-messages.ts). */
  readonly roster: RosterMessages;
  /** The facility settings page (settings-messages.ts). */
  readonly settings: SettingsMessages;
  /** The devices page (devices-messages.ts). */
  readonly devices: DevicesMessages;
  /** The audit log page (audit-messages.ts). */
  readonly audit: AuditMessages;
  /** The overview's numbers of today (today-messages.ts). */
  readonly today: TodayMessages;
  /** The QR card sheet and the one-card dialog on the roster page (qr-messages.ts). */
  readonly qr: QrMessages;
  /** The parent app's invitation and suspension in the guardian table (parent-invite-messages.ts). */
  readonly parentApp: ParentAppMessages;
  /** A child's pickup people dialog on the roster page (pickup-people-messages.ts). */
  readonly pickupPeople: PickupPeopleMessages;
  readonly ledger: {
    readonly title: string;
    readonly daily: string;
    readonly monthly: string;
    readonly date: string;
    readonly month: string;
    readonly cls: string;
    readonly allClasses: string;
    readonly formats: Readonly<Record<'csv' | 'csv-sjis' | 'xlsx' | 'pdf', string>>;
    /** The month's extended-care report (GET /api/ledger/extended). */
    readonly extended: string;
    readonly extendedHelp: string;
    readonly extendedFormats: Readonly<Record<'xlsx' | 'pdf' | 'csv' | 'csv-days', string>>;
    /** The files' language: the facility's setting, or one chosen for this download. */
    readonly language: string;
    readonly languages: Readonly<Record<'setting' | 'ja' | 'en', string>>;
  };
  /** Open days, past-day corrections and month close (history-messages.ts). */
  readonly history: HistoryMessages;
}

const ja: Messages = {
  intlLocale: 'ja-JP',
  langToggle: 'English',
  appName: 'Genkan 管理',
  loading: '読み込み中…',
  signIn: {
    title: '園長・管理者 ログイン',
    staffId: '職員ID',
    pin: '暗証番号',
    submit: 'ログイン',
    badCredentials: '職員IDまたは暗証番号が違います（管理者のみログインできます）',
    tooMany: (s) =>
      `失敗が続いたため一時的にロックしています。${s === null ? 'しばらく' : `${String(s)}秒`}待ってください`,
    unreachable: 'ハブに接続できません',
  },
  signOut: 'ログアウト',
  signedInAs: (name) => `${name} さん`,
  pages: {
    overview: '概要',
    records: '記録の点検',
    roster: '名簿',
    settings: '設定',
    devices: '端末',
    audit: '操作記録',
    ledger: '帳票',
    staffing: '職員配置',
    'open-days': '未退園・未登園',
    months: '月の確定',
    notices: 'お知らせ',
  },
  error: (code, params) => errorText('ja', code, params) ?? `エラーが発生しました（${code}）`,
  sessionEnded: 'ログインの有効期限が切れました。もう一度ログインしてください',
  overview: {
    chartTitle: (date) => `${date} の登園状況`,
    arrivals: '15分ごとの登園数',
    present: '在園児数',
    expected: (n) => `在籍 ${String(n)} 名`,
    date: '日付',
  },
  ...RECORDS_MESSAGES.ja,
  roster: ROSTER_MESSAGES.ja,
  settings: SETTINGS_MESSAGES.ja,
  devices: DEVICES_MESSAGES.ja,
  audit: AUDIT_MESSAGES.ja,
  today: TODAY_MESSAGES.ja,
  qr: QR_MESSAGES.ja,
  parentApp: PARENT_APP_MESSAGES.ja,
  pickupPeople: PICKUP_PEOPLE_MESSAGES.ja,
  ledger: {
    title: '帳票のダウンロード',
    daily: '日報',
    monthly: '月報',
    date: '日付',
    month: '月',
    cls: 'クラス',
    allClasses: '全クラス',
    formats: { csv: 'CSV (UTF-8)', 'csv-sjis': 'CSV (Shift_JIS・Excel用)', xlsx: 'Excel (xlsx)', pdf: 'PDF' },
    extended: '時間外（延長）保育 実績報告',
    extendedHelp:
      '選んだ月の延長保育: 日ごとの利用児童数（前・後、標準時間・短時間）と、園児ごとの時間帯別利用日数。',
    extendedFormats: {
      xlsx: 'Excel (xlsx)',
      pdf: 'PDF',
      csv: 'CSV（園児別）',
      'csv-days': 'CSV（日別）',
    },
    language: '帳票の言語',
    languages: { setting: '施設の設定どおり', ja: '日本語', en: '英語' },
  },
  history: HISTORY_MESSAGES.ja,
};

const en: Messages = {
  intlLocale: 'en-GB',
  langToggle: '日本語',
  appName: 'Genkan admin',
  loading: 'Loading…',
  signIn: {
    title: 'Director / admin sign-in',
    staffId: 'Staff ID',
    pin: 'PIN',
    submit: 'Sign in',
    badCredentials: 'Wrong staff ID or PIN (only admin accounts can sign in here)',
    tooMany: (s) =>
      `Too many failed attempts. Wait ${s === null ? 'a while' : `${String(s)} s`} and try again`,
    unreachable: 'Cannot reach the hub',
  },
  signOut: 'Sign out',
  signedInAs: (name) => name,
  pages: {
    overview: 'Overview',
    records: 'Record checks',
    roster: 'Roster',
    settings: 'Settings',
    devices: 'Devices',
    audit: 'Audit log',
    ledger: 'Ledgers',
    staffing: 'Staffing',
    'open-days': 'Open days',
    months: 'Close a month',
    notices: 'Notices',
  },
  error: (code, params) => errorText('en', code, params) ?? `Something went wrong (${code})`,
  sessionEnded: 'Your session has ended. Please sign in again',
  overview: {
    chartTitle: (date) => `Attendance on ${date}`,
    arrivals: 'Arrivals per 15 minutes',
    present: 'Children present',
    expected: (n) => `${String(n)} enrolled`,
    date: 'Date',
  },
  ...RECORDS_MESSAGES.en,
  roster: ROSTER_MESSAGES.en,
  settings: SETTINGS_MESSAGES.en,
  devices: DEVICES_MESSAGES.en,
  audit: AUDIT_MESSAGES.en,
  today: TODAY_MESSAGES.en,
  qr: QR_MESSAGES.en,
  parentApp: PARENT_APP_MESSAGES.en,
  pickupPeople: PICKUP_PEOPLE_MESSAGES.en,
  ledger: {
    title: 'Download ledgers',
    daily: 'Daily',
    monthly: 'Monthly',
    date: 'Date',
    month: 'Month',
    cls: 'Class',
    allClasses: 'All classes',
    formats: {
      csv: 'CSV (UTF-8)',
      'csv-sjis': 'CSV (Shift_JIS, for Excel)',
      xlsx: 'Excel (xlsx)',
      pdf: 'PDF',
    },
    extended: 'Extended care report',
    extendedHelp:
      "The chosen month's extended care: per day the children using it before and after the care hours (standard and short), per child the days in each band.",
    extendedFormats: {
      xlsx: 'Excel (xlsx)',
      pdf: 'PDF',
      csv: 'CSV (per child)',
      'csv-days': 'CSV (per day)',
    },
    language: 'Ledger language',
    languages: { setting: "The facility's setting", ja: 'Japanese', en: 'English' },
  },
  history: HISTORY_MESSAGES.en,
};

export const MESSAGES: Readonly<Record<Locale, Messages>> = { ja, en };
