import {
  done,
  isUnauthorized as isHttpUnauthorized,
  parsed,
  request as requestOf,
  type ApiFailure as HttpFailure,
  type ApiResult as HttpResult,
} from '../../../ui/http-client.ts';

/**
 * The cloud's parent API as the app calls it: the apps' HTTP client (ui/http-client.ts: same-origin, the
 * HttpOnly session cookie, a timeout on every request, failures as values), and the passkey dialog's own
 * failures, so that every screen has something to say.
 */

export type ApiFailure =
  | HttpFailure
  /** The browser's passkey dialog failed: cancelled, timed out, or no passkey for this site. */
  | { readonly kind: 'passkey'; readonly code: string }
  /** This browser cannot do WebAuthn at all. */
  | { readonly kind: 'unsupported' }
  /** Notifications refused in the browser's settings, or its push service did not answer. */
  | { readonly kind: 'push'; readonly reason: 'denied' | 'failed' };

export type ApiResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: ApiFailure };

const TIMEOUT_MS = 15_000;

/** One request to the parent API; `json` is sent as the body when given. */
export function request(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  json?: unknown,
): Promise<HttpResult<Response>> {
  return requestOf(method, path, json === undefined ? undefined : { json }, TIMEOUT_MS);
}

export { done, parsed };

/** The session is gone: expired, signed out, or the facility revoked the parent's access. */
export function isUnauthorized(failure: ApiFailure): boolean {
  return (
    failure.kind !== 'passkey' &&
    failure.kind !== 'unsupported' &&
    failure.kind !== 'push' &&
    isHttpUnauthorized(failure)
  );
}
