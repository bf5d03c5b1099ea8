import {
  errorText,
  paramReader,
  type MessageLang,
  type MessageParams,
  type ParamReader,
} from './error-catalogue.ts';
import { rosterEncodingText } from './roster-encoding-text.ts';

/**
 * The problems of a roster file (edge-hub/facility/roster-csv.ts, roster-file.ts, roster-job.ts), by code
 * with parameters, and their Japanese and English texts. A problem travels as {line, code, params, reason}
 * (protocol/admin.ts RosterProblemSchema): `reason` is English (the CLI, logs of the director's own
 * terminal), the admin app words `code` with `params`. Params never hold card numbers; they may hold ids,
 * names and cell values of the file, as they answer the director who sent it. Browser-safe.
 */

export const ROSTER_PROBLEM_CODES = [
  'not_csv',
  'empty_file',
  'no_children',
  'bad_header',
  'unknown_column',
  'duplicate_column',
  'columns_count',
  'bad_care_type',
  'bad_date',
  'date_order',
  'bad_id',
  'empty_field',
  'too_long',
  'bad_text',
  'bad_card',
  'class_renamed',
  'child_moved',
  'child_renamed',
  'care_type_differs',
  'dates_differ',
  'birth_date_differs',
  'guardian_renamed',
  'card_in_use',
  'roster_encoding',
  'internal',
] as const;
export type RosterProblemCode = (typeof ROSTER_PROBLEM_CODES)[number];

/** Each code's parameters (what its texts read). */
export interface RosterProblemParams {
  not_csv: Record<string, never>;
  empty_file: Record<string, never>;
  no_children: Record<string, never>;
  /** The fixed columns, and the optional ones that may follow. */
  bad_header: { expected: string; optional: string };
  unknown_column: { column: string; optional: string };
  duplicate_column: { column: string };
  columns_count: { expected: number; found: number };
  bad_care_type: { column: string; value: string };
  bad_date: { column: string; value: string };
  date_order: { enrolledOn: string; leftOn: string };
  bad_id: { column: string; value: string };
  empty_field: { column: string };
  too_long: { column: string; max: number };
  bad_text: { column: string; position: number };
  /** The card's place in its cell (1-based); the number itself is never echoed. */
  bad_card: { column: string; entry: number };
  class_renamed: { classId: string; name: string; otherName: string; otherLine: number };
  child_moved: { childId: string; classId: string; otherClassId: string; otherLine: number };
  child_renamed: { childId: string; otherLine: number };
  care_type_differs: { childId: string; careType: string; otherCareType: string; otherLine: number };
  dates_differ: { childId: string; otherLine: number };
  birth_date_differs: { childId: string; otherLine: number };
  guardian_renamed: { guardianId: string; otherLine: number };
  card_in_use: { column: string; guardianId: string; otherLine: number };
  /** Why the file was refused (RosterFileRefusalReason) and the encoding it was read with. */
  roster_encoding: { reason: string; assumed: string };
  internal: Record<string, never>;
}

/** Roster columns as the director knows them; the file's own header name follows in brackets. */
const COLUMN_JA: Readonly<Record<string, string>> = {
  class_id: 'クラスID',
  class_name: 'クラス名',
  child_id: '園児ID',
  child_name: '園児名',
  child_kana: 'ふりがな',
  guardian_id: '保護者ID',
  guardian_name: '保護者名',
  card_uid: 'カード番号',
  care_type: '保育時間区分',
  enrolled_on: '入園日',
  left_on: '退園日',
  birth_date: '生年月日',
};

const colJa = (p: ParamReader) => {
  const c = p('column');
  const label = COLUMN_JA[c];
  return label === undefined ? c : `${label}（${c}）`;
};

const CARE_JA: Readonly<Record<string, string>> = { standard: '標準時間', short: '短時間' };
const careJa = (t: string) => CARE_JA[t] ?? t;

type Texts = Readonly<Record<RosterProblemCode, (p: ParamReader) => string>>;

const JA: Texts = {
  not_csv: () => 'CSVとして読めません（「"」の閉じ忘れなど）。Excelで保存し直してください。',
  empty_file: () => 'ファイルが空です。',
  no_children: () => '見出し行だけで、園児の行がありません。',
  bad_header: (p) =>
    `1行目の見出しが名簿の形式と違います。「${p('expected')}」で始めてください（続けて ${p('optional')} を任意の順で置けます）。`,
  unknown_column: (p) =>
    `見出しに知らない列「${p('column')}」があります。card_uid の後に置けるのは ${p('optional')} です（任意の順、各1回）。`,
  duplicate_column: (p) => `見出しに列 ${p('column')} が2回あります。`,
  columns_count: (p) => `列の数が違います（見出しは${p('expected')}列、この行は${p('found')}列）。`,
  bad_care_type: (p) =>
    `${colJa(p)}「${p('value')}」は使えません。standard（標準時間）か short（短時間）を書いてください（空欄は標準時間）。`,
  bad_date: (p) => `${colJa(p)}「${p('value')}」は日付ではありません（YYYY-MM-DD の形、または空欄）。`,
  date_order: (p) => `退園日（left_on）${p('leftOn')} が入園日（enrolled_on）${p('enrolledOn')} より前です。`,
  bad_id: (p) => `${colJa(p)}「${p('value')}」はIDに使えません（英数字・_・- の1〜64文字、空白なし）。`,
  empty_field: (p) => `${colJa(p)}が空です。`,
  too_long: (p) => `${colJa(p)}が長すぎます（${p('max')}文字まで）。`,
  bad_text: (p) => `${colJa(p)}に改行や制御文字が入っています（${p('position')}文字目）。`,
  bad_card: (p) =>
    `${colJa(p)}の${p('entry')}つ目がカード番号の形ではありません（16進数で4〜64桁、偶数桁）。`,
  class_renamed: (p) =>
    `クラス ${p('classId')} の名前「${p('name')}」が、${p('otherLine')}行目の「${p('otherName')}」と違います。`,
  child_moved: (p) =>
    `園児 ${p('childId')} のクラス ${p('classId')} が、${p('otherLine')}行目のクラス ${p('otherClassId')} と違います。`,
  child_renamed: (p) => `園児 ${p('childId')} の園児名かふりがなが、${p('otherLine')}行目と違います。`,
  care_type_differs: (p) =>
    `園児 ${p('childId')} の保育時間区分（${careJa(p('careType'))}）が、${p('otherLine')}行目（${careJa(p('otherCareType'))}）と違います。`,
  dates_differ: (p) => `園児 ${p('childId')} の入園日か退園日が、${p('otherLine')}行目と違います。`,
  birth_date_differs: (p) => `園児 ${p('childId')} の生年月日が、${p('otherLine')}行目と違います。`,
  guardian_renamed: (p) => `保護者 ${p('guardianId')} の保護者名が、${p('otherLine')}行目と違います。`,
  card_in_use: (p) =>
    `${colJa(p)}のカードは、${p('otherLine')}行目の保護者 ${p('guardianId')} がすでに使っています。`,
  roster_encoding: (p) => rosterEncodingText('ja', p),
  internal: () => '点検中に思わぬエラーが起きました。もう一度試してください。',
};

const EN: Texts = {
  not_csv: () => 'Not readable as CSV (a quote " left open?). Save it again from Excel.',
  empty_file: () => 'The file is empty.',
  no_children: () => 'The file has a header but no children.',
  bad_header: (p) =>
    `The header must start with ${p('expected')} (optionally followed by ${p('optional')} in any order).`,
  unknown_column: (p) =>
    `Unknown column "${p('column')}": after card_uid the header may have ${p('optional')} (in any order, each once).`,
  duplicate_column: (p) => `Column ${p('column')} appears twice in the header.`,
  columns_count: (p) => `Expected ${p('expected')} columns, found ${p('found')}.`,
  bad_care_type: (p) => `${p('column')} "${p('value')}" must be standard or short (or empty for standard).`,
  bad_date: (p) => `${p('column')} "${p('value')}" is not a date YYYY-MM-DD (or empty).`,
  date_order: (p) => `left_on ${p('leftOn')} is before enrolled_on ${p('enrolledOn')}.`,
  bad_id: (p) =>
    `${p('column')} "${p('value')}" is not a valid id (1–64 letters, digits, _ or -; no spaces).`,
  empty_field: (p) => `${p('column')} is empty.`,
  too_long: (p) => `${p('column')} is longer than ${p('max')} characters.`,
  bad_text: (p) =>
    `${p('column')} contains a line break or control character (at position ${p('position')}).`,
  bad_card: (p) => `${p('column')} entry ${p('entry')} is not a card UID (even number of 4–64 hex digits).`,
  class_renamed: (p) =>
    `Class ${p('classId')} is named "${p('name')}" here but "${p('otherName')}" on line ${p('otherLine')}.`,
  child_moved: (p) =>
    `Child ${p('childId')} is in class ${p('classId')} here but in class ${p('otherClassId')} on line ${p('otherLine')}.`,
  child_renamed: (p) => `Child ${p('childId')} has a different name or kana than on line ${p('otherLine')}.`,
  care_type_differs: (p) =>
    `Child ${p('childId')} has care_type ${p('careType')} here but ${p('otherCareType')} on line ${p('otherLine')}.`,
  dates_differ: (p) =>
    `Child ${p('childId')} has different enrolled_on or left_on than on line ${p('otherLine')}.`,
  birth_date_differs: (p) =>
    `Child ${p('childId')} has a different birth_date than on line ${p('otherLine')}.`,
  guardian_renamed: (p) => `Guardian ${p('guardianId')} has a different name than on line ${p('otherLine')}.`,
  card_in_use: (p) =>
    `A card in ${p('column')} is already used by guardian ${p('guardianId')} (line ${p('otherLine')}).`,
  roster_encoding: (p) => rosterEncodingText('en', p),
  internal: () => 'Something went wrong while checking the file. Try again.',
};

export const ROSTER_PROBLEM_TEXTS: Readonly<Record<MessageLang, Texts>> = { ja: JA, en: EN };

/** A problem as the hub sends it. */
export interface CodedRosterProblem {
  readonly line: number;
  readonly code: string;
  readonly params?: MessageParams | undefined;
  readonly reason: string;
}

/**
 * A problem's text in `lang`: a roster code's, else an error code's (a month closed since the check, …),
 * else the hub's English reason.
 */
export function rosterProblemText(lang: MessageLang, problem: CodedRosterProblem): string {
  const code = ROSTER_PROBLEM_CODES.find((c) => c === problem.code);
  if (code !== undefined) return ROSTER_PROBLEM_TEXTS[lang][code](paramReader(problem.params));
  return errorText(lang, problem.code, problem.params) ?? problem.reason;
}

/** 「3行目: …」 / "line 3: …": a problem with its line, as the CLI prints it. */
export function rosterProblemLine(lang: MessageLang, problem: CodedRosterProblem): string {
  const text = rosterProblemText(lang, problem);
  return lang === 'ja' ? `${String(problem.line)}行目: ${text}` : `line ${String(problem.line)}: ${text}`;
}
