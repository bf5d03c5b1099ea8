import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEventId } from '../common/ids.ts';
import { formatRfc3339 } from '../common/time.ts';
import { AckSchema, type Ack } from '../protocol/index.ts';
import { tempDir, type GenkanProcess } from './support/process.ts';
import {
  cloudEvents,
  hubEvents,
  provisionSite,
  startCloud,
  startHub,
  testDates,
  type Site,
} from './support/site.ts';

/**
 * Bad input gets its documented error and changes nothing, and the services keep serving, against the
 * real hub and cloud processes.
 */
describe('bad input at hub and cloud', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  let hub: GenkanProcess;
  let cloud: GenkanProcess;
  let client: MqttClient;
  let httpPort: number;
  let cloudPort: number;
  const acks: Ack[] = [];
  const startedAt = new Date();
  let seq = 0;

  const deviceId = () => site.devices[0]?.deviceId ?? '';
  const eventsTopic = () => `genkan/v1/${site.facilityId}/devices/${deviceId()}/events`;
  const event = (overrides: Record<string, unknown> = {}) => ({
    id: newEventId(),
    type: 'check_in',
    childId: 'c001',
    occurredAt: formatRfc3339(new Date(), 'Asia/Tokyo'),
    deviceId: deviceId(),
    seq: ++seq,
    method: 'card',
    actor: 'g001',
    ...overrides,
  });

  /** Publishes and resolves with the next ack on the device's acks topic. */
  async function publish(payload: string | Buffer): Promise<Ack> {
    const count = acks.length;
    const next = new Promise<Ack>((res, rej) => {
      const timer = setTimeout(() => {
        rej(new Error('no ack within 10 s'));
      }, 10_000);
      const check = () => {
        const ack = acks[count];
        if (ack) {
          clearTimeout(timer);
          client.off('message', check);
          res(ack);
        }
      };
      client.on('message', check);
    });
    await client.publishAsync(eventsTopic(), payload, { qos: 1 });
    return next;
  }

  beforeAll(async () => {
    dir = await tempDir();
    site = await provisionSite(dir.path, { kiosks: 1, children: 3 });
    cloud = startCloud(site);
    cloudPort = Number((await cloud.ready())['http']);
    // No relay here: the cloud is checked on its own, so its counts change only by what this test posts.
    hub = startHub(site);
    const ready = await hub.ready();
    httpPort = Number(ready['http']);
    const device = site.devices[0];
    if (!device) throw new Error('no device');
    client = await mqtt.connectAsync(`mqtt://127.0.0.1:${String(ready['mqtt'])}`, {
      protocolVersion: 4,
      username: device.deviceId,
      password: device.password,
      clientId: device.deviceId,
      reconnectPeriod: 0,
    });
    client.on('message', (_topic, payload) => {
      acks.push(AckSchema.parse(JSON.parse(payload.toString())));
    });
    await client.subscribeAsync(`genkan/v1/${site.facilityId}/devices/${device.deviceId}/acks`, { qos: 1 });
  });
  afterAll(async () => {
    await client.endAsync();
    await hub.stop();
    await cloud.stop();
    await dir.remove();
  });

  it.each([
    ['malformed JSON', '{"id": ', 'invalid_json'],
    ['not an object', '[1,2,3]', 'invalid_payload'],
    ['an empty batch', '{"events":[]}', 'invalid_payload'],
  ])('%s is rejected with %s', async (_name, payload, code) => {
    const ack = await publish(payload);
    expect(ack).toEqual({ acked: [], rejected: [{ id: null, code, message: expect.any(String) as string }] });
  });

  it.each([
    ['wrong types', { seq: 'one' }, 'invalid_event'],
    ['an unknown field', { colour: 'red' }, 'invalid_event'],
    ['a bad timestamp', { occurredAt: '2026-04-01 08:00' }, 'invalid_event'],
    ['an unknown child', { childId: 'nobody' }, 'unknown_child'],
    ["another device's id", { deviceId: 'kiosk-9' }, 'device_mismatch'],
  ])('an event with %s is rejected with %s', async (_name, overrides, code) => {
    const e = event(overrides);
    const ack = await publish(JSON.stringify(e));
    expect(ack.acked).toEqual([]);
    expect(ack.rejected).toEqual([{ id: e.id, code, message: expect.any(String) as string }]);
  });

  it('rejects a payload over 64 KiB', async () => {
    const ack = await publish(JSON.stringify(event({ note: 'x'.repeat(70 * 1024) })));
    expect(ack.rejected).toEqual([
      { id: null, code: 'payload_too_large', message: expect.any(String) as string },
    ]);
  });

  it('rejects a batch of 501', async () => {
    const ack = await publish(JSON.stringify({ events: Array.from({ length: 501 }, () => event()) }));
    expect(ack.rejected).toEqual([
      { id: null, code: 'batch_too_large', message: expect.any(String) as string },
    ]);
  });

  it('stores the good events of a batch with a bad one, and nothing of the bad input', async () => {
    const good = [event(), event({ childId: 'c002', actor: 'g002' })];
    const bad = event({ childId: 'nobody' });
    const ack = await publish(JSON.stringify({ events: [good[0], bad, good[1]] }));
    expect(ack.acked).toEqual(good.map((e) => e.id));
    expect(ack.rejected.map((r) => [r.id, r.code])).toEqual([[bad.id, 'unknown_child']]);
    // The hub still serves, and holds exactly the two good events.
    const stored = await hubEvents(site, httpPort, testDates(startedAt));
    expect(stored.map((e) => e.id).sort()).toEqual(good.map((e) => e.id).sort());
  });

  it('refuses the HTTP API without or with a wrong admin token', async () => {
    const url = `http://127.0.0.1:${httpPort}/api/rollcall`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${httpPort}/healthz`)).status).toBe(200);
    const bad = await fetch(`http://127.0.0.1:${httpPort}/api/events?date=2026-02-30`, {
      headers: { authorization: `Bearer ${site.adminToken}` },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBeTypeOf('string');
  });

  describe('cloud', () => {
    const post = (body: string, token: string | undefined, contentType = 'application/json') => {
      const headers: Record<string, string> = { 'content-type': contentType };
      if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
      return fetch(`http://127.0.0.1:${cloudPort}/v1/batches`, { method: 'POST', headers, body });
    };
    const batch = (events: unknown[], facilityId = site.facilityId) =>
      JSON.stringify({ hubId: 'hub1', facilityId, events });

    it.each([
      ['no token', undefined, 401, 'unauthorized'],
      ['a wrong token', 'hub1.wrong', 401, 'unauthorized'],
    ])('answers a batch with %s with %i', async (_name, token, status, code) => {
      const res = await post(batch([event()]), token);
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    });

    it('answers 403 for a facility the token does not own', async () => {
      const res = await post(batch([event()], 'other-facility'), site.hubToken);
      expect(res.status).toBe(403);
    });

    it.each([
      ['malformed JSON', '{"hubId":', 400],
      ['a batch of 501', null, 400],
      ['a body over the size limit', 'big', 413],
    ])('answers %s with %i and stores nothing', async (name, body, status) => {
      const before = (await cloudEvents(site, cloudPort, testDates(startedAt))).length;
      let payload = body ?? batch(Array.from({ length: 501 }, () => event()));
      if (body === 'big') payload = batch([event({ note: 'x'.repeat(3 * 1024 * 1024) })]);
      const res = await post(payload, site.hubToken);
      expect(res.status, name).toBe(status);
      const after = (await cloudEvents(site, cloudPort, testDates(startedAt))).length;
      expect(after).toBe(before);
    });
  });
});
