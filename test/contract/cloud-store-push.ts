import { createECDH, randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { PushSubscriptionKeys, VapidKeyPair } from '../../cloud-relay/store/push-types.ts';
import type { CloudStore } from '../../cloud-relay/store/types.ts';
import type { ParentGuardianUpload } from '../../protocol/parents.ts';
import type { CloudStoreContext } from './cloud-store-fixtures.ts';

const NOW = new Date('2026-05-01T09:00:00Z');
const later = (ms: number): Date => new Date(NOW.getTime() + ms);
const G1 = { facilityId: 'fac-a', guardianId: 'g-1' };
const G2 = { facilityId: 'fac-a', guardianId: 'g-2' };

function guardian(overrides: Partial<ParentGuardianUpload> = {}): ParentGuardianUpload {
  return {
    version: 1,
    name: '山田 太郎',
    childIds: ['c-001', 'c-002'],
    invitation: null,
    revoked: false,
    ...overrides,
  };
}

let endpoints = 0;

/** A subscription as a browser makes one: a fresh endpoint, a P-256 public key and a 16-byte secret. */
function keys(endpoint?: string): PushSubscriptionKeys {
  endpoints += 1;
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    endpoint:
      endpoint ?? `https://push.example.com/send/${String(endpoints)}-${randomBytes(6).toString('hex')}`,
    p256dh: ecdh.getPublicKey().toString('base64url'),
    auth: randomBytes(16).toString('base64url'),
  };
}

function vapid(subject = 'mailto:ops@example.jp'): VapidKeyPair {
  return {
    publicKey: randomBytes(65).toString('base64url'),
    privateKey: randomBytes(32).toString('base64url'),
    subject,
  };
}

/** Web Push subscriptions and the VAPID keys (PushStore). Part of the CloudStore contract (cloud-store.ts). */
export function describePushContract(ctx: CloudStoreContext): void {
  describe('parent push', () => {
    describePush(ctx);
  });
}

function describePush(ctx: CloudStoreContext): void {
  let store: CloudStore;
  beforeEach(async () => {
    store = ctx.store;
    await store.addHub('hub-a', 'fac-a');
    await store.addHub('hub-b', 'fac-b');
    await store.parents.putGuardian('fac-a', 'hub-a', 'g-1', guardian());
    await store.parents.putGuardian('fac-a', 'hub-a', 'g-2', guardian({ childIds: ['c-003'] }));
  });

  const endpointsOf = async (who: typeof G1): Promise<string[]> =>
    (await store.push.subscriptionsOf(who)).map((s) => s.endpoint);

  it('stores a guardian’s subscription, and the same endpoint again replaces it', async () => {
    const first = keys();
    expect(await store.push.subscribe(G1, first, NOW, 10)).toBe(true);
    expect(await store.push.subscriptionsOf(G1)).toStrictEqual([
      { ...G1, ...first, createdAt: NOW.toISOString(), lastSuccessAt: null, failures: 0 },
    ]);
    await store.push.pushFailed('fac-a', first.endpoint);
    const renewed = { ...keys(first.endpoint) };
    expect(await store.push.subscribe(G1, renewed, later(1000), 10)).toBe(true);
    expect(await store.push.subscriptionsOf(G1)).toStrictEqual([
      { ...G1, ...renewed, createdAt: later(1000).toISOString(), lastSuccessAt: null, failures: 0 },
    ]);
    // Another parent signs in on the same browser: the endpoint is theirs now.
    expect(await store.push.subscribe(G2, renewed, later(2000), 10)).toBe(true);
    expect(await endpointsOf(G1)).toStrictEqual([]);
    expect(await endpointsOf(G2)).toStrictEqual([renewed.endpoint]);
  });

  it('stores nothing for an unknown or revoked guardian', async () => {
    expect(await store.push.subscribe({ facilityId: 'fac-a', guardianId: 'g-9' }, keys(), NOW, 10)).toBe(
      false,
    );
    expect(await store.push.subscribe({ facilityId: 'fac-b', guardianId: 'g-1' }, keys(), NOW, 10)).toBe(
      false,
    );
    await store.parents.putGuardian('fac-a', 'hub-a', 'g-1', guardian({ version: 2, revoked: true }));
    expect(await store.push.subscribe(G1, keys(), NOW, 10)).toBe(false);
    expect(await store.push.subscriptionsOf(G1)).toStrictEqual([]);
  });

  it('keeps a guardian’s newest subscriptions, replacing the oldest', async () => {
    const made = [keys(), keys(), keys(), keys()];
    for (const [i, k] of made.entries()) {
      expect(await store.push.subscribe(G1, k, later(i * 1000), 3)).toBe(true);
    }
    await store.push.subscribe(G2, keys(), NOW, 3);
    expect(await endpointsOf(G1)).toStrictEqual(made.slice(1).map((k) => k.endpoint));
    // Renewing the oldest makes it the newest; the cap holds.
    const oldest = made[1] ?? keys();
    await store.push.subscribe(G1, oldest, later(10_000), 3);
    expect(await endpointsOf(G1)).toStrictEqual([made[2], made[3], oldest].map((k) => k?.endpoint));
    // Another guardian's are not counted.
    expect(await endpointsOf(G2)).toHaveLength(1);
  });

  it('keeps the new subscription even when it is stamped as the oldest', async () => {
    await store.push.subscribe(G1, keys(), later(5000), 2);
    await store.push.subscribe(G1, keys(), later(5000), 2);
    const fresh = keys();
    await store.push.subscribe(G1, fresh, NOW, 2);
    expect(await endpointsOf(G1)).toContain(fresh.endpoint);
    expect(await endpointsOf(G1)).toHaveLength(2);
  });

  it('finds the subscriptions of the guardians of a child, not revoked, in the facility only', async () => {
    await store.parents.putGuardian('fac-a', 'hub-a', 'g-3', guardian({ childIds: ['c-001'] }));
    await store.parents.putGuardian('fac-b', 'hub-b', 'g-1', guardian());
    const g1 = keys();
    const g1b = keys();
    const g2 = keys();
    const g3 = keys();
    await store.push.subscribe(G1, g1, NOW, 10);
    await store.push.subscribe(G1, g1b, later(1), 10);
    await store.push.subscribe(G2, g2, NOW, 10);
    await store.push.subscribe({ facilityId: 'fac-a', guardianId: 'g-3' }, g3, NOW, 10);
    await store.push.subscribe({ facilityId: 'fac-b', guardianId: 'g-1' }, keys(), NOW, 10);

    const of = async (facilityId: string, childId: string): Promise<string[]> =>
      (await store.push.subscriptionsForChild(facilityId, childId)).map((s) => s.endpoint);
    expect(await of('fac-a', 'c-001')).toStrictEqual([g1.endpoint, g1b.endpoint, g3.endpoint]);
    expect(await of('fac-a', 'c-003')).toStrictEqual([g2.endpoint]);
    // A whole id, not a part of one.
    expect(await of('fac-a', 'c-00')).toStrictEqual([]);
    expect(await of('fac-c', 'c-001')).toStrictEqual([]);

    await store.parents.putGuardian('fac-a', 'hub-a', 'g-3', guardian({ version: 2, childIds: ['c-002'] }));
    expect(await of('fac-a', 'c-001')).toStrictEqual([g1.endpoint, g1b.endpoint]);
  });

  it('revoking a guardian deletes their subscriptions, and a new invitation does not bring them back', async () => {
    await store.push.subscribe(G1, keys(), NOW, 10);
    const other = keys();
    await store.push.subscribe(G2, other, NOW, 10);
    await store.parents.putGuardian('fac-a', 'hub-a', 'g-1', guardian({ version: 2, revoked: true }));
    expect(await store.push.subscriptionsOf(G1)).toStrictEqual([]);
    expect(await store.push.subscriptionsForChild('fac-a', 'c-001')).toStrictEqual([]);
    await store.parents.putGuardian('fac-a', 'hub-a', 'g-1', guardian({ version: 3 }));
    expect(await store.push.subscriptionsOf(G1)).toStrictEqual([]);
    expect(await endpointsOf(G2)).toStrictEqual([other.endpoint]);
  });

  it('unsubscribes only the guardian’s own endpoint', async () => {
    const mine = keys();
    await store.push.subscribe(G1, mine, NOW, 10);
    expect(await store.push.unsubscribe(G2, mine.endpoint)).toBe(false);
    expect(await endpointsOf(G1)).toStrictEqual([mine.endpoint]);
    expect(await store.push.unsubscribe(G1, mine.endpoint)).toBe(true);
    expect(await store.push.unsubscribe(G1, mine.endpoint)).toBe(false);
    expect(await endpointsOf(G1)).toStrictEqual([]);
  });

  it('records deliveries and failures, and removes a gone endpoint of its facility only', async () => {
    const k = keys();
    await store.parents.putGuardian('fac-b', 'hub-b', 'g-1', guardian());
    await store.push.subscribe(G1, k, NOW, 10);
    await store.push.subscribe({ facilityId: 'fac-b', guardianId: 'g-1' }, k, NOW, 10);
    await store.push.pushFailed('fac-a', k.endpoint);
    await store.push.pushFailed('fac-a', k.endpoint);
    expect((await store.push.subscriptionsOf(G1))[0]).toMatchObject({ failures: 2, lastSuccessAt: null });
    await store.push.pushDelivered('fac-a', k.endpoint, later(5000));
    expect((await store.push.subscriptionsOf(G1))[0]).toMatchObject({
      failures: 0,
      lastSuccessAt: later(5000).toISOString(),
    });
    expect(await store.push.removeEndpoint('fac-a', k.endpoint)).toBe(true);
    expect(await store.push.removeEndpoint('fac-a', k.endpoint)).toBe(false);
    expect(await endpointsOf(G1)).toStrictEqual([]);
    expect(await endpointsOf({ facilityId: 'fac-b', guardianId: 'g-1' })).toStrictEqual([k.endpoint]);
    // Unknown endpoints are no error.
    await store.push.pushFailed('fac-a', 'https://push.example.com/none');
    await store.push.pushDelivered('fac-a', 'https://push.example.com/none', NOW);
  });

  it('refuses malformed subscriptions', async () => {
    const good = keys();
    const bad: PushSubscriptionKeys[] = [
      { ...good, endpoint: 'not a url' },
      { ...good, endpoint: 'ftp://push.example.com/x' },
      { ...good, p256dh: randomBytes(65).toString('base64url').replace(/^./, 'A') },
      { ...good, p256dh: randomBytes(33).toString('base64url') },
      { ...good, auth: randomBytes(8).toString('base64url') },
      { ...good, auth: 'not base64!' },
    ];
    for (const k of bad) {
      await expect(store.push.subscribe(G1, k, NOW, 10), JSON.stringify(k)).rejects.toMatchObject({
        code: 'bad_request',
      });
    }
    await expect(store.push.subscribe({ ...G1, guardianId: 'g.1' }, good, NOW, 10)).rejects.toMatchObject({
      code: 'invalid_id',
    });
    await expect(store.push.subscribe(G1, good, NOW, 0)).rejects.toMatchObject({ code: 'bad_request' });
    expect(await store.push.subscriptionsOf(G1)).toStrictEqual([]);
  });

  it('keeps the first VAPID key pair: later candidates, even concurrent ones, get the stored pair', async () => {
    const first = vapid();
    expect(await store.push.vapidKeys(first, NOW)).toStrictEqual(first);
    expect(await store.push.vapidKeys(vapid('mailto:other@example.jp'), later(1))).toStrictEqual(first);
  });

  it('gives concurrent first callers one VAPID key pair', async () => {
    const all = await Promise.all(
      [vapid(), vapid(), vapid(), vapid()].map((c) => store.push.vapidKeys(c, NOW)),
    );
    for (const pair of all) expect(pair).toStrictEqual(all[0]);
  });
}
