import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeJson, decodeStoredJson } from './decode.ts';

const Schema = z.strictObject({ id: z.string(), n: z.number().int() });

describe('decodeJson', () => {
  it('gives the value of JSON that fits the schema', () => {
    expect(decodeJson(Schema, '{"id":"a","n":1}')).toEqual({ ok: true, value: { id: 'a', n: 1 } });
  });

  it('says not_json for text that does not parse', () => {
    for (const text of ['', '{', 'undefined', '\uFEFF{"id":"a","n":1}']) {
      expect(decodeJson(Schema, text), text).toEqual({
        ok: false,
        problem: 'not_json',
        message: expect.any(String) as unknown,
      });
    }
  });

  it("carries the JSON parser's message for text that does not parse", () => {
    let syntaxError = '';
    try {
      JSON.parse('{"id":');
    } catch (err) {
      syntaxError = (err as SyntaxError).message;
    }
    expect(syntaxError).not.toBe('');
    expect(decodeJson(Schema, '{"id":')).toEqual({ ok: false, problem: 'not_json', message: syntaxError });
  });

  it('says invalid, with the parsed JSON and zod error, for JSON that does not fit', () => {
    const r = decodeJson(Schema, '{"id":"a","n":1.5}');
    expect(r).toMatchObject({ ok: false, problem: 'invalid', json: { id: 'a', n: 1.5 } });
    if (r.ok || r.problem !== 'invalid') throw new Error('expected invalid');
    expect(r.error.issues[0]?.path).toEqual(['n']);
    expect(decodeJson(Schema, 'null')).toMatchObject({ ok: false, problem: 'invalid', json: null });
  });
});

describe('decodeStoredJson', () => {
  it('gives the value, and throws for corrupt text or a value that no longer fits', () => {
    expect(decodeStoredJson(Schema, '{"id":"a","n":1}')).toEqual({ id: 'a', n: 1 });
    expect(() => decodeStoredJson(Schema, '{"id":')).toThrow(SyntaxError);
    expect(() => decodeStoredJson(Schema, '{"id":"a"}')).toThrow(z.ZodError);
  });
});
