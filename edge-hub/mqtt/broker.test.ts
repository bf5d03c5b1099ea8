import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RosterSchema, topics, type Ack, type Roster } from '../../protocol/index.ts';
import type { RunningHubWithPlain } from '../hub.ts';
import { importRoster } from '../facility/roster.ts';
import { HubStore } from '../store/hub-store.ts';
import {
  connect,
  makeEvent,
  provision,
  removeDir,
  ROSTER_HEADER,
  startTestHub,
  waitForClose,
  waitForMessage,
  type TestSite,
} from '../../test/support/hub.ts';

describe('hub broker: authentication and ACL', () => {
  let site: TestSite;
  let hub: RunningHubWithPlain;
  const clients: MqttClient[] = [];
  const device = (i: number) => {
    const d = site.devices[i];
    if (!d) throw new Error(`no device ${i}`);
    return d;
  };
  const open = async (...args: Parameters<typeof connect>) => {
    const c = await connect(...args);
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    site = await provision(2);
    hub = await startTestHub(site);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    await hub.close();
    await removeDir(site.dir);
  });

  it('refuses anonymous connections and wrong passwords with a CONNACK error', async () => {
    await expect(connect(hub.ports.mqtt)).rejects.toMatchObject({ code: 5 });
    await expect(connect(hub.ports.mqtt, { deviceId: 'kiosk-1', password: 'wrong' })).rejects.toMatchObject({
      code: 4,
    });
    await expect(connect(hub.ports.mqtt, { deviceId: 'nobody', password: 'x' })).rejects.toMatchObject({
      code: 4,
    });
  });

  it('lets a kiosk subscribe to its acks and responses, the roll-call and the roster, and nothing else', async () => {
    const c = await open(hub.ports.mqtt, device(0));
    const wanted = [
      topics.acks('f1', 'kiosk-1'),
      topics.rollcall('f1'),
      topics.roster('f1'),
      topics.anyRoster,
      topics.acks('f1', 'kiosk-2'),
      topics.events('f1', 'kiosk-2'),
      topics.events('f1', 'kiosk-1'),
      'genkan/v1/f1/devices/+/acks',
      '#',
      topics.rollcall('other'),
      topics.responses('f1', 'kiosk-1'),
      topics.responses('f1', 'kiosk-2'),
      topics.requests('f1', 'kiosk-1'),
      'genkan/v1/f1/devices/+/responses',
    ];
    // What the SUBACK grants (mqtt.js turns 128 into an error, so read the packet itself)
    const granted = await Promise.all(
      wanted.map(
        (topic) =>
          new Promise((resolve) => {
            c.subscribe(topic, { qos: 1 }, (_err, _granted, packet) => {
              resolve(packet?.granted[0]);
            });
          }),
      ),
    );
    expect(granted).toEqual([1, 1, 1, 1, 128, 128, 128, 128, 128, 128, 1, 128, 128, 128]);
    expect(c.connected).toBe(true);
  });

  it('closes the connection of a device publishing on another device topic, and stores nothing', async () => {
    const c = await open(hub.ports.mqtt, device(0));
    const closed = waitForClose(c);
    c.publish(topics.events('f1', 'kiosk-2'), JSON.stringify(makeEvent({ deviceId: 'kiosk-2' })), { qos: 1 });
    await closed;
    const store = HubStore.open(site.dir);
    expect(store.events.countEvents()).toBe(0);
    store.close();
  });

  it('refuses publishing on hub topics', async () => {
    for (const topic of [
      topics.rollcall('f1'),
      topics.acks('f1', 'kiosk-1'),
      topics.responses('f1', 'kiosk-1'),
      'anything/else',
    ]) {
      const c = await open(hub.ports.mqtt, device(0));
      const closed = waitForClose(c);
      c.publish(topic, '{}', { qos: 1 });
      await closed;
    }
  });

  it('accepts a valid status and refuses one that does not match the schema', async () => {
    const c = await open(hub.ports.mqtt, device(0));
    await c.publishAsync(topics.status('f1', 'kiosk-1'), JSON.stringify({ online: true, outbox: 0 }), {
      qos: 1,
      retain: true,
    });
    expect(c.connected).toBe(true);
    const closed = waitForClose(c);
    c.publish(topics.status('f1', 'kiosk-1'), JSON.stringify({ online: 'yes' }), { qos: 1 });
    await closed;
  });

  it('drops a connection sending an absurdly large packet and keeps serving others', async () => {
    const c = await open(hub.ports.mqtt, device(0));
    const closed = waitForClose(c);
    c.publish(topics.events('f1', 'kiosk-1'), Buffer.alloc(2 * 1024 * 1024, 0x20), { qos: 0 });
    await closed;
    const other = await open(hub.ports.mqtt, device(1));
    const acks = topics.acks('f1', 'kiosk-2');
    await other.subscribeAsync(acks, { qos: 1 });
    const event = makeEvent({ deviceId: 'kiosk-2' });
    const ack = waitForMessage<Ack>(other, acks);
    await other.publishAsync(topics.events('f1', 'kiosk-2'), JSON.stringify(event), { qos: 1 });
    expect((await ack).acked).toEqual([event.id]);
  });

  it('works over WebSocket too', async () => {
    const mqtt = await import('mqtt');
    const c = await mqtt.connectAsync(`ws://127.0.0.1:${hub.ports.ws}`, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      username: 'kiosk-1',
      password: device(0).password,
      clientId: 'kiosk-1',
    });
    clients.push(c);
    const acks = topics.acks('f1', 'kiosk-1');
    await c.subscribeAsync(acks, { qos: 1 });
    const event = makeEvent();
    const ack = waitForMessage<Ack>(c, acks);
    await c.publishAsync(topics.events('f1', 'kiosk-1'), JSON.stringify(event), { qos: 1 });
    expect(await ack).toEqual({ acked: [event.id], rejected: [] });
  });

  it('publishes the roster retained, and again when another process imports a new one', async () => {
    const c = await open(hub.ports.mqtt, device(0));
    const first = waitForMessage<Roster>(c, topics.roster('f1'));
    await c.subscribeAsync(topics.anyRoster, { qos: 1 });
    const roster = RosterSchema.parse(await first);
    expect(roster).toMatchObject({ facilityId: 'f1', version: 1, timeZone: 'Asia/Tokyo' });
    expect(roster.children.map((ch) => ch.id)).toEqual(['c001', 'c002', 'c003', 'c004']);
    expect(JSON.stringify(roster)).not.toMatch(/04a23b4c/i);

    const next = waitForMessage<Roster>(c, topics.roster('f1'), (r) => r.version === 2);
    const store = HubStore.open(site.dir);
    // The QR verification key goes out; its private half stays in the database.
    expect(roster.qrPublicKey).toBe(store.facility.meta().qrPublicKey);
    const { qr_private_key: privateKey } = store.db
      .prepare<[], { qr_private_key: string }>('SELECT qr_private_key FROM meta')
      .get() ?? { qr_private_key: '' };
    expect(privateKey.length).toBeGreaterThan(40);
    expect(JSON.stringify(roster)).not.toContain(privateKey);
    importRoster(store, `${ROSTER_HEADER}\nk1,A,c100,New,にゅう,,,\n`);
    store.close();
    expect((await next).children.map((ch) => ch.id)).toEqual(['c100']);
  });
});
