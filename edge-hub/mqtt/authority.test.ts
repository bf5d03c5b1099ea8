import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { topics, type Ack, type AttendanceEvent } from '../../protocol/index.ts';
import { addDevice } from '../access/devices.ts';
import type { RunningHubWithPlain } from '../hub.ts';
import { updateSettings } from '../facility/settings.ts';
import { HubStore } from '../store/hub-store.ts';
import {
  connect,
  makeEvent,
  provision,
  removeDir,
  startTestHub,
  waitForMessage,
  type TestSite,
} from '../../test/support/hub.ts';
import { until } from '../../test/support/wait.ts';

/**
 * The validity rule and a kiosk's authority at the hub's MQTT ingest (docs/protocol.md "Authority"), and
 * who may log in to the broker at all: a real hub, mqtt.js over TCP.
 */
describe('what a kiosk may write, and who may log in', () => {
  let site: TestSite;
  let hub: RunningHubWithPlain;
  let store: HubStore;
  let tablet: { deviceId: string; password: string };
  const clients: MqttClient[] = [];
  const kiosk = (i: number) => {
    const d = site.devices[i];
    if (!d) throw new Error(`no device ${i}`);
    return d;
  };

  beforeAll(async () => {
    site = await provision(2);
    const setup = HubStore.open(site.dir);
    tablet = await addDevice(setup, 'tab-1', 'tablet');
    setup.close();
    hub = await startTestHub(site, {
      tuning: { rosterPollMs: 50, rollcallThrottleMs: 20, takeoverGraceMs: 60_000 },
    });
    store = HubStore.open(site.dir);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync()));
  });
  afterAll(async () => {
    store.close();
    await hub.close();
    await removeDir(site.dir);
  });

  const open = async (i: number) => {
    const c = await connect(hub.ports.mqtt, kiosk(i));
    clients.push(c);
    await c.subscribeAsync(topics.acks('f1', kiosk(i).deviceId), { qos: 1 });
    return c;
  };
  const send = async (c: MqttClient, deviceId: string, events: AttendanceEvent[]): Promise<Ack> => {
    const ack = waitForMessage<Ack>(c, topics.acks('f1', deviceId));
    await c.publishAsync(topics.events('f1', deviceId), JSON.stringify({ events }), { qos: 1 });
    return ack;
  };
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

  it('rejects implausible times and control characters per event, and stores the good one', async () => {
    const c = await open(0);
    const poison = {
      farFuture: makeEvent({ occurredAt: '9999-12-31T15:00:00Z' }),
      nul: makeEvent({ note: 'ok\u0000then' }),
      epoch: makeEvent({ occurredAt: '1970-01-01T00:00:00Z' }),
      tomorrow: makeEvent({ occurredAt: new Date(Date.now() + 86_400_000).toISOString() }),
      offset: makeEvent({ occurredAt: new Date().toISOString().replace('Z', '+23:59') }),
      escape: makeEvent({ note: 'red\u001b[31m' }),
      c1: makeEvent({ note: 'csi\u009b' }),
      halfPair: makeEvent({ note: 'broken \ud83d' }),
    };
    const good = makeEvent({ note: '熱 37.5℃、お迎えは祖母 👵' });
    const ack = await send(c, 'kiosk-1', [...Object.values(poison), good]);
    expect(ack.acked).toEqual([good.id]);
    expect(Object.fromEntries(ack.rejected.map((r) => [r.id, r.code]))).toEqual({
      [poison.farFuture.id]: 'implausible_time',
      [poison.nul.id]: 'bad_text',
      [poison.epoch.id]: 'implausible_time',
      [poison.tomorrow.id]: 'implausible_time',
      [poison.offset.id]: 'implausible_time',
      [poison.escape.id]: 'bad_text',
      [poison.c1.id]: 'bad_text',
      [poison.halfPair.id]: 'bad_text',
    });
    for (const e of Object.values(poison)) expect(store.events.eventById(e.id)).toBeUndefined();
    expect(store.events.eventById(good.id)).toStrictEqual(good);
  });

  it('accepts the edges of the window: 4 minutes ahead, 399 days behind, offsets of ±14:00', async () => {
    const c = await open(0);
    const at = (ms: number, offset: string) => {
      const shifted = new Date(ms + (offset.startsWith('-') ? -1 : 1) * 14 * 3_600_000);
      return shifted.toISOString().replace('Z', offset);
    };
    const events = [
      makeEvent({ occurredAt: new Date(Date.now() + 4 * 60_000).toISOString() }),
      makeEvent({ occurredAt: new Date(Date.now() - 399 * 86_400_000).toISOString() }),
      makeEvent({ occurredAt: at(Date.now(), '+14:00') }),
      makeEvent({ occurredAt: at(Date.now(), '-14:00') }),
    ];
    expect(await send(c, 'kiosk-1', events)).toEqual({ acked: events.map((e) => e.id), rejected: [] });
  });

  it('refuses staff entries, absences, other guardians’ children and actorless events from a kiosk', async () => {
    const c = await open(0);
    const staffMethod = makeEvent({ method: 'staff', actor: 's1', type: 'check_out' });
    const staffActor = makeEvent({ actor: 's1' });
    const otherChild = makeEvent({ childId: 'c003' }); // c003 is g002's, not g001's
    const absence = makeEvent({ type: 'absent' });
    const nobody = makeEvent({ actor: null });
    const unknownGuardian = makeEvent({ actor: 'g999' });
    const pin = makeEvent({ method: 'pin' });
    const ack = await send(c, 'kiosk-1', [
      staffMethod,
      staffActor,
      otherChild,
      absence,
      nobody,
      unknownGuardian,
      pin,
    ]);
    expect(ack.acked).toEqual([pin.id]);
    expect(ack.rejected.map((r) => [r.id, r.code])).toEqual([
      [staffMethod.id, 'not_allowed'],
      [staffActor.id, 'not_guardian'],
      [otherChild.id, 'not_guardian'],
      [absence.id, 'not_allowed'],
      [nobody.id, 'not_guardian'],
      [unknownGuardian.id, 'not_guardian'],
    ]);
    for (const e of [staffMethod, staffActor, otherChild, absence, nobody, unknownGuardian]) {
      expect(store.events.eventById(e.id)).toBeUndefined();
    }
  });

  it('lets a kiosk void only its own events, within the undo window (a setting)', async () => {
    const k1 = await open(0);
    const k2 = await open(1);
    const theirs = makeEvent({ deviceId: 'kiosk-2', occurredAt: minutesAgo(1) });
    const mine = makeEvent({ occurredAt: minutesAgo(1) });
    const old = makeEvent({ occurredAt: minutesAgo(11) });
    expect((await send(k2, 'kiosk-2', [theirs])).acked).toEqual([theirs.id]);
    expect((await send(k1, 'kiosk-1', [mine, old])).acked).toEqual([mine.id, old.id]);

    const voidTheirs = makeEvent({ type: 'void', voids: theirs.id });
    const voidMine = makeEvent({ type: 'void', voids: mine.id });
    const voidOld = makeEvent({ type: 'void', voids: old.id });
    const ack = await send(k1, 'kiosk-1', [voidTheirs, voidMine, voidOld]);
    expect(ack.acked).toEqual([voidMine.id]);
    expect(ack.rejected.map((r) => [r.id, r.code])).toEqual([
      [voidTheirs.id, 'not_own_event'],
      [voidOld.id, 'undo_expired'],
    ]);
    expect(store.events.voidersOf(theirs.id)).toEqual([]);

    updateSettings(store, { undoWindowMinutes: 20 }, { kind: 'cli', id: null });
    const again = makeEvent({ type: 'void', voids: old.id });
    expect(await send(k1, 'kiosk-1', [again])).toEqual({ acked: [again.id], rejected: [] });
  });

  it('gives a tablet no MQTT login', async () => {
    await expect(connect(hub.ports.mqtt, tablet)).rejects.toMatchObject({ code: 5 });
  });

  it('refuses a client id that is not the device id, and never lets it take over the live session', async () => {
    const k1 = await open(0);
    let closed = false;
    k1.once('close', () => {
      closed = true;
    });
    // kiosk-2's password, kiosk-1's client id
    await expect(connect(hub.ports.mqtt, kiosk(1), { clientId: 'kiosk-1' })).rejects.toMatchObject({
      code: 2,
    });
    // kiosk-1's own password but a fresh session within the grace: two devices sharing one id
    await expect(connect(hub.ports.mqtt, kiosk(0))).rejects.toMatchObject({ code: 2 });
    // kiosk-1 is still connected and served
    const event = makeEvent();
    expect(await send(k1, 'kiosk-1', [event])).toEqual({ acked: [event.id], rejected: [] });
    expect(closed).toBe(false);
    expect(k1.connected).toBe(true);
  });
});

describe('a device reconnecting after a drop the hub has not noticed', () => {
  it('takes over its old connection once that has been silent for the grace, not before', async () => {
    const site = await provision(1);
    const hub = await startTestHub(site, {
      tuning: { rosterPollMs: 50, rollcallThrottleMs: 20, takeoverGraceMs: 400 },
    });
    const device = site.devices[0];
    if (!device) throw new Error('no device');
    try {
      // keepalive 300 s (the longest allowed): after CONNECT this connection sends nothing within the
      // test, like one whose network went away.
      const old = await connect(hub.ports.mqtt, device, { keepalive: 300 });
      const oldClosed = new Promise<void>((resolve) =>
        old.once('close', () => {
          resolve();
        }),
      );
      await expect(connect(hub.ports.mqtt, device)).rejects.toMatchObject({ code: 2 });
      const next = await until(
        () => connect(hub.ports.mqtt, device).catch(() => undefined),
        'the hub to accept the device again',
        { intervalMs: 100 },
      );
      expect(next.connected).toBe(true);
      await oldClosed;
      await next.endAsync();
      await old.endAsync(true);
    } finally {
      await hub.close();
      await removeDir(site.dir);
    }
  });
});
