import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { ParentNoticeRequest } from '../../protocol/parent-notices.ts';
import type { ParentGuardianUpload } from '../../protocol/parents.ts';
import { expectErrorBody } from './error-body.ts';
import { SoftAuthenticator } from './soft-authenticator.ts';

/**
 * Driving the cloud's parent API over HTTP in tests: plain calls with a bearer token or the session
 * cookie, their error answers, a guardian's invitation, a passkey registration that yields a signed-in
 * cookie, and a parent's notice.
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

/** An error answer: `status`, and the error body of `code` (with these `params`, if given). */
export function expectApiError(
  reply: ApiReply,
  status: number,
  code: string,
  params?: Record<string, unknown>,
): void {
  expect(reply.status, JSON.stringify(reply.json)).toBe(status);
  expectErrorBody(reply.json, code);
  if (params !== undefined) expect(reply.json).toMatchObject({ error: { params } });
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

/** The session cookie a response set: its `genkan_parent=…` pair ('' without one), and its attributes. */
export function sessionCookie(reply: ApiReply): { pair: string; attributes: string } {
  const header = reply.headers.get('set-cookie') ?? '';
  const [pair = '', ...rest] = header.split(';').map((s) => s.trim());
  return { pair, attributes: rest.join('; ') };
}

/** Registers a passkey on `phone` with the invitation `token`: the session cookie of the signed-in parent. */
export async function registerPasskey(
  base: string,
  phone: SoftAuthenticator,
  token: string,
): Promise<string> {
  const options = await apiCall(base, 'POST', '/parent/api/register/options', {
    body: { invitation: token },
  });
  expect(options.status, JSON.stringify(options.json)).toBe(200);
  const response = phone.create(options.json as Parameters<SoftAuthenticator['create']>[0]);
  const done = await apiCall(base, 'POST', '/parent/api/register', { body: { invitation: token, response } });
  expect(done.status, JSON.stringify(done.json)).toBe(204);
  return sessionCookie(done).pair;
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
  return { cookie: await registerPasskey(base, phone, upload.token), phone };
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

/** A parent's absence of c-001 for 2026-04-02, sick with a fever of 38.2℃, under a new id. */
export function absenceRequest(overrides: Partial<ParentNoticeRequest> = {}): ParentNoticeRequest {
  return {
    id: randomUUID(),
    kind: 'absence',
    childIds: ['c-001'],
    date: '2026-04-02',
    reason: 'sick',
    symptoms: ['fever'],
    temperature: 38.2,
    ...overrides,
  };
}
