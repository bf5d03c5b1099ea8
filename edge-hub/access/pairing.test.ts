import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock, type Clock } from '../../common/time.ts';
import {
  decodePairingPayload,
  PairResponseSchema,
  topics,
  type PairingPayload,
  type Roster,
} from '../../protocol/index.ts';
import { addDevice, verifyDevice } from './devices.ts';
import type { RunningHubWithPlain } from '../hub.ts';
import { mqttHost } from '../http/api.ts';
import { FailureLimiter, issuePairingCode } from './pairing.ts';
import { HubStore } from '../store/hub-store.ts';
import {
  connect,
  provision,
  removeDir,
  startTestHub,
  waitForMessage,
  type TestSite,
} from '../../test/support/hub.ts';

describe('device pairing (POST /api/pair on a real hub)', () => {
  let site: TestSite;
  let hub: RunningHubWithPlain;
  let store: HubStore; // what `genkan device pair` does, from another connection while the hub runs
  let base: string;

  beforeAll(async () => {
    site = await provision(1);
    hub = await startTestHub(site);
    store = HubStore.open(site.dir);
    base = `http://127.0.0.1:${hub.ports.http}`;
  });
  afterAll(async () => {
    store.close();
    await hub.close();
    await removeDir(site.dir);
  });

  const issue = async (deviceId: string, options: { clock?: Clock; role?: 'kiosk' | 'tablet' } = {}) => {
    const issued = await issuePairingCode(store, deviceId, { hubUrl: `${base}/`, ...options });
    const payload = decodePairingPayload(issued.payload);
    if (!payload) throw new Error('undecodable pairing payload');
    return { issued, payload };
  };
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/api/pair`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const pair = (p: PairingPayload) => post({ deviceId: p.device, code: p.code });
  const INVALID = {
    error: { code: 'pairing_code_invalid', message: 'pairing code is unknown, used already or expired' },
  };

  it('issues a GKP1 payload naming the hub, and creates the device with a password nobody knows', async () => {
    const { issued, payload } = await issue('kiosk-9');
    expect(payload).toMatchObject({ hub: base, device: 'kiosk-9' });
    expect(payload.code).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(issued.role).toBe('kiosk');
    expect((Date.parse(issued.expires) - Date.now()) / 60_000).toBeCloseTo(15, 0);
    expect(store.devices.deviceRole('kiosk-9')).toBe('kiosk');
    // only a hash of the code is stored
    expect(JSON.stringify(store.db.prepare('SELECT * FROM pairing_codes').all())).not.toContain(payload.code);
    expect(store.audit.all().at(-1)).toMatchObject({
      actorKind: 'cli',
      action: 'device.pairing_code_issued',
      subject: 'device:kiosk-9',
    });
  });

  it('pairs: answers credentials once, which log in and receive the retained roster', async () => {
    const { payload } = await issue('kiosk-10');
    const res = await pair(payload);
    expect(res.status).toBe(200);
    const body = PairResponseSchema.parse(await res.json());
    expect(body).toMatchObject({
      deviceId: 'kiosk-10',
      facilityId: 'f1',
      mqttUrl: `mqtt://127.0.0.1:${hub.ports.mqtt}`,
    });
    const client = await connect(hub.ports.mqtt, { deviceId: body.deviceId, password: body.password });
    try {
      const roster = waitForMessage<Roster>(client, topics.roster('f1'));
      await client.subscribeAsync(topics.roster('f1'), { qos: 1 });
      expect((await roster).facilityId).toBe('f1');
    } finally {
      await client.endAsync();
    }
    expect(store.audit.all().at(-1)).toMatchObject({
      actorKind: 'device',
      actorId: 'kiosk-10',
      action: 'device.pair',
      deviceId: 'kiosk-10',
      outcome: 'ok',
    });
    // single use
    const again = await pair(payload);
    expect(again.status).toBe(401);
    expect(await again.json()).toEqual(INVALID);
  });

  it('rotates the password of an existing device when paired again', async () => {
    const old = site.devices[0];
    if (!old) throw new Error('no device');
    const { payload } = await issue(old.deviceId);
    // the code alone changes nothing yet
    expect(await verifyDevice(store, old.deviceId, old.password)).toBe(true);
    const body = PairResponseSchema.parse(await (await pair(payload)).json());
    expect(await verifyDevice(store, old.deviceId, old.password)).toBe(false);
    expect(await verifyDevice(store, old.deviceId, body.password)).toBe(true);
    expect(store.devices.deviceRole(old.deviceId)).toBe('kiosk');
  });

  it("refuses a tablet's set-up code and leaves it for the tablet (tablets have no MQTT login)", async () => {
    const { payload } = await issue('tab-7', { role: 'tablet' });
    const res = await pair(payload);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: {
        code: 'forbidden',
        message: 'this pairing code sets up a tablet: open its link on the tablet',
      },
    });
    expect(store.devices.livePairingCodes('tab-7', new Date())).toHaveLength(1);
  });

  it('refuses an expired code, a wrong device and an unknown code alike', async () => {
    const expired = await issue('kiosk-11', { clock: fixedClock(new Date(Date.now() - 16 * 60_000)) });
    const res = await pair(expired.payload);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(INVALID);

    const { payload } = await issue('kiosk-12');
    const wrong = await post({ deviceId: 'kiosk-11', code: payload.code });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual(INVALID);
    const unknown = await post({ deviceId: 'kiosk-12', code: 'A'.repeat(32) });
    expect(await unknown.json()).toEqual(INVALID);
    // none of this used the code up
    expect((await pair(payload)).status).toBe(200);
  });

  it('gives exactly one of two simultaneous requests with the same code the credentials', async () => {
    const { payload } = await issue('kiosk-13');
    const answers = await Promise.all([pair(payload), pair(payload)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 401]);
    const ok = answers.find((r) => r.status === 200);
    const body = PairResponseSchema.parse(await ok?.json());
    expect(await verifyDevice(store, 'kiosk-13', body.password)).toBe(true);
    expect(
      store.audit.all().filter((a) => a.action === 'device.pair' && a.actorId === 'kiosk-13'),
    ).toHaveLength(1);
  });

  it('refuses a bad body with 400, an unknown media type with 415, a large one with 413; no token needed', async () => {
    for (const body of [
      {},
      { deviceId: 'kiosk-9' },
      { deviceId: 'kiosk-9', code: 'short' },
      '[1]',
      '{"x":',
    ]) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'bad_request' } });
    }
    const text = await post('x', { 'content-type': 'text/plain' });
    expect(text.status).toBe(400);
    const xml = await post('<pair/>', { 'content-type': 'application/xml' });
    expect(xml.status).toBe(415);
    expect(await xml.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
    const large = await post({ deviceId: 'kiosk-9', code: 'A'.repeat(32), pad: 'x'.repeat(2000) });
    expect(large.status).toBe(413);
    expect(await large.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    // the admin token is still required everywhere else
    expect((await fetch(`${base}/api/pair`)).status).toBe(401);
  });
});

describe('pairing rate limit', () => {
  it('answers 429 with Retry-After after 10 failures from one address, even to a good code', async () => {
    const site = await provision(0);
    const hub = await startTestHub(site);
    const store = HubStore.open(site.dir);
    try {
      const base = `http://127.0.0.1:${hub.ports.http}`;
      const issued = await issuePairingCode(store, 'kiosk-1', { hubUrl: base });
      const payload = decodePairingPayload(issued.payload);
      const post = (code: string) =>
        fetch(`${base}/api/pair`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ deviceId: 'kiosk-1', code }),
        });
      for (let i = 0; i < 10; i++)
        expect((await post(`wrong-code-${String(i).padStart(20, '0')}`)).status).toBe(401);
      const limited = await post(payload?.code ?? '');
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(await limited.json()).toMatchObject({ error: { code: 'too_many_requests' } });
      // the good code was not used up by the refused attempt
      expect(store.devices.livePairingCodes('kiosk-1', new Date())).toHaveLength(1);
    } finally {
      store.close();
      await hub.close();
      await removeDir(site.dir);
    }
  });

  it('counts failures per address in a sliding window', () => {
    let now = Date.parse('2026-04-01T00:00:00Z');
    const limiter = new FailureLimiter({ now: () => new Date(now) }, 3, 60_000);
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfter('a')).toBeUndefined();
      limiter.fail('a');
      now += 10_000;
    }
    expect(limiter.retryAfter('a')).toBe(30);
    expect(limiter.retryAfter('b')).toBeUndefined();
    now += 30_000;
    expect(limiter.retryAfter('a')).toBeUndefined();
  });
});

describe('issuePairingCode and mqttHost', () => {
  it('refuses a bad hub URL, device id or expiry', async () => {
    const site = await provision(0);
    const store = HubStore.open(site.dir);
    try {
      await expect(issuePairingCode(store, 'k1', { hubUrl: 'ftp://hub' })).rejects.toMatchObject({
        code: 'bad_hub_url',
      });
      await expect(issuePairingCode(store, 'bad/id', { hubUrl: 'http://hub:8080' })).rejects.toMatchObject({
        code: 'bad_device_id',
      });
      // The hub's own id for the events of past-day corrections.
      await expect(issuePairingCode(store, 'hub-admin', { hubUrl: 'http://hub:8080' })).rejects.toMatchObject(
        { code: 'bad_device_id' },
      );
      await expect(addDevice(store, 'hub-admin', 'kiosk')).rejects.toMatchObject({ code: 'bad_device_id' });
      await expect(
        issuePairingCode(store, 'k1', { hubUrl: 'http://hub:8080', minutes: 0 }),
      ).rejects.toMatchObject({ code: 'bad_minutes' });
      expect(store.devices.deviceRole('k1')).toBeUndefined();
    } finally {
      store.close();
      await removeDir(site.dir);
    }
  });

  it('takes the host the device used, IPv6 in brackets', () => {
    expect(mqttHost('hub.local:8080', '10.0.0.2')).toBe('hub.local');
    expect(mqttHost('192.168.1.10', '10.0.0.2')).toBe('192.168.1.10');
    expect(mqttHost('[fe80::1]:8080', '10.0.0.2')).toBe('[fe80::1]');
    expect(mqttHost(undefined, '::1')).toBe('[::1]');
    expect(mqttHost('evil/host:80', '::ffff:10.0.0.2')).toBe('10.0.0.2');
  });
});
