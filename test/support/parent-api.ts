import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { ParentGuardianUpload } from '../../protocol/parents.ts';
import { SoftAuthenticator } from './soft-authenticator.ts';

/**
 * Driving the cloud's parent API over HTTP in tests: plain calls with a bearer token or the session
 * cookie, a guardian's invitation, and a passkey registration that yields a signed-in cookie.
 */

export interface ApiReply {
  status: number;
  json: unknown;
  headers: Headers;
}

export interface ApiCallOptions {
  body?: unknown;
  /** A bearer token (hub, organisation, admin). */
  token?: string;
  /** `genkan_parent=…` */
  cookie?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export async function apiCall(
  base: string,
  method: string,
  path: string,
  options: ApiCallOptions = {},
): Promise<ApiReply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  if (options.cookie !== undefined) headers['cookie'] = options.cookie;
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    // Not JSON.
  }
  return { status: res.status, json, headers: res.headers };
}

/** A new invitation token and the hub's upload (version `version`) of a guardian of `childIds`. */
export function parentInvitation(
  version: number,
  childIds: string[],
  overrides: Partial<ParentGuardianUpload> = {},
): { token: string; upload: ParentGuardianUpload } {
  const token = randomBytes(32).toString('base64url');
  return {
    token,
    upload: {
      version,
      name: '山田 太郎',
      childIds,
      invitation: {
        tokenHash: createHash('sha256').update(token).digest('hex'),
        expires: '2099-01-01T00:00:00+09:00',
      },
      revoked: false,
      ...overrides,
    },
  };
}

/** The `genkan_parent=…` pair a response set; '' without one. */
export function sessionCookieOf(reply: ApiReply): string {
  const header = reply.headers.get('set-cookie') ?? '';
  return header.split(';')[0]?.trim() ?? '';
}

/** A parent signed in with a passkey: the session cookie, and the phone holding the passkey. */
export interface SignedInParent {
  cookie: string;
  phone: SoftAuthenticator;
}

/**
 * Uploads the guardian with an invitation (as its hub does) and registers a passkey on a software
 * authenticator with it: the session cookie of the signed-in parent.
 */
export async function signedInParent(
  base: string,
  hubToken: string,
  guardianId: string,
  upload: { token: string; upload: ParentGuardianUpload },
): Promise<SignedInParent> {
  const put = await apiCall(base, 'PUT', `/v1/hub/parents/${guardianId}`, {
    body: upload.upload,
    token: hubToken,
  });
  expect(put.status, JSON.stringify(put.json)).toBe(200);
  const phone = new SoftAuthenticator(base);
  const options = await apiCall(base, 'POST', '/parent/api/register/options', {
    body: { invitation: upload.token },
  });
  expect(options.status, JSON.stringify(options.json)).toBe(200);
  const response = phone.create(options.json as Parameters<SoftAuthenticator['create']>[0]);
  const done = await apiCall(base, 'POST', '/parent/api/register', {
    body: { invitation: upload.token, response },
  });
  expect(done.status, JSON.stringify(done.json)).toBe(204);
  return { cookie: sessionCookieOf(done), phone };
}

/** Signs in with the passkey on `phone`; `challenge` replaces the one the cloud issued (a forgery). */
export async function passkeySignIn(
  base: string,
  phone: SoftAuthenticator,
  challenge?: string,
): Promise<ApiReply> {
  const options = await apiCall(base, 'POST', '/parent/api/login/options', { body: {} });
  expect(options.status).toBe(200);
  const request = options.json as Parameters<SoftAuthenticator['get']>[0];
  const response = phone.get(request, undefined, challenge === undefined ? undefined : { challenge });
  return apiCall(base, 'POST', '/parent/api/login', { body: { response } });
}
