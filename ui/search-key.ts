/**
 * A name as typed into a search box (the kiosk's guardian search, the tablet's roll-call search): NFKC
 * (full-width letters, half-width kana), lower case, katakana as hiragana, no spaces, so that ヤマダ,
 * やまだ and ﾔﾏﾀﾞ all find やまだ.
 */
export function searchKey(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u30a1-\u30f6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60))
    .replace(/[\s\u3000]+/g, '');
}
