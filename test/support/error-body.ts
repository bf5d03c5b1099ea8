import { expect } from 'vitest';

/**
 * An HTTP error body as common/http-errors.ts sends it: `{error:{code,message,params?}}`, `params` (the
 * field and the like, for the apps' messages) only when the error has any, and nothing else.
 */
export function expectErrorBody(body: unknown, code: string): void {
  expect(body).toMatchObject({ error: { code, message: expect.any(String) as string } });
  const error = (body as { error: Record<string, unknown> }).error;
  expect(Object.keys(body as object)).toEqual(['error']);
  expect(Object.keys(error).filter((k) => !['code', 'message', 'params'].includes(k))).toEqual([]);
}
