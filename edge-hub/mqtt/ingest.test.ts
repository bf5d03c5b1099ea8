import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.ts';
import { systemClock } from '../../common/time.ts';
import { topics, type Ack, type AttendanceEvent, type Rollcall } from '../../protocol/index.ts';
import type { RunningHubWithPlain } from '../hub.ts';
import { Ingest } from './ingest.ts';
import type { StoredEvent } from '../store/events.ts';
import { HubStore } from '../store/hub-store.ts';
import {
  connect,
  makeEvent,
  provision,
  removeDir,
  startTestHub,
  TEST_ROSTER,
  useTempHubStore,
  waitForMessage,
  type TestSite,
} from '../../test/support/hub.ts';

/** A past business day within the hub's 400-day window (events outside it are implausible_time). */
const PAST_DAY = new Date(Date.now() - 30 * 86_400_000).toLocaleDateString('sv-SE', {
  timeZone: 'Asia/Tokyo',
});
/** A day of a month the month_closed tests close: far from PAST_DAY's month, inside the window. */
const CLOSED_DAY = new Date(Date.now() - 300 * 86_400_000).toLocaleDateString('sv-SE', {
  timeZone: 'Asia/Tokyo',
});

describe('ingest over MQTT (real hub, mqtt.js over TCP)', () => {
  let site: TestSite;
  let hub: RunningHubWithPlain;
  let client: MqttClient;
  let store: HubStore; // a second connection to the hub's database, to see what was committed
  const eventsTopic = topics.events('f1', 'kiosk-1');
  const acksTopic = topics.acks('f1', 'kiosk-1');

  beforeAll(async () => {
    site = await provision(2);
    hub = await startTestHub(site);
    store = HubStore.open(site.dir);
  });
  afterAll(async () => {
    store.close();
    await hub.close();
    await removeDir(site.dir);
  });
  beforeEach(async () => {
    client = await connect(hub.ports.mqtt, site.devices[0]);
    await client.subscribeAsync(acksTopic, { qos: 1 });
  });
  afterEach(async () => {
    await client.endAsync();
  });

  const stored = (id: string) =>
    store.events
      .eventsOn(PAST_DAY)
      .concat(store.events.eventsOn(today()))
      .find((e) => e.id === id);
  const today = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Tokyo' });

  /** Publishes and resolves with the next ack (one ack per group; a single publish is its own group here). */
  async function send(
    payload: string | Buffer,
    c = client,
    topic = eventsTopic,
    acks = acksTopic,
  ): Promise<Ack> {
    const ack = waitForMessage<Ack>(c, acks);
    await c.publishAsync(topic, payload, { qos: 1 });
    return ack;
  }

  it('acks a single event after it is committed', async () => {
    const event = makeEvent();
    const ack = waitForMessage<Ack>(client, acksTopic);
    client.publish(eventsTopic, JSON.stringify(event), { qos: 1 });
    expect(await ack).toEqual({ acked: [event.id], rejected: [] });
    // the ack only goes out after the commit: another connection sees the row at once
    expect(stored(event.id)).toEqual(event);
  });

  it('acks a batch in one ack, keeping optional fields exact', async () => {
    const a = makeEvent({ occurredAt: `${PAST_DAY}T08:00:00+09:00`, note: 'メモ' });
    const b = makeEvent({
      occurredAt: `${PAST_DAY}T08:01:00+09:00`,
      childId: 'c002',
      method: 'qr',
    });
    const c = makeEvent({ type: 'void', voids: a.id, occurredAt: `${PAST_DAY}T08:02:00+09:00` });
    expect(await send(JSON.stringify({ events: [a, b, c] }))).toEqual({
      acked: [a.id, b.id, c.id],
      rejected: [],
    });
    expect(stored(a.id)).toStrictEqual(a);
    expect(stored(b.id)).toStrictEqual(b);
    expect(stored(c.id)).toStrictEqual(c);
  });

  it('rejects the one bad event of a batch and stores the good ones', async () => {
    const good1 = makeEvent();
    const bad = { ...makeEvent(), seq: 0 };
    const good2 = makeEvent();
    const ack = await send(JSON.stringify({ events: [good1, bad, good2] }));
    expect(ack.acked).toEqual([good1.id, good2.id]);
    expect(ack.rejected).toEqual([
      { id: bad.id, code: 'invalid_event', message: expect.stringMatching(/^seq:/) as string },
    ]);
    expect(stored(good1.id)).toBeDefined();
    expect(stored(bad.id)).toBeUndefined();
  });

  it('rejects malformed JSON and payloads that are not events, with id null', async () => {
    expect(await send('{"events": [')).toEqual({
      acked: [],
      rejected: [{ id: null, code: 'invalid_json', message: 'payload is not valid JSON' }],
    });
    expect((await send('[1,2]')).rejected[0]).toMatchObject({ id: null, code: 'invalid_payload' });
    expect((await send('{"events":[],"x":1}')).rejected[0]).toMatchObject({
      id: null,
      code: 'invalid_payload',
    });
    expect(client.connected).toBe(true);
  });

  it('rejects an event with an unknown field', async () => {
    const event = { ...makeEvent(), colour: 'red' };
    const ack = await send(JSON.stringify(event));
    expect(ack.rejected).toEqual([
      { id: event.id, code: 'invalid_event', message: expect.any(String) as string },
    ]);
    expect(stored(event.id)).toBeUndefined();
  });

  it('rejects a child that is not on the roster', async () => {
    const event = makeEvent({ childId: 'c999' });
    expect((await send(JSON.stringify(event))).rejected).toEqual([
      { id: event.id, code: 'unknown_child', message: 'child c999 is not on the roster' },
    ]);
    expect(stored(event.id)).toBeUndefined();
  });

  it('rejects an event claiming to come from another device', async () => {
    const event = makeEvent({ deviceId: 'kiosk-2' });
    expect((await send(JSON.stringify(event))).rejected).toMatchObject([
      { id: event.id, code: 'device_mismatch' },
    ]);
    expect(stored(event.id)).toBeUndefined();
  });

  it('rejects a void of an unknown event or of another child', async () => {
    const other = makeEvent({ childId: 'c002' });
    await send(JSON.stringify(other));
    const voidUnknown = makeEvent({ type: 'void', voids: '0190a0b0-0000-7000-8000-00000000ffff' });
    const voidOtherChild = makeEvent({ type: 'void', voids: other.id });
    const ack = await send(JSON.stringify({ events: [voidUnknown, voidOtherChild] }));
    expect(ack.acked).toEqual([]);
    expect(ack.rejected.map((r) => [r.id, r.code])).toEqual([
      [voidUnknown.id, 'unknown_event'],
      [voidOtherChild.id, 'unknown_event'],
    ]);
  });

  it('rejects a batch of 501 as a whole and stores none', async () => {
    const before = store.events.countEvents();
    const events = Array.from({ length: 501 }, () => makeEvent());
    const payload = JSON.stringify({ events });
    // also over 64 KiB, but the count is what the device must fix
    expect(payload.length).toBeGreaterThan(64 * 1024);
    expect(await send(payload)).toEqual({
      acked: [],
      rejected: [{ id: null, code: 'batch_too_large', message: 'a batch holds at most 500 events, got 501' }],
    });
    const small = { events: Array.from({ length: 501 }, () => ({})) };
    expect((await send(JSON.stringify(small))).rejected).toMatchObject([
      { id: null, code: 'batch_too_large' },
    ]);
    expect(store.events.countEvents()).toBe(before);
  });

  it('accepts as many events in one batch as fit in 64 KiB', async () => {
    const events = Array.from({ length: 300 }, () => makeEvent());
    const ack = await send(JSON.stringify({ events }));
    expect(ack).toEqual({ acked: events.map((e) => e.id), rejected: [] });
    expect(stored(events[299]?.id ?? '')).toBeDefined();
  });

  it('rejects a payload over 64 KiB without closing the connection', async () => {
    const event = makeEvent({ note: 'x'.repeat(400) });
    const batch = JSON.stringify({ events: Array.from({ length: 200 }, () => ({ ...event })) });
    expect(batch.length).toBeGreaterThan(64 * 1024);
    const before = store.events.countEvents();
    expect(await send(batch)).toEqual({
      acked: [],
      rejected: [
        {
          id: null,
          code: 'payload_too_large',
          message: `payload of ${batch.length} bytes is over the 65536-byte limit`,
        },
      ],
    });
    const single = JSON.stringify({ ...event, note: 'x'.repeat(70 * 1024) });
    expect((await send(single)).rejected).toMatchObject([{ id: null, code: 'payload_too_large' }]);
    expect((await send(Buffer.alloc(65 * 1024, 0x7b))).rejected).toMatchObject([
      { id: null, code: 'payload_too_large' },
    ]);
    expect(store.events.countEvents()).toBe(before);
    // still connected and served
    const next = makeEvent();
    expect((await send(JSON.stringify(next))).acked).toEqual([next.id]);
  });

  it('acks a resent (duplicate) event again without storing it twice', async () => {
    const event = makeEvent();
    await send(JSON.stringify(event));
    const count = store.events.countEvents();
    // first copy wins: a changed resend is acked but not applied
    expect(await send(JSON.stringify({ ...event, note: 'changed' }))).toEqual({
      acked: [event.id],
      rejected: [],
    });
    expect(await send(JSON.stringify({ events: [event, event] }))).toEqual({
      acked: [event.id, event.id],
      rejected: [],
    });
    expect(store.events.countEvents()).toBe(count);
    expect(stored(event.id)).toStrictEqual(event);
  });

  it('acks everything from two devices publishing many events at once (group commit)', async () => {
    const other = await connect(hub.ports.mqtt, site.devices[1]);
    const otherAcks = topics.acks('f1', 'kiosk-2');
    await other.subscribeAsync(otherAcks, { qos: 1 });
    const collect = (c: MqttClient, acks: string, expected: number) =>
      new Promise<string[]>((resolve) => {
        const ids: string[] = [];
        c.on('message', (t, payload) => {
          if (t !== acks) return;
          const ack = JSON.parse(payload.toString()) as Ack;
          expect(ack.rejected).toEqual([]);
          ids.push(...ack.acked);
          if (ids.length >= expected) resolve(ids);
        });
      });
    const mine = Array.from({ length: 300 }, () => makeEvent());
    const theirs = Array.from({ length: 300 }, () =>
      makeEvent({ deviceId: 'kiosk-2', childId: 'c003', actor: 'g002' }),
    );
    const done = Promise.all([collect(client, acksTopic, 300), collect(other, otherAcks, 300)]);
    for (const e of mine) client.publish(eventsTopic, JSON.stringify(e), { qos: 1 });
    for (const e of theirs) other.publish(topics.events('f1', 'kiosk-2'), JSON.stringify(e), { qos: 1 });
    const [a, b] = await done;
    expect(new Set(a)).toEqual(new Set(mine.map((e) => e.id)));
    expect(new Set(b)).toEqual(new Set(theirs.map((e) => e.id)));
    await other.endAsync();
  });

  it('updates the retained roll-call after an event', async () => {
    const event = makeEvent({ childId: 'c004', actor: 'g003', occurredAt: new Date().toISOString() });
    const present = (r: Rollcall) =>
      r.classes.flatMap((c) => c.children).find((c) => c.id === 'c004')?.status === 'present';
    const rollcall = waitForMessage<Rollcall>(client, topics.rollcall('f1'), present);
    await client.subscribeAsync(topics.rollcall('f1'), { qos: 1 });
    await send(JSON.stringify(event));
    const snap = await rollcall;
    expect(snap.classes.flatMap((c) => c.children).find((c) => c.id === 'c004')).toMatchObject({
      status: 'present',
      checkInAt: event.occurredAt,
    });
    // a late subscriber gets the retained snapshot
    const late = await connect(hub.ports.mqtt, site.devices[1]);
    const retained = waitForMessage<Rollcall>(late, topics.rollcall('f1'), present);
    await late.subscribeAsync(topics.rollcall('f1'), { qos: 1 });
    expect((await retained).date).toBe(snap.date);
    await late.endAsync();
  });

  it('rejects an event dated in a closed month with month_closed, and stores the rest of the batch', async () => {
    const closedMonth = CLOSED_DAY.slice(0, 7);
    store.corrections.closeMonth({ month: closedMonth, closedAt: new Date().toISOString(), closedBy: 's1' });
    const late = makeEvent({ occurredAt: `${CLOSED_DAY}T08:00:00+09:00` });
    const good = makeEvent();
    const ack = await send(JSON.stringify({ events: [late, good] }));
    expect(ack).toEqual({
      acked: [good.id],
      rejected: [
        {
          id: late.id,
          code: 'month_closed',
          message: `${closedMonth} is closed: its record changes only by an amendment`,
        },
      ],
    });
    expect(store.events.eventById(late.id)).toBeUndefined();
    expect(stored(good.id)).toEqual(good);
  });
});

describe('Ingest when the commit fails', () => {
  let store: HubStore;
  useTempHubStore(
    (opened) => {
      store = opened;
    },
    { roster: TEST_ROSTER },
  );

  it('acks nothing, keeps serving, and retries the group on its own', async () => {
    const acks: [string, Ack][] = [];
    const committed: StoredEvent[] = [];
    let acked: () => void = () => undefined;
    const ingest = new Ingest({
      store,
      clock: systemClock,
      logger: silentLogger(),
      roster: { hasChild: (id) => id.startsWith('c00'), isGuardianOf: () => true, refresh: () => undefined },
      undoWindowMs: () => 600_000,
      publishAck: (deviceId, ack) => {
        acks.push([deviceId, ack]);
        acked();
      },
      onCommitted: (s) => committed.push(...s),
      retryDelayMs: 5,
    });
    const realTransaction = store.transaction.bind(store);
    let failures = 2;
    store.transaction = <T>(fn: () => T): T => {
      if (failures > 0) {
        failures--;
        throw new Error('disk I/O error');
      }
      return realTransaction(fn);
    };
    const event: AttendanceEvent = makeEvent();
    const done = new Promise<void>((resolve) => {
      acked = resolve;
    });
    ingest.submit('kiosk-1', Buffer.from(JSON.stringify(event)));
    await done;
    expect(failures).toBe(0);
    expect(acks).toEqual([['kiosk-1', { acked: [event.id], rejected: [] }]]);
    expect(committed.map((s) => s.event.id)).toEqual([event.id]);
    ingest.close();
  });

  it('acks nothing for a group that keeps failing, and does not throw', () => {
    const acks: Ack[] = [];
    const ingest = new Ingest({
      store,
      clock: systemClock,
      logger: silentLogger(),
      roster: { hasChild: () => true, isGuardianOf: () => true, refresh: () => undefined },
      undoWindowMs: () => 600_000,
      publishAck: (_d, ack) => acks.push(ack),
      onCommitted: () => undefined,
      maxAttempts: 1,
    });
    store.transaction = () => {
      throw new Error('database is locked');
    };
    ingest.submit('kiosk-1', Buffer.from(JSON.stringify(makeEvent())));
    expect(() => {
      ingest.flush();
    }).not.toThrow();
    expect(acks).toEqual([]);
    expect(ingest.pending).toBe(0);
    ingest.close();
  });
});

describe('Ingest.record and closed months', () => {
  let store: HubStore;
  useTempHubStore(
    (opened) => {
      store = opened;
    },
    { roster: TEST_ROSTER },
  );

  it('refuses an event dated in a closed month, and a void of an event dated in one', () => {
    const committed: StoredEvent[] = [];
    const ingest = new Ingest({
      store,
      clock: systemClock,
      logger: silentLogger(),
      roster: { hasChild: () => true, isGuardianOf: () => true, refresh: () => undefined },
      undoWindowMs: () => 600_000,
      publishAck: () => undefined,
      onCommitted: (s) => committed.push(...s),
    });
    const old = makeEvent({ occurredAt: `${CLOSED_DAY}T08:00:00+09:00` });
    store.events.insertEvents([old]);
    store.corrections.closeMonth({
      month: CLOSED_DAY.slice(0, 7),
      closedAt: new Date().toISOString(),
      closedBy: 's1',
    });
    const staff = { deviceId: 'tablet-1', method: 'staff' as const, actor: 's1' };

    const late = makeEvent({ ...staff, occurredAt: `${CLOSED_DAY}T17:00:00+09:00`, type: 'check_out' });
    expect(ingest.record(late.id, () => late)).toEqual({
      rejection: expect.objectContaining({ id: late.id, code: 'month_closed' }) as unknown,
    });
    const voiding = makeEvent({ ...staff, type: 'void', voids: old.id, note: '誤打刻' });
    expect(ingest.record(voiding.id, () => voiding)).toEqual({
      rejection: expect.objectContaining({ id: voiding.id, code: 'month_closed' }) as unknown,
    });
    expect(committed).toEqual([]);

    const today = makeEvent(staff);
    expect(ingest.record(today.id, () => today)).toEqual({ event: today, duplicate: false });
    expect(committed.map((s) => s.event.id)).toEqual([today.id]);
    ingest.close();
  });
});
