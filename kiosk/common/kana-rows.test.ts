import { describe, expect, it } from 'vitest';
import { familyKanaOf, KANA_ROWS, kanaRowOf } from './kana-rows.ts';

describe('kana rows', () => {
  it('puts each plain kana in its row', () => {
    const firsts = [
      'あおい',
      'かな',
      'さくら',
      'たろう',
      'なな',
      'はると',
      'まい',
      'ゆうき',
      'りん',
      'わたる',
    ];
    expect(firsts.map(kanaRowOf)).toEqual([...KANA_ROWS]);
  });

  it('reads katakana, voiced, half-voiced, small and half-width kana as their plain kana', () => {
    expect(kanaRowOf('ガクト')).toBe('か');
    expect(kanaRowOf('ぱんだ')).toBe('は');
    expect(kanaRowOf('ぶんた')).toBe('は');
    expect(kanaRowOf('じゅん')).toBe('さ');
    expect(kanaRowOf('ヴィオラ')).toBe('あ');
    expect(kanaRowOf('ゃ')).toBe('や');
    expect(kanaRowOf('ﾀﾛｳ')).toBe('た');
    expect(kanaRowOf(' どんぐり')).toBe('た');
  });

  it('puts anything else under わ (その他)', () => {
    expect(kanaRowOf('')).toBe('わ');
    expect(kanaRowOf('Emma')).toBe('わ');
    expect(kanaRowOf('山田')).toBe('わ');
    expect(kanaRowOf('ー')).toBe('わ');
    expect(kanaRowOf('をかし')).toBe('わ');
  });

  it("takes the family's reading from the first child with kana", () => {
    expect(familyKanaOf([{ kana: '' }, { kana: ' さとう はな' }])).toBe('さとう はな');
    expect(familyKanaOf([])).toBe('');
  });
});
