import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.ts';
import { fixedClock } from '../common/time.ts';
import type { AttendanceEvent } from '../protocol/index.ts';
import { ParentPushPayloadSchema, PushKeySchema } from '../protocol/parent-push.ts';
import { sampleEvent } from '../test/contract/cloud-store.ts';
import { sqliteBackend } from '../test/support/cloud.ts';
import { capturingLogger } from '../test/support/logs.ts';
import {
  apiCall,
  expectApiError as expectError,
  parentInvitation,
  signedInParent,
  type ApiCallOptions,
  type ApiReply,
} from '../test/support/parent-api.ts';
import { NO_PARENT_APP, startParentCloud, type ParentTestCloud } from '../test/support/parent-test-cloud.ts';
import { TestPushService, type TestSubscription } from '../test/support/push-endpoint.ts';
import { until } from '../test/support/wait.ts';
import { startCloud, type CloudOptions } from './server.ts';

/**
 * Web Push to parents (issue 17, slice 2), in-process on SQLite: the parent routes under /parent/api/push/
 * with a passkey session (test/support/soft-authenticator.ts), and check-ins uploaded by a hub (POST
 * /v1/batches) reaching a local push service (test/support/push-endpoint.ts) that checks the VAPID header
 * and decrypts the payload as a browser's push service and the browser would. The store's own contract
 * runs on both backends (test/contract/cloud-store-push.ts).
 */

const NOW = new Date('2026-04-01T10:00:00+09:00');

interface Harness extends ParentTestCloud {
  logs: string[];
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function pushService(): Promise<TestPushService> {
  const service = await TestPushService.start();
  open.push(service);
  return service;
}

async function harness(options: Partial<CloudOptions> = {}): Promise<Harness> {
  const { logger, lines: logs } = capturingLogger();
  const h = await startParentCloud({ clock: fixedClock(NOW), pushAllowInsecure: true, logger, ...options });
  const harnessed = { ...h, logs };
  open.push(harnessed);
  return harnessed;
}

const call = (h: Harness, method: string, path: string, options?: ApiCallOptions): Promise<ApiReply> =>
  apiCall(h.base, method, path, options);

/** Invites the guardian of `childIds` (as the hub uploads it) and registers a passkey: the session cookie. */
async function signedInGuardian(h: Harness, guardianId: string, childIds: string[]): Promise<string> {
  return (await signedInParent(h.base, h.hub, guardianId, parentInvitation(1, childIds))).cookie;
}

async function subscribe(h: Harness, cookie: string, subscription: TestSubscription): Promise<ApiReply> {
  return call(h, 'POST', '/parent/api/push/subscriptions', { body: subscription, cookie });
}

async function upload(h: Harness, events: AttendanceEvent[]): Promise<void> {
  const reply = await call(h, 'POST', '/v1/batches', {
    body: { hubId: 'hub-a', facilityId: 'fac-a', events },
    token: h.hub,
  });
  expect(reply.status, JSON.stringify(reply.json)).toBe(200);
  expect((reply.json as { rejected: unknown[] }).rejected).toStrictEqual([]);
}

const checkIn = (childId: string, time = '08:05'): AttendanceEvent =>
  sampleEvent({ childId, occurredAt: `2026-04-01T${time}:00.000+09:00` });

describe('Web Push of check-ins and check-outs', () => {
  it('sends a check-in of the guardian’s own child, encrypted and signed, and nothing to another guardian', async () => {
    const h = await harness();
    const service = await pushService();
    const g1 = await signedInGuardian(h, 'g-1', ['c-001', 'c-002']);
    const g2 = await signedInGuardian(h, 'g-2', ['c-003']);
    const key = await call(h, 'GET', '/parent/api/push/key', { cookie: g1 });
    expect(key.status).toBe(200);
    const { publicKey } = PushKeySchema.parse(key.json);
    const phone1 = service.subscribe();
    const phone2 = service.subscribe();
    expect((await subscribe(h, g1, phone1)).status).toBe(204);
    expect((await subscribe(h, g2, phone2)).status).toBe(204);

    await upload(h, [checkIn('c-001')]);
    const first = await service.waitFor((p) => p.endpoint === phone1.endpoint);
    expect(ParentPushPayloadSchema.parse(JSON.parse(first.payload))).toStrictEqual({
      title: 'ひまわり保育園',
      body: '山田 花子さんが登園しました 8:05',
      url: '/parent/',
      tag: 'c-001',
    });
    expect(first).toMatchObject({ vapidKey: publicKey, ttl: '3600', urgency: 'high' });

    await upload(h, [
      sampleEvent({ type: 'check_out', childId: 'c-003', occurredAt: '2026-04-01T09:32:00+09:00' }),
    ]);
    const second = await service.waitFor((p) => p.endpoint === phone2.endpoint);
    expect(JSON.parse(second.payload)).toMatchObject({
      body: '鈴木 次郎さんが降園しました 9:32',
      tag: 'c-003',
    });
    expect(service.payloadsOf(phone1.endpoint)).toHaveLength(1);
    expect(service.payloadsOf(phone2.endpoint)).toHaveLength(1);
    expect(service.refused).toStrictEqual([]);
    // The send is recorded on the subscription.
    await until(
      async () =>
        (await h.store.push.subscriptionsOf({ facilityId: 'fac-a', guardianId: 'g-1' }))[0]?.lastSuccessAt,
      'the delivery recorded',
    );
    // The VAPID keys were made once and kept: another cloud process on the database offers the same key.
    const other = await startCloud({
      dataDir: h.dataDir,
      clock: fixedClock(NOW),
      port: 0,
      host: '127.0.0.1',
      logger: silentLogger(),
      parentRateLimit: null,
      parentApp: () => Promise.resolve(NO_PARENT_APP),
    });
    try {
      const res = await fetch(`http://127.0.0.1:${String(other.port)}/parent/api/push/key`, {
        headers: { cookie: g1 },
      });
      expect(PushKeySchema.parse(await res.json()).publicKey).toBe(publicKey);
    } finally {
      await other.close();
    }
  });

  it('pushes only today’s news: not yesterday’s, not a voided tap, not an absence', async () => {
    const h = await harness();
    const service = await pushService();
    const g1 = await signedInGuardian(h, 'g-1', ['c-001', 'c-002']);
    const phone = service.subscribe();
    expect((await subscribe(h, g1, phone)).status).toBe(204);
    const mistaken = checkIn('c-002', '08:10');
    await upload(h, [
      sampleEvent({ childId: 'c-001', occurredAt: '2026-03-31T08:05:00+09:00' }),
      mistaken,
      sampleEvent({ type: 'void', childId: 'c-002', voids: mistaken.id, method: 'staff', actor: 'staff-1' }),
      sampleEvent({ type: 'absent', childId: 'c-001', method: 'staff', actor: 'staff-1' }),
      // Nobody subscribed for this one.
      checkIn('c-003'),
    ]);
    // A later tap comes through; nothing of the batch before it did.
    await upload(h, [checkIn('c-002', '09:00')]);
    await service.waitFor((p) => p.payload.includes('9:00'));
    expect(
      service.payloadsOf(phone.endpoint).map((p) => (JSON.parse(p) as { body: string }).body),
    ).toStrictEqual(['佐藤 一郎さんが登園しました 9:00']);
  });

  it('deletes a subscription the push service calls gone, and counts other failures', async () => {
    const h = await harness();
    const service = await pushService();
    const g1 = await signedInGuardian(h, 'g-1', ['c-001']);
    const gone = service.subscribe();
    const failing = service.subscribe();
    expect((await subscribe(h, g1, gone)).status).toBe(204);
    expect((await subscribe(h, g1, failing)).status).toBe(204);
    service.answer(gone.endpoint, 410);
    service.answer(failing.endpoint, 500);
    await upload(h, [checkIn('c-001')]);
    const who = { facilityId: 'fac-a', guardianId: 'g-1' };
    const left = await until(async () => {
      const subs = await h.store.push.subscriptionsOf(who);
      return subs.length === 1 && subs[0]?.failures === 1 ? subs : undefined;
    }, 'the gone subscription deleted and the failure counted');
    expect(left[0]?.endpoint).toBe(failing.endpoint);
    // Logs name endpoints by a hash prefix only, and no child's name.
    const logs = h.logs.join('');
    expect(logs).toContain('push subscription gone: deleted');
    expect(logs).toContain('push refused by the push service');
    expect(logs).not.toContain(service.origin);
    expect(logs).not.toContain('山田');
  });
});

describe('the push routes', () => {
  it('refuse to start with a push contact that is no mailto: or https: URL', async () => {
    const backend = await sqliteBackend();
    open.push({ close: () => backend.remove() });
    await expect(
      startCloud({
        ...backend.location,
        port: 0,
        host: '127.0.0.1',
        logger: silentLogger(),
        pushContact: 'ops@example.jp',
      }),
    ).rejects.toMatchObject({ code: 'invalid_push_contact' });
  });

  it('need a signed-in parent', async () => {
    const h = await harness();
    const service = await pushService();
    expectError(await call(h, 'GET', '/parent/api/push/key'), 401, 'not_signed_in');
    expectError(await subscribe(h, 'genkan_parent=nope', service.subscribe()), 401, 'not_signed_in');
    expectError(
      await call(h, 'DELETE', '/parent/api/push/subscriptions', {
        body: { endpoint: 'https://x.example/1' },
      }),
      401,
      'not_signed_in',
    );
  });

  it('refuse malformed subscriptions, and plain http or local endpoints without the option', async () => {
    const h = await harness({ pushAllowInsecure: false });
    const service = await pushService();
    const g1 = await signedInGuardian(h, 'g-1', ['c-001']);
    const sub = service.subscribe();
    expectError(await subscribe(h, g1, sub), 400, 'push_endpoint_insecure');
    expectError(
      await subscribe(h, g1, { ...sub, endpoint: `https://127.0.0.1:${String(service.port)}/push/1` }),
      400,
      'push_endpoint_insecure',
    );
    expectError(
      await subscribe(h, g1, { ...sub, endpoint: 'https://localhost/push/1' }),
      400,
      'push_endpoint_insecure',
    );
    expectError(await subscribe(h, g1, { ...sub, keys: { ...sub.keys, auth: 'short' } }), 400, 'bad_request');
    expectError(
      await call(h, 'POST', '/parent/api/push/subscriptions', {
        body: { endpoint: sub.endpoint },
        cookie: g1,
      }),
      400,
      'bad_request',
    );
    const who = { facilityId: 'fac-a', guardianId: 'g-1' };
    expect(await h.store.push.subscriptionsOf(who)).toStrictEqual([]);
    expect((await subscribe(h, g1, { ...sub, endpoint: 'https://push.example.com/send/abc' })).status).toBe(
      204,
    );
    expect((await h.store.push.subscriptionsOf(who)).map((s) => s.endpoint)).toStrictEqual([
      'https://push.example.com/send/abc',
    ]);
  });

  it('keep ten subscriptions per guardian, unsubscribe, and audit both', async () => {
    const h = await harness();
    const service = await pushService();
    const g1 = await signedInGuardian(h, 'g-1', ['c-001']);
    const subs = Array.from({ length: 11 }, () => service.subscribe());
    for (const s of subs) expect((await subscribe(h, g1, s)).status).toBe(204);
    const who = { facilityId: 'fac-a', guardianId: 'g-1' };
    const stored = (await h.store.push.subscriptionsOf(who)).map((s) => s.endpoint);
    expect(stored).toHaveLength(10);
    expect(stored).not.toContain(subs[0]?.endpoint);
    const last = subs[10]?.endpoint ?? '';
    const removed = await call(h, 'DELETE', '/parent/api/push/subscriptions', {
      body: { endpoint: last },
      cookie: g1,
    });
    expect(removed.status).toBe(204);
    // Again: already gone, still 204.
    expect(
      (await call(h, 'DELETE', '/parent/api/push/subscriptions', { body: { endpoint: last }, cookie: g1 }))
        .status,
    ).toBe(204);
    expect((await h.store.push.subscriptionsOf(who)).map((s) => s.endpoint)).not.toContain(last);
    const audit = await h.store.parentNotices.auditLog('fac-a', 50);
    expect(audit.filter((a) => a.action === 'push.subscribe' && a.outcome === 'ok')).toHaveLength(11);
    expect(audit.filter((a) => a.action === 'push.unsubscribe')).toHaveLength(2);
    expect(JSON.stringify(audit)).not.toContain(service.origin);
  });

  it('a revoked guardian’s subscriptions are deleted, and the routes sign them out', async () => {
    const h = await harness();
    const service = await pushService();
    const g1 = await signedInGuardian(h, 'g-1', ['c-001']);
    expect((await subscribe(h, g1, service.subscribe())).status).toBe(204);
    const revoke = parentInvitation(2, ['c-001'], { invitation: null, revoked: true }).upload;
    expect((await call(h, 'PUT', '/v1/hub/parents/g-1', { body: revoke, token: h.hub })).status).toBe(200);
    expect(await h.store.push.subscriptionsOf({ facilityId: 'fac-a', guardianId: 'g-1' })).toStrictEqual([]);
    expectError(await call(h, 'GET', '/parent/api/push/key', { cookie: g1 }), 401, 'not_signed_in');
  });
});
