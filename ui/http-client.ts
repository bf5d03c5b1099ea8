/**
 * The HTTP APIs as the browser apps call them (the hub's for the staff tablet and the admin app, the
 * cloud's for the parent app): same-origin requests with the HttpOnly cookies the server sets, a timeout
 * on every request, and answers checked against the contract. Failures are values, not throws, so that
 * every screen always has something to say.
 */

export type ApiFailure =
  | { readonly kind: 'network' }
  /**
   * The server answered with an error: its HTTP status, typed code, the params the apps word it from
   * (protocol/error-catalogue.ts; empty when none) and, for 429, the wait in seconds.
   */
  | {
      readonly kind: 'http';
      readonly status: number;
      readonly code: string;
      readonly message: string;
      readonly params: Readonly<Record<string, string | number>>;
      readonly retryAfterSeconds: number | null;
    }
  /** The server answered 2xx with a body that does not match the contract. */
  | { readonly kind: 'invalid' };

export type ApiResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: ApiFailure };

/** A request body: JSON, CSV text, or a file's bytes as they are (a roster file, with its type). */
export type Body = { json: unknown } | { csv: string } | { file: Blob };

async function failureOf(res: Response): Promise<ApiFailure> {
  let code = 'http_' + String(res.status);
  let message = res.statusText;
  const params: Record<string, string | number> = {};
  try {
    const body: unknown = await res.json();
    if (typeof body === 'object' && body !== null && 'error' in body) {
      const error = body.error;
      if (typeof error === 'object' && error !== null) {
        const e = error as { code?: unknown; message?: unknown; params?: unknown };
        if (typeof e.code === 'string') code = e.code;
        if (typeof e.message === 'string') message = e.message;
        if (typeof e.params === 'object' && e.params !== null) {
          for (const [k, v] of Object.entries(e.params)) {
            if (typeof v === 'string' || typeof v === 'number') params[k] = v;
          }
        }
      }
    }
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  const retry = Number(res.headers.get('retry-after'));
  return {
    kind: 'http',
    status: res.status,
    code,
    message,
    params,
    retryAfterSeconds: Number.isFinite(retry) && retry > 0 ? retry : null,
  };
}

export async function request(
  method: string,
  path: string,
  body: Body | undefined,
  timeoutMs: number,
): Promise<ApiResult<Response>> {
  try {
    const init: RequestInit = {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      signal: AbortSignal.timeout(timeoutMs),
    };
    if (body !== undefined && 'json' in body) {
      init.headers = { 'content-type': 'application/json' };
      init.body = JSON.stringify(body.json);
    } else if (body !== undefined && 'file' in body) {
      init.headers = { 'content-type': body.file.type === '' ? 'application/octet-stream' : body.file.type };
      init.body = body.file;
    } else if (body !== undefined) {
      init.headers = { 'content-type': 'text/csv; charset=utf-8' };
      init.body = body.csv;
    }
    const res = await fetch(new URL(path, window.location.origin), init);
    if (!res.ok) return { ok: false, failure: await failureOf(res) };
    return { ok: true, value: res };
  } catch {
    return { ok: false, failure: { kind: 'network' } };
  }
}

/** The answer's JSON, checked against a schema (zod's safeParse). */
export async function parsed<T>(
  result: ApiResult<Response>,
  schema: { safeParse: (v: unknown) => { success: true; data: T } | { success: false } },
): Promise<ApiResult<T>> {
  if (!result.ok) return result;
  try {
    const checked = schema.safeParse(await result.value.json());
    return checked.success ? { ok: true, value: checked.data } : { ok: false, failure: { kind: 'invalid' } };
  } catch {
    return { ok: false, failure: { kind: 'invalid' } };
  }
}

/** An answer whose body does not matter. */
export const done = (result: ApiResult<Response>): ApiResult<null> =>
  result.ok ? { ok: true, value: null } : result;

/** The session is gone (expired, signed out elsewhere, or the set-up was revoked). */
export function isUnauthorized(failure: ApiFailure): boolean {
  return failure.kind === 'http' && failure.status === 401;
}
