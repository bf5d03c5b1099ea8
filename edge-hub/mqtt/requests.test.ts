import type { MqttClient } from 'mqtt';
import { newEventId } from '../../common/ids.ts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  credentialHash,
  credentialLookupHashSync,
  DeviceResponseSchema,
  RosterSchema,
  topics,
  type DeviceResponse,
  type Roster,
} from '../../protocol/index.ts';
import { addDevice } from '../access/devices.ts';
import type { RunningHubWithPlain } from '../hub.ts';
import { HubStore } from '../store/hub-store.ts';
import {
  connect,
  provision,
  removeDir,
  startTestHub,
  waitForClose,
  waitForMessage,
  type TestSite,
} from '../../test/support/hub.ts';

describe('device requests over MQTT (real hub, mqtt.js): card enrolment', () => {
  let site: TestSite;
  let hub: RunningHubWithPlain;
  let store: HubStore; // a second connection, to see what was committed
  let tablet: { deviceId: string; password: string };
  let client: MqttClient;
  /** Every message the kiosk received, in order. */
  let received: { topic: string; json: unknown }[];
  const requestsTopic = topics.requests('f1', 'kiosk-1');
  const responsesTopic = topics.responses('f1', 'kiosk-1');
  /** A card's hash as the roster's scheme makes it (a kiosk holding a roster of this hub). */
  const card = (uid: string) => credentialLookupHashSync(store.facility.meta(), { kind: 'card', value: uid });
  const enroll = (overrides: Record<string, unknown> = {}) => ({
    id: newEventId(),
    op: 'enroll_card',
    guardianId: 'g003',
    credentialHash: card('aabbccdd'),
    hashAlg: 'scrypt-hmac-sha256',
    staffId: 's01',
    ...overrides,
  });

  beforeAll(async () => {
    site = await provision(2);
    const setup = HubStore.open(site.dir);
    tablet = await addDevice(setup, 'tablet-1', 'tablet');
    setup.close();
    hub = await startTestHub(site);
    store = HubStore.open(site.dir);
  });
  afterAll(async () => {
    store.close();
    await hub.close();
    await removeDir(site.dir);
  });
  beforeEach(async () => {
    received = [];
    const device = site.devices[0];
    if (!device) throw new Error('no kiosk');
    client = await connect(hub.ports.mqtt, device);
    client.on('message', (topic, payload) => {
      received.push({ topic, json: JSON.parse(payload.toString('utf8')) });
    });
    const retained = waitForMessage(client, topics.roster('f1'));
    await client.subscribeAsync([responsesTopic, topics.roster('f1')], { qos: 1 });
    await retained;
  });
  afterEach(async () => {
    await client.endAsync();
  });

  /** Publishes a request and resolves with the answer to `id`. */
  async function ask(payload: unknown, id: string): Promise<DeviceResponse> {
    const answer = waitForMessage<DeviceResponse>(client, responsesTopic, (r) => r.id === id);
    await client.publishAsync(requestsTopic, JSON.stringify(payload), { qos: 1 });
    return DeviceResponseSchema.parse(await answer);
  }

  it('enrols a card: commits, audits, republishes the roster with it, then answers', async () => {
    const version = store.roster.rosterVersion();
    const request = enroll();
    const response = await ask(request, request.id);
    expect(response).toEqual({ id: request.id, ok: true, rosterVersion: version + 1 });
    expect(store.roster.rosterVersion()).toBe(version + 1);

    // the retained roster carrying the card arrived before the answer
    const at = received.findIndex((m) => m.topic === responsesTopic);
    const roster = received
      .slice(0, at)
      .filter((m) => m.topic === topics.roster('f1'))
      .map((m) => RosterSchema.parse(m.json))
      .find((r) => r.version === version + 1);
    expect(roster?.guardians.find((g) => g.id === 'g003')?.credentials).toEqual([card('aabbccdd')]);

    // a device connecting later gets it retained
    const other = await connect(hub.ports.mqtt, site.devices[1]);
    try {
      const retained = waitForMessage<Roster>(other, topics.roster('f1'));
      await other.subscribeAsync(topics.roster('f1'), { qos: 1 });
      expect((await retained).version).toBe(version + 1);
    } finally {
      await other.endAsync();
    }

    const audit = store.audit.all().at(-1);
    expect(audit).toMatchObject({
      actorKind: 'staff',
      actorId: 's01',
      action: 'credential.enroll',
      subject: 'guardian:g003',
      deviceId: 'kiosk-1',
      outcome: 'ok',
    });
    expect(audit?.at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('answers a resent request id with the same answer and does nothing else', async () => {
    const request = enroll({ credentialHash: card('01010101'), staffId: null });
    const first = await ask(request, request.id);
    expect(first.ok).toBe(true);
    const version = store.roster.rosterVersion();
    const audits = store.audit.all().length;
    // also when the resend differs: the id is the request
    const again = await ask({ ...request, guardianId: 'g999' }, request.id);
    expect(again).toEqual(first);
    expect(store.roster.rosterVersion()).toBe(version);
    expect(store.audit.all()).toHaveLength(audits);
    expect(store.audit.all().at(-1)).toMatchObject({ actorKind: 'device', actorId: 'kiosk-1' });
  });

  it('refuses a card already registered to another guardian, changing nothing', async () => {
    const version = store.roster.rosterVersion();
    const fromFile = enroll({ guardianId: 'g001', credentialHash: card('0102030405060708') });
    expect(await ask(fromFile, fromFile.id)).toMatchObject({
      id: fromFile.id,
      ok: false,
      code: 'credential_in_use',
    });
    const request = enroll({ guardianId: 'g003', credentialHash: card('02020202') });
    expect((await ask(request, request.id)).ok).toBe(true);
    const enrolled = enroll({ guardianId: 'g001', credentialHash: card('02020202') });
    expect(await ask(enrolled, enrolled.id)).toMatchObject({ ok: false, code: 'credential_in_use' });
    expect(store.roster.rosterVersion()).toBe(version + 1);
    expect(store.audit.all().at(-1)).toMatchObject({
      outcome: 'credential_in_use',
      subject: 'guardian:g001',
    });
    // the same card for the same guardian again is fine (idempotent)
    const same = enroll({ guardianId: 'g003', credentialHash: card('02020202') });
    expect(await ask(same, same.id)).toEqual({ id: same.id, ok: true, rosterVersion: version + 1 });
  });

  it('makes the HMAC of a kiosk holding a roster from before migration 17 the slow hash', async () => {
    const hmac = credentialHash(store.facility.meta().credentialKey, { kind: 'card', value: '05050505' });
    const request = enroll({ credentialHash: hmac, hashAlg: undefined });
    expect((await ask(request, request.id)).ok).toBe(true);
    const hashes = store.roster.enrolledCredentials().map((e) => e.hash);
    expect(hashes).toContain(card('05050505'));
    expect(hashes).not.toContain(hmac);
  });

  it('refuses a guardian not on the roster', async () => {
    const version = store.roster.rosterVersion();
    const request = enroll({ guardianId: 'g999', credentialHash: card('03030303') });
    expect(await ask(request, request.id)).toEqual({
      id: request.id,
      ok: false,
      code: 'unknown_guardian',
      message: 'guardian g999 is not on the roster',
    });
    expect(store.roster.rosterVersion()).toBe(version);
    expect(store.roster.enrolledCredentials().map((e) => e.hash)).not.toContain(card('03030303'));
  });

  it('answers an invalid request with invalid_payload when it has an id, and drops it otherwise', async () => {
    const version = store.roster.rosterVersion();
    const audits = store.audit.all().length;
    const cardId = enroll({ credentialHash: '04A23B4C' });
    expect(await ask(cardId, cardId.id)).toMatchObject({
      id: cardId.id,
      ok: false,
      code: 'invalid_payload',
      message: expect.stringMatching(/^credentialHash:/) as string,
    });
    const unknownOp = { ...enroll(), op: 'delete_everything' };
    expect(await ask(unknownOp, unknownOp.id)).toMatchObject({ ok: false, code: 'invalid_payload' });
    // Without a readable id there is nobody to answer; the next request is answered first.
    await client.publishAsync(requestsTopic, '{"op":"enroll_card"', { qos: 1 });
    await client.publishAsync(requestsTopic, JSON.stringify({ ...enroll(), id: 'not-a-uuid' }), { qos: 1 });
    const next = enroll({ guardianId: 'g999' });
    expect(await ask(next, next.id)).toMatchObject({ code: 'unknown_guardian' });
    expect(received.filter((m) => m.topic === responsesTopic)).toHaveLength(3);
    expect(store.roster.rosterVersion()).toBe(version);
    // invalid requests are not enrolments: only the unknown_guardian one was audited
    expect(store.audit.all()).toHaveLength(audits + 1);
    expect(client.connected).toBe(true);
  });

  it('refuses a tablet: it has no MQTT login to send requests with', async () => {
    const version = store.roster.rosterVersion();
    await expect(connect(hub.ports.mqtt, tablet)).rejects.toMatchObject({ code: 5 });
    // the hub is still serving, and nothing was enrolled
    const request = enroll({ guardianId: 'g999' });
    expect((await ask(request, request.id)).ok).toBe(false);
    expect(store.roster.rosterVersion()).toBe(version);
  });

  it("refuses a kiosk publishing on another device's or another facility's requests topic", async () => {
    const c = await connect(hub.ports.mqtt, site.devices[1]);
    const closed = waitForClose(c);
    c.publish(requestsTopic, JSON.stringify(enroll({ credentialHash: card('06060606') })), { qos: 1 });
    await closed;
    await c.endAsync(true);
    // nor its own device id under another facility
    const d = await connect(hub.ports.mqtt, site.devices[1]);
    const dClosed = waitForClose(d);
    d.publish(
      topics.requests('f2', 'kiosk-2'),
      JSON.stringify(enroll({ credentialHash: card('06060606') })),
      {
        qos: 1,
      },
    );
    await dClosed;
    await d.endAsync(true);
    expect(store.roster.enrolledCredentials().map((e) => e.hash)).not.toContain(card('06060606'));
  });
});
