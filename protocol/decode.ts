import type { z } from 'zod';

/**
 * Untrusted JSON text (an MQTT payload, a WebSocket frame, a scanned code) read against a schema. Pure, so
 * browser code can import it directly (not through index.ts).
 */

/**
 * The value, or why there is none: not JSON at all (with the parser's message), or JSON that fails the
 * schema (zod's error says how).
 */
export type JsonDecoded<T> =
  | { ok: true; value: T }
  | { ok: false; problem: 'not_json'; message: string }
  | { ok: false; problem: 'invalid'; json: unknown; error: z.ZodError };

export function decodeJson<T>(schema: z.ZodType<T>, text: string): JsonDecoded<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // JSON.parse throws only SyntaxError for a string argument.
    return { ok: false, problem: 'not_json', message: err instanceof Error ? err.message : String(err) };
  }
  const r = schema.safeParse(json);
  return r.success ? { ok: true, value: r.data } : { ok: false, problem: 'invalid', json, error: r.error };
}

/** The value of JSON text that was valid when stored; anything else is corruption and throws. */
export function decodeStoredJson<T>(schema: z.ZodType<T>, text: string): T {
  return schema.parse(JSON.parse(text));
}
