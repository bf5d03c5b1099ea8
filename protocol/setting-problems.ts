import type { MessageLang, MessageParams, ParamReader } from './error-catalogue.ts';

/**
 * Why a settings change was refused (PATCH /api/settings answers 400 bad_setting with
 * params {field, problem, min?, max?, …}): the hub turns the first zod issue of protocol/settings.ts into a
 * problem here, and the admin app words it next to the field (settingProblemText). Browser-safe.
 */

export const SETTING_PROBLEMS = [
  'too_small',
  'too_big',
  'not_integer',
  'bad_type',
  'bad_time',
  'bad_date',
  'bad_id',
  'bad_format',
  'bad_choice',
  'end_before_start',
  'bands_overlap',
  'band_ids_unique',
  'unknown_field',
  'not_empty',
  'too_long',
  'bad_text',
  'too_few',
  'too_many',
  'time_zone_fixed',
  'unknown_class',
  'invalid',
] as const;
export type SettingProblem = (typeof SETTING_PROBLEMS)[number];

/** A zod issue, as much of it as the wording needs. */
export interface SettingIssue {
  readonly code: string;
  readonly message: string;
  readonly origin?: string;
  readonly minimum?: unknown;
  readonly maximum?: unknown;
  readonly inclusive?: boolean;
  readonly expected?: unknown;
  readonly params?: unknown;
  readonly keys?: readonly string[];
}

const num = (v: unknown): number | undefined =>
  typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;

/**
 * The problem of a zod issue of the settings schemas, with its limits. The schemas' own refinements carry
 * `params.problem` (protocol/settings.ts); their patterns are told apart by their messages.
 */
export function settingProblemOf(issue: SettingIssue): MessageParams & { problem: SettingProblem } {
  const own = issue.params;
  if (typeof own === 'object' && own !== null && 'problem' in own) {
    const problem = SETTING_PROBLEMS.find((p) => p === own.problem);
    if (problem !== undefined) return { problem };
  }
  const min = num(issue.minimum);
  const max = num(issue.maximum);
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string') return { problem: 'not_empty' };
      if (issue.origin === 'array' && min !== undefined) return { problem: 'too_few', min };
      if (min === undefined) return { problem: 'invalid' };
      return { problem: 'too_small', min, inclusive: issue.inclusive === false ? 0 : 1 };
    case 'too_big':
      if (max === undefined) return { problem: 'invalid' };
      if (issue.origin === 'string') return { problem: 'too_long', max };
      if (issue.origin === 'array') return { problem: 'too_many', max };
      return { problem: 'too_big', max };
    case 'invalid_type':
      return { problem: issue.expected === 'int' ? 'not_integer' : 'bad_type' };
    case 'invalid_format':
      if (issue.message.startsWith('must be HH:MM')) return { problem: 'bad_time' };
      if (issue.message.includes('YYYY-MM-DD')) return { problem: 'bad_date' };
      if (issue.message.includes('letters, digits')) return { problem: 'bad_id' };
      return { problem: 'bad_format' };
    case 'invalid_value':
      return { problem: 'bad_choice' };
    case 'unrecognized_keys':
      return { problem: 'unknown_field', keys: (issue.keys ?? []).join(', ') };
    case 'invalid_key':
      return { problem: 'bad_id' };
    default:
      return { problem: 'invalid' };
  }
}

type Texts = Readonly<Record<SettingProblem, (p: ParamReader) => string>>;

const JA: Texts = {
  too_small: (p) =>
    p('inclusive') === '0' ? `${p('min')}より大きい数にしてください` : `${p('min')}以上にしてください`,
  too_big: (p) => `${p('max')}以下にしてください`,
  not_integer: () => '整数で入力してください',
  bad_type: () => '数値で入力してください',
  bad_time: () => '時刻は HH:MM（00:00〜23:59）で入力してください',
  bad_date: () => '日付は YYYY-MM-DD（毎年なら MM-DD）で入力してください',
  bad_id: () => 'IDは英数字・_・- で入力してください',
  bad_format: () => '形式が正しくありません',
  bad_choice: () => '選択肢から選んでください',
  end_before_start: () => '終了は開始より後にしてください',
  bands_overlap: () => '時間帯は分の順に、重ならないように並べてください',
  band_ids_unique: () => '時間帯のIDが重複しています',
  unknown_field: (p) => `知らない設定項目です（${p('keys')}）`,
  not_empty: () => '空にはできません',
  too_long: (p) => `${p('max')}文字までにしてください`,
  bad_text: () => '改行や制御文字は使えません',
  too_few: (p) => `${p('min')}件以上にしてください`,
  too_many: (p) => `${p('max')}件までにしてください`,
  time_zone_fixed: (p) => `タイムゾーンは変更できません（${p('timeZone')}）`,
  unknown_class: () => '名簿にないクラスです',
  invalid: () => '値が正しくありません',
};

const EN: Texts = {
  too_small: (p) =>
    p('inclusive') === '0' ? `Must be more than ${p('min')}` : `Must be at least ${p('min')}`,
  too_big: (p) => `Must be at most ${p('max')}`,
  not_integer: () => 'Enter a whole number',
  bad_type: () => 'Enter a number',
  bad_time: () => 'Enter a time as HH:MM (00:00–23:59)',
  bad_date: () => 'Enter a date as YYYY-MM-DD (or MM-DD for every year)',
  bad_id: () => 'Use letters, digits, _ or - only',
  bad_format: () => 'Not in the expected format',
  bad_choice: () => 'Choose one of the options',
  end_before_start: () => 'Must end after it starts',
  bands_overlap: () => 'Bands must be in order of minutes and must not overlap',
  band_ids_unique: () => 'Band ids must be unique',
  unknown_field: (p) => `Unknown setting (${p('keys')})`,
  not_empty: () => 'Must not be empty',
  too_long: (p) => `At most ${p('max')} characters`,
  bad_text: () => 'No line breaks or control characters',
  too_few: (p) => `At least ${p('min')} entries`,
  too_many: (p) => `At most ${p('max')} entries`,
  time_zone_fixed: (p) => `The time zone cannot change (${p('timeZone')})`,
  unknown_class: () => 'No such class on the roster',
  invalid: () => 'Not a valid value',
};

const TEXTS: Readonly<Record<MessageLang, Texts>> = { ja: JA, en: EN };

/** The problem's text alone, to show next to its field (the field's label says which). */
export function settingProblemText(lang: MessageLang, p: ParamReader): string {
  const problem = SETTING_PROBLEMS.find((x) => x === p('problem')) ?? 'invalid';
  return TEXTS[lang][problem](p);
}
