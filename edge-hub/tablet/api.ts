import {
  SessionInfoSchema,
  TabletRollcallSchema,
  type SessionInfo,
  type SignInRequest,
  type TabletAction,
  type TabletDeviceRequest,
  type TabletRollcall,
} from '../../protocol/tablet.ts';

/**
 * The hub's HTTP API as the tablet uses it. Cookies are HttpOnly and set by the hub, so every request is
 * same-origin with credentials; answers are validated like push frames. Failures are values, not throws,
 * so that the screen always has something to say.
 */

export type ApiFailure =
  | { readonly kind: 'network' }
  /** The hub answered with an error: its HTTP status, typed code and, for 429, the wait in seconds. */
  | {
      readonly kind: 'http';
      readonly status: number;
      readonly code: string;
      readonly message: string;
      readonly retryAfterSeconds: number | null;
    }
  /** The hub answered 2xx with a body that does not match the contract. */
  | { readonly kind: 'invalid' };

export type ApiResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: ApiFailure };

const TIMEOUT_MS = 10_000;

async function failureOf(res: Response): Promise<ApiFailure> {
  let code = 'http_' + String(res.status);
  let message = res.statusText;
  try {
    const body: unknown = await res.json();
    if (typeof body === 'object' && body !== null && 'error' in body) {
      const error = body.error;
      if (typeof error === 'object' && error !== null) {
        const e = error as { code?: unknown; message?: unknown };
        if (typeof e.code === 'string') code = e.code;
        if (typeof e.message === 'string') message = e.message;
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
    retryAfterSeconds: Number.isFinite(retry) && retry > 0 ? retry : null,
  };
}

async function request(method: string, path: string, body?: unknown): Promise<ApiResult<Response>> {
  try {
    const init: RequestInit = {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    };
    if (body !== undefined) {
      init.headers = { 'content-type': 'application/json' };
      init.body = JSON.stringify(body);
    }
    const res = await fetch(new URL(path, window.location.origin), init);
    if (!res.ok) return { ok: false, failure: await failureOf(res) };
    return { ok: true, value: res };
  } catch {
    return { ok: false, failure: { kind: 'network' } };
  }
}

async function parsed<T>(
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

const done = (result: ApiResult<Response>): ApiResult<null> =>
  result.ok ? { ok: true, value: null } : result;

export async function setUpDevice(body: TabletDeviceRequest): Promise<ApiResult<null>> {
  return done(await request('POST', '/api/tablet/device', body));
}

export async function getSession(): Promise<ApiResult<SessionInfo>> {
  return parsed(await request('GET', '/api/session'), SessionInfoSchema);
}

export async function signIn(body: SignInRequest): Promise<ApiResult<SessionInfo>> {
  return parsed(await request('POST', '/api/session', body), SessionInfoSchema);
}

export async function signOut(): Promise<ApiResult<null>> {
  return done(await request('DELETE', '/api/session'));
}

export async function getRollcall(): Promise<ApiResult<TabletRollcall>> {
  return parsed(await request('GET', '/api/tablet/rollcall'), TabletRollcallSchema);
}

export async function postAction(action: TabletAction): Promise<ApiResult<null>> {
  return done(await request('POST', '/api/tablet/actions', action));
}

export async function putStaffOnDuty(classId: string, count: number): Promise<ApiResult<null>> {
  return done(await request('PUT', `/api/tablet/classes/${encodeURIComponent(classId)}/staff`, { count }));
}

/** The session is gone (expired, signed out elsewhere, or the tablet's set-up was revoked). */
export function isUnauthorized(failure: ApiFailure): boolean {
  return failure.kind === 'http' && failure.status === 401;
}

/**
 * A v4 UUID for an action id. crypto.randomUUID exists only in secure contexts, and a hub on the LAN is
 * often plain http://192.168…, so fall back to getRandomValues (available everywhere).
 */
export function newActionId(): string {
  if (typeof crypto.randomUUID === 'function' && window.isSecureContext) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
