import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../common/time.ts';
import type { WebBundle } from '../common/web-bundle.ts';
import { ParentMeSchema, type ParentGuardianUpload } from '../protocol/parents.ts';
import { sampleEvent } from '../test/contract/cloud-store.ts';
import {
  apiCall,
  expectApiError as expectError,
  parentInvitation,
  passkeySignIn,
  registerPasskey,
  sessionCookie,
  type ApiCallOptions,
  type ApiReply,
} from '../test/support/parent-api.ts';
import { startParentCloud, type ParentTestCloud } from '../test/support/parent-test-cloud.ts';
import { SoftAuthenticator } from '../test/support/soft-authenticator.ts';
import type { CloudOptions } from './server.ts';

/**
 * The parent app at the cloud (issue 17, slice 1): the hub's guardian uploads (PUT /v1/hub/parents/G), passkey
 * registration with an invitation and sign-in (a software authenticator: test/support/soft-authenticator.ts),
 * the session cookie, GET /parent/api/me (own children only), revocation, rate limits, and the app's files.
 * In-process on SQLite; the store's own contract runs on both backends (test/contract/cloud-store-parents.ts).
 */

const NOW = new Date('2026-04-01T10:00:00+09:00');

type Harness = ParentTestCloud;

const open: Harness[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

const FAKE_APP: WebBundle = {
  files: new Map([
    [
      'index.html',
      { body: Buffer.from('<!doctype html><title>parent</title>'), type: 'text/html; charset=utf-8' },
    ],
    ['app.js', { body: Buffer.from('console.log(1)'), type: 'text/javascript; charset=utf-8' }],
  ]),
};

async function harness(options: Partial<CloudOptions> = {}): Promise<Harness> {
  const h = await startParentCloud({
    clock: fixedClock(NOW),
    parentApp: () => Promise.resolve(FAKE_APP),
    ...options,
  });
  open.push(h);
  return h;
}

const call = (h: Harness, method: string, path: string, options?: ApiCallOptions): Promise<ApiReply> =>
  apiCall(h.base, method, path, options);

async function putGuardian(h: Harness, guardianId: string, upload: ParentGuardianUpload): Promise<ApiReply> {
  return call(h, 'PUT', `/v1/hub/parents/${guardianId}`, { body: upload, token: h.hub });
}

describe('PUT /v1/hub/parents/GUARDIAN', () => {
  it('stores a guardian by version for the hub token’s facility', async () => {
    const h = await harness();
    const { upload } = parentInvitation(1, ['c-001']);
    const first = await putGuardian(h, 'g-1', upload);
    expect(first.status).toBe(200);
    expect(first.json).toStrictEqual({ stored: true });
    expect((await putGuardian(h, 'g-1', upload)).json).toStrictEqual({ stored: false, revoked: false });
    expect(await h.store.parents.getGuardian('fac-a', 'g-1')).toMatchObject({
      version: 1,
      childIds: ['c-001'],
    });
    // Not taken over a revocation: the answer says so (a restored hub then revokes too).
    await putGuardian(h, 'g-1', { ...upload, version: 2, invitation: null, revoked: true });
    expect((await putGuardian(h, 'g-1', upload)).json).toStrictEqual({ stored: false, revoked: true });
  });

  it('refuses strangers, organisations, bad ids and bad bodies', async () => {
    const h = await harness();
    const { upload } = parentInvitation(1, ['c-001']);
    expectError(await call(h, 'PUT', '/v1/hub/parents/g-1', { body: upload }), 401, 'unauthorized');
    expectError(
      await call(h, 'PUT', '/v1/hub/parents/g-1', { body: upload, token: h.org }),
      403,
      'forbidden',
    );
    expectError(await putGuardian(h, 'g.1', upload), 400, 'invalid_id');
    expectError(await putGuardian(h, 'g-1', { ...upload, version: 0 }), 400, 'bad_request');
    expectError(
      await call(h, 'PUT', '/v1/hub/parents/g-1', { body: { ...upload, extra: 1 }, token: h.hub }),
      400,
      'bad_request',
    );
    expect(await h.store.parents.getGuardian('fac-a', 'g-1')).toBeUndefined();
  });
});

describe('the parent API', () => {
  it('registers a passkey with an invitation and shows only the guardian’s own children today', async () => {
    const h = await harness();
    const g1 = parentInvitation(1, ['c-001', 'c-002']);
    const g2 = parentInvitation(1, ['c-003'], { name: '鈴木 花' });
    await putGuardian(h, 'g-1', g1.upload);
    await putGuardian(h, 'g-2', g2.upload);
    const checkIn = sampleEvent({ childId: 'c-001', occurredAt: '2026-03-31T23:05:00.000Z' });
    await h.store.insertBatch('fac-a', 'hub-a', [
      checkIn,
      sampleEvent({ childId: 'c-003', occurredAt: '2026-04-01T08:10:00.000+09:00' }),
      // Yesterday's check-in of c-002 does not make it present today.
      sampleEvent({ childId: 'c-002', occurredAt: '2026-03-31T08:10:00.000+09:00' }),
    ]);

    const phone = new SoftAuthenticator(h.base);
    const options = await call(h, 'POST', '/parent/api/register/options', { body: { invitation: g1.token } });
    expect(options.json).toMatchObject({
      rp: { name: 'ひまわり保育園', id: '127.0.0.1' },
      user: { name: '山田 太郎' },
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    });
    const response = phone.create(options.json as Parameters<SoftAuthenticator['create']>[0]);
    const done = await call(h, 'POST', '/parent/api/register', { body: { invitation: g1.token, response } });
    expect(done.status, JSON.stringify(done.json)).toBe(204);
    const cookie = sessionCookie(done);
    expect(cookie.pair).toMatch(/^genkan_parent=[A-Za-z0-9_-]{43}$/);
    expect(cookie.attributes).toBe('Path=/parent/; Max-Age=2592000; HttpOnly; SameSite=Strict');

    const me = await call(h, 'GET', '/parent/api/me', { cookie: cookie.pair });
    expect(me.status).toBe(200);
    expect(ParentMeSchema.parse(me.json)).toStrictEqual({
      facilityName: 'ひまわり保育園',
      date: '2026-04-01',
      guardian: { guardianId: 'g-1', name: '山田 太郎' },
      children: [
        {
          childId: 'c-001',
          name: '山田 花子',
          className: 'ひよこ組',
          status: 'present',
          checkInAt: '2026-04-01T08:05:00.000+09:00',
          checkOutAt: null,
          notices: [],
          pickup: null,
        },
        {
          childId: 'c-002',
          name: '佐藤 一郎',
          className: 'うさぎ組',
          status: 'not_arrived',
          checkInAt: null,
          checkOutAt: null,
          notices: [],
          pickup: null,
        },
      ],
    });
    expect(JSON.stringify(me.json)).not.toContain('c-003');
    expect(me.headers.get('cache-control')).toBe('no-store');

    // The link works once.
    expectError(
      await call(h, 'POST', '/parent/api/register/options', { body: { invitation: g1.token } }),
      401,
      'invitation_invalid',
    );
  });

  it('signs out, and signs in again with the passkey', async () => {
    const h = await harness();
    const g1 = parentInvitation(1, ['c-001']);
    await putGuardian(h, 'g-1', g1.upload);
    const phone = new SoftAuthenticator(h.base);
    const cookie = await registerPasskey(h.base, phone, g1.token);

    const out = await call(h, 'POST', '/parent/api/logout', { cookie });
    expect(out.status).toBe(204);
    expect(sessionCookie(out).attributes).toContain('Max-Age=0');
    expectError(await call(h, 'GET', '/parent/api/me', { cookie }), 401, 'not_signed_in');
    expectError(await call(h, 'GET', '/parent/api/me'), 401, 'not_signed_in');

    const login = await passkeySignIn(h.base, phone);
    expect(login.status, JSON.stringify(login.json)).toBe(204);
    const again = sessionCookie(login).pair;
    expect(again).not.toBe(cookie);
    const me = await call(h, 'GET', '/parent/api/me', { cookie: again });
    expect(me.status).toBe(200);
    expect((await h.store.parents.credentialsOf('fac-a', 'g-1'))[0]?.counter).toBe(1);
  });

  it('revocation signs the parent out and forgets the passkey', async () => {
    const h = await harness();
    const g1 = parentInvitation(1, ['c-001']);
    await putGuardian(h, 'g-1', g1.upload);
    const phone = new SoftAuthenticator(h.base);
    const cookie = await registerPasskey(h.base, phone, g1.token);
    expect((await call(h, 'GET', '/parent/api/me', { cookie })).status).toBe(200);

    await putGuardian(h, 'g-1', { ...g1.upload, version: 2, invitation: null, revoked: true });
    expectError(await call(h, 'GET', '/parent/api/me', { cookie }), 401, 'not_signed_in');
    expectError(await passkeySignIn(h.base, phone), 401, 'passkey_unknown');

    // A new invitation after the revocation works again.
    const fresh = parentInvitation(3, ['c-001']);
    await putGuardian(h, 'g-1', fresh.upload);
    expectError(
      await call(h, 'POST', '/parent/api/register/options', { body: { invitation: g1.token } }),
      401,
      'invitation_invalid',
    );
    const cookie2 = await registerPasskey(h.base, new SoftAuthenticator(h.base), fresh.token);
    expect((await call(h, 'GET', '/parent/api/me', { cookie: cookie2 })).status).toBe(200);
  });

  it('refuses responses for another origin, replayed challenges and unknown invitations', async () => {
    const h = await harness();
    const g1 = parentInvitation(1, ['c-001']);
    await putGuardian(h, 'g-1', g1.upload);
    const phone = new SoftAuthenticator(h.base);

    const options = await call(h, 'POST', '/parent/api/register/options', { body: { invitation: g1.token } });
    const creation = options.json as Parameters<SoftAuthenticator['create']>[0];
    const phished = phone.create(creation, { origin: 'https://evil.example' });
    expectError(
      await call(h, 'POST', '/parent/api/register', { body: { invitation: g1.token, response: phished } }),
      401,
      'passkey_failed',
    );
    // The challenge was used up by that attempt.
    const replay = phone.create(creation);
    expectError(
      await call(h, 'POST', '/parent/api/register', { body: { invitation: g1.token, response: replay } }),
      401,
      'passkey_failed',
    );
    expect(await h.store.parents.credentialsOf('fac-a', 'g-1')).toStrictEqual([]);
    expectError(
      await call(h, 'POST', '/parent/api/register/options', {
        body: { invitation: randomBytes(32).toString('base64url') },
      }),
      401,
      'invitation_invalid',
    );
    expectError(
      await call(h, 'POST', '/parent/api/register/options', { body: { invitation: 'short' } }),
      400,
      'bad_request',
    );

    // Sign-in: a signature over another challenge, and a replay of a used one.
    const laptop = new SoftAuthenticator(h.base);
    expect(await registerPasskey(h.base, laptop, g1.token)).not.toBe('');
    const login = await call(h, 'POST', '/parent/api/login/options', { body: {} });
    const request = login.json as Parameters<SoftAuthenticator['get']>[0];
    const forged = laptop.get(request, undefined, { challenge: randomBytes(32).toString('base64url') });
    expectError(
      await call(h, 'POST', '/parent/api/login', { body: { response: forged } }),
      401,
      'passkey_failed',
    );
    // The forged attempt did not use the challenge up; the first good answer does, a second is a replay.
    expect(
      (await call(h, 'POST', '/parent/api/login', { body: { response: laptop.get(request) } })).status,
    ).toBe(204);
    const good = laptop.get(request);
    expectError(
      await call(h, 'POST', '/parent/api/login', { body: { response: good } }),
      401,
      'passkey_failed',
    );
  });

  it('refuses POSTs from another origin and bodies over 16 KiB', async () => {
    const h = await harness();
    expectError(
      await call(h, 'POST', '/parent/api/login/options', {
        body: {},
        headers: { origin: 'https://evil.example' },
      }),
      403,
      'forbidden',
    );
    expect(
      (await call(h, 'POST', '/parent/api/login/options', { body: {}, headers: { origin: h.base } })).status,
    ).toBe(200);
    expectError(
      await call(h, 'POST', '/parent/api/login', { body: { response: { id: 'x'.repeat(17 * 1024) } } }),
      413,
      'payload_too_large',
    );
  });

  it('binds passkeys to the configured parent origin and marks its cookie Secure', async () => {
    const h = await harness({ parentOrigin: 'https://parents.example.jp' });
    const g1 = parentInvitation(1, ['c-001']);
    await putGuardian(h, 'g-1', g1.upload);
    const options = await call(h, 'POST', '/parent/api/register/options', { body: { invitation: g1.token } });
    expect(options.json).toMatchObject({ rp: { id: 'parents.example.jp' } });
    const creation = options.json as Parameters<SoftAuthenticator['create']>[0];
    // The request reached 127.0.0.1 (a proxy in front), the browser was at the parent origin.
    const phone = new SoftAuthenticator('https://parents.example.jp');
    const done = await call(h, 'POST', '/parent/api/register', {
      body: { invitation: g1.token, response: phone.create(creation) },
    });
    expect(done.status, JSON.stringify(done.json)).toBe(204);
    expect(sessionCookie(done).attributes).toContain('; Secure');
  });

  it('rate limits requests and failed sign-ins per client address', async () => {
    const h = await harness({ parentRateLimit: { perMinute: 8, failuresPerMinute: 2 } });
    const phone = new SoftAuthenticator(h.base);
    phone.create({ challenge: 'x', rp: {}, user: { id: 'u' } });
    // Two failed sign-ins (an unknown passkey), then attempts are refused.
    for (let i = 0; i < 2; i += 1) expectError(await passkeySignIn(h.base, phone), 401, 'passkey_unknown');
    const refused = await call(h, 'POST', '/parent/api/login', {
      body: { response: phone.get({ challenge: 'c' }) },
    });
    expectError(refused, 429, 'rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Other requests still pass until the request limit: 2×2 + 1 so far.
    for (let i = 0; i < 3; i += 1)
      expect((await call(h, 'POST', '/parent/api/login/options', { body: {} })).status).toBe(200);
    expectError(await call(h, 'GET', '/parent/api/me'), 429, 'rate_limited');
  });

  it('behind a trusted proxy, counts each parent’s own address; without it, X-Forwarded-For changes nothing', async () => {
    const limit = { perMinute: 2, failuresPerMinute: 1 };
    const from = (address: string) => ({ headers: { 'x-forwarded-for': address } });
    const options = (h: Harness, address: string) =>
      call(h, 'POST', '/parent/api/login/options', { body: {}, ...from(address) });

    // The proxy (here 127.0.0.1) is trusted: one parent over the limit leaves another one alone.
    const proxied = await harness({ parentRateLimit: limit, trustProxy: '127.0.0.1' });
    for (let i = 0; i < 2; i += 1) expect((await options(proxied, '203.0.113.7')).status).toBe(200);
    expectError(await options(proxied, '203.0.113.7'), 429, 'rate_limited');
    expect((await options(proxied, '198.51.100.20')).status).toBe(200);

    // Not trusted: the header is the client's word, so a new one each time does not escape the limit.
    const direct = await harness({ parentRateLimit: limit });
    for (let i = 0; i < 2; i += 1) expect((await options(direct, `203.0.113.${String(i)}`)).status).toBe(200);
    expectError(await options(direct, '198.51.100.20'), 429, 'rate_limited');
  });
});

describe('the parent app’s files', () => {
  it('serves the bundle under /parent/ with a strict CSP', async () => {
    const h = await harness();
    const page = await call(h, 'GET', '/parent/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect((await call(h, 'GET', '/parent/app.js')).status).toBe(200);
    expectError(await call(h, 'GET', '/parent/nope.js'), 404, 'not_found');
    expectError(await call(h, 'GET', '/parent/..%2Fcloud.sqlite'), 404, 'not_found');
    const bare = await fetch(`${h.base}/parent`, { redirect: 'manual' });
    expect(bare.status).toBe(308);
    expect(bare.headers.get('location')).toBe('/parent/');
  });

  it('answers 503 parent_app_unavailable without the app', async () => {
    const h = await harness({ parentApp: () => Promise.reject(new Error('not built')) });
    expectError(await call(h, 'GET', '/parent/'), 503, 'parent_app_unavailable');
  });
});
