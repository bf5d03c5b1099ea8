/**
 * The family chooser's kana rows (あ行 … わ行): a guardian is listed under the row of the first kana of
 * their family name reading, taken from their children's kana on the roster (the first child with one).
 * Katakana counts as hiragana, voiced and small kana as their plain kana (が → か, ぱ → は, ゃ → や).
 * Anything else (no kana on the roster, Latin letters, ー) goes under わ, which the screen labels
 * "わ・他" (その他): every guardian is reachable.
 */

export const KANA_ROWS = ['あ', 'か', 'さ', 'た', 'な', 'は', 'ま', 'や', 'ら', 'わ'] as const;
export type KanaRow = (typeof KANA_ROWS)[number];

/** The row of guardians whose family kana fits none of the others. */
export const OTHER_ROW: KanaRow = 'わ';

const ROW_MEMBERS: Readonly<Record<KanaRow, string>> = {
  あ: 'あいうえおぁぃぅぇぉ',
  か: 'かきくけこゕゖ',
  さ: 'さしすせそ',
  た: 'たちつてとっ',
  な: 'なにぬねの',
  は: 'はひふへほ',
  ま: 'まみむめも',
  や: 'やゆよゃゅょ',
  ら: 'らりるれろ',
  わ: 'わゐゑをんゎ',
};

const ROW_BY_KANA = new Map<string, KanaRow>(
  KANA_ROWS.flatMap((row) => Array.from(ROW_MEMBERS[row], (k) => [k, row] as const)),
);

/** Katakana ァ–ヶ to hiragana ぁ–ゖ; anything else unchanged. */
function toHiragana(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return code >= 0x30a1 && code <= 0x30f6 ? String.fromCodePoint(code - 0x60) : ch;
}

/** The row of a kana reading by its first character (わ for anything that is not kana). */
export function kanaRowOf(kana: string): KanaRow {
  // NFKC first turns half-width katakana into full-width; NFD then splits off dakuten and handakuten.
  const first = Array.from(kana.trim().normalize('NFKC'))[0];
  if (first === undefined) return OTHER_ROW;
  const base = Array.from(toHiragana(first).normalize('NFD'))[0] ?? '';
  return ROW_BY_KANA.get(base) ?? OTHER_ROW;
}

/** A family's reading: the kana of the first child that has one (children in roster order), or ''. */
export function familyKanaOf(children: readonly { kana: string }[]): string {
  return children.find((c) => c.kana.trim() !== '')?.kana.trim() ?? '';
}
