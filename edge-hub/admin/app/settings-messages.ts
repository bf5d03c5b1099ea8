import { errorText, paramReader, type MessageParams } from '../../../protocol/error-catalogue.ts';
import { settingProblemText } from '../../../protocol/setting-problems.ts';

/** The facility settings page's texts. messages.ts carries them as `settings`. */
export interface SettingsMessages {
  readonly title: string;
  /** The facility's display name (headers, ledgers). */
  readonly facilityName: string;
  readonly facilityNameHelp: string;
  readonly closingTime: string;
  readonly defaultCutoff: string;
  readonly standardBand: string;
  readonly shortBand: string;
  readonly start: string;
  readonly end: string;
  readonly graceMinutes: string;
  readonly roundingMinutes: string;
  readonly rounding: string;
  readonly roundings: Readonly<Record<'up' | 'down' | 'nearest', string>>;
  readonly classCutoff: string;
  readonly ratio: string;
  readonly undoWindowMinutes: string;
  readonly undoWindowHelp: string;
  /** The kiosks' reversal guard (a second tap soon after asks instead of reversing). */
  readonly reversalGuardMinutes: string;
  readonly reversalGuardHelp: string;
  /** The client's own refusal of a value outside 1–120 whole minutes. */
  readonly reversalGuardInvalid: string;
  readonly save: string;
  readonly saved: string;
  readonly timeZone: (tz: string) => string;
  /**
   * A refused change, worded from the hub's answer: a setting's problem (params.problem: next to its
   * field, which its label names), else the error code's text, else undefined.
   */
  readonly refusal: (code: string, params: MessageParams) => string | undefined;
}

const refusal =
  (lang: 'ja' | 'en') =>
  (code: string, params: MessageParams): string | undefined =>
    params['problem'] !== undefined
      ? settingProblemText(lang, paramReader(params))
      : errorText(lang, code, params);

const ja: SettingsMessages = {
  title: '施設の設定',
  facilityName: '施設名',
  facilityNameHelp:
    '玄関端末・職員タブレット・この画面の見出しと帳票に表示されます。帳票には今日から反映されます。',
  closingTime: '閉園時刻',
  defaultCutoff: '未登園確認の時刻',
  standardBand: '保育標準時間',
  shortBand: '保育短時間',
  start: '開始',
  end: '終了',
  graceMinutes: '延長保育の猶予（分）',
  roundingMinutes: '延長保育の単位（分）',
  rounding: '端数の扱い',
  roundings: { up: '切り上げ', down: '切り捨て', nearest: '四捨五入' },
  classCutoff: '確認時刻',
  ratio: '職員1人あたりの園児数',
  undoWindowMinutes: '端末での取消期限（分）',
  undoWindowHelp: '玄関端末で保護者が記録を取り消せるのは、記録からこの分数のあいだだけです（1〜60分）。',
  reversalGuardMinutes: '取り消し防止の時間（分）',
  reversalGuardHelp:
    '登園・降園の記録からこの分数のあいだに同じ園児がもう一度タッチされると、逆の記録にせず保護者に確認します（1〜120分）。',
  reversalGuardInvalid: '1〜120の整数で入力してください',
  save: '保存',
  saved: '保存しました',
  timeZone: (tz) => `タイムゾーン：${tz}`,
  refusal: refusal('ja'),
};

const en: SettingsMessages = {
  title: 'Facility settings',
  facilityName: 'Facility name',
  facilityNameHelp:
    'Shown in the headers of the kiosks, the staff tablets and this app, and on the ledgers (from today on).',
  closingTime: 'Closing time',
  defaultCutoff: 'Not-arrived check time',
  standardBand: 'Standard care hours',
  shortBand: 'Short care hours',
  start: 'Start',
  end: 'End',
  graceMinutes: 'Extended care grace (min)',
  roundingMinutes: 'Extended care unit (min)',
  rounding: 'Rounding',
  roundings: { up: 'Up', down: 'Down', nearest: 'Nearest' },
  classCutoff: 'Check time',
  ratio: 'Children per staff',
  undoWindowMinutes: 'Kiosk undo window (min)',
  undoWindowHelp: 'A parent can undo a record at the kiosk only this many minutes after it (1–60).',
  reversalGuardMinutes: 'Reversal guard (min)',
  reversalGuardHelp:
    'A second tap within this many minutes of a check-in or check-out asks the parent instead of reversing it (1–120).',
  reversalGuardInvalid: 'Enter a whole number from 1 to 120',
  save: 'Save',
  saved: 'Saved',
  timeZone: (tz) => `Time zone: ${tz}`,
  refusal: refusal('en'),
};

export const SETTINGS_MESSAGES: Readonly<Record<'ja' | 'en', SettingsMessages>> = { ja, en };
