import { errorMessage } from '../../common/errors.ts';

/** What the relay's requests share: how failures and answers are read, never quoting what was sent. */

/**
 * A request's deadline: its own timeout, or `stopping` (the relay closing). Keep the object until the
 * answer is read (ask `timedOut` last): Node 20's AbortSignal.any() holds its inputs only weakly, and a
 * timeout signal collected before it fires never fires (nodejs/node#57736), leaving the request to
 * undici's own 300 s.
 */
export class RequestDeadline {
  readonly signal: AbortSignal;
  readonly #timeout: AbortSignal;

  constructor(timeoutMs: number, stopping: AbortSignal) {
    this.#timeout = AbortSignal.timeout(timeoutMs);
    this.signal = AbortSignal.any([this.#timeout, stopping]);
  }

  get timedOut(): boolean {
    return this.#timeout.aborted;
  }
}

/** Retry-After in ms (delta-seconds or HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * A failed request as the health report and the logs say it: the error's code or kind, never a body or
 * the events (no personal data), e.g. `network ECONNREFUSED`, `timeout`.
 */
export function networkReason(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return 'timeout';
  const cause: unknown = err instanceof Error ? err.cause : undefined;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') {
    return `network ${cause.code}`;
  }
  return `network ${errorMessage(err)}`;
}

/** ` CODE` of an error answer `{"error":{"code"}}`, or '' (for `HTTP 409 CODE`). */
export function errorCodeOf(body: unknown): string {
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const e = body.error;
    if (typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string') return ` ${e.code}`;
  }
  return '';
}

/** An answer's body as JSON; undefined when empty or not JSON. */
export function jsonOf(text: string): unknown {
  try {
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

/**
 * A request's outcome: taken (200, 204, with the answer's JSON body if any), or why not (status null: no
 * answer), with the cloud's Retry-After.
 */
export type JsonAnswer =
  | { ok: true; status: number; body: unknown }
  | { ok: false; status: number | null; reason: string; retryAfterMs?: number };
export type PutAnswer = JsonAnswer;

/** Where the hub's requests to the cloud go, with the hub token. */
export interface CloudTarget {
  baseUrl: string;
  token: string;
  timeoutMs: number;
  stopping: AbortSignal;
}

/** PUTs `body` as JSON to `baseUrl + path` with the hub token (the history's and parents' uploads). */
export function putJson(target: CloudTarget, path: string, body: unknown): Promise<JsonAnswer> {
  return requestJson(target, 'PUT', path, body);
}

/**
 * A request to `baseUrl + path` with the hub token, and a JSON body unless GET; the answer's JSON body
 * (GET /v1/hub/parent-messages, POST /v1/hub/parent-notices/read).
 */
export async function requestJson(
  target: CloudTarget,
  method: 'GET' | 'PUT' | 'POST',
  path: string,
  body?: unknown,
): Promise<JsonAnswer> {
  const deadline = new RequestDeadline(target.timeoutMs, target.stopping);
  try {
    const res = await fetch(`${target.baseUrl}${path}`, {
      method,
      headers: {
        ...(method !== 'GET' && { 'content-type': 'application/json' }),
        authorization: `Bearer ${target.token}`,
      },
      ...(method !== 'GET' && { body: JSON.stringify(body) }),
      signal: deadline.signal,
    });
    const text = await res.text();
    if (res.status === 200 || res.status === 204) return { ok: true, status: res.status, body: jsonOf(text) };
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    return {
      ok: false,
      status: res.status,
      reason: `HTTP ${String(res.status)}${errorCodeOf(jsonOf(text))}`,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  } catch (err) {
    return { ok: false, status: null, reason: deadline.timedOut ? 'timeout' : networkReason(err) };
  }
}

/**
 * The cloud's `200 {stored: false}` to a versioned upload: it kept the version it had (the same or a later
 * one). The relays then send their content again with the next version (a restored hub's are behind).
 */
export function notStored(body: unknown): boolean {
  return typeof body === 'object' && body !== null && 'stored' in body && body.stored === false;
}
