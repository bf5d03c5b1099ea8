import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  EventSchema,
  generateQrKeyPair,
  importQrPrivateKey,
  signGuardianQr,
  StatusSchema,
  topics,
  type Credential,
} from '../../protocol/index.ts';
import { silentLogger } from '../../common/logger.ts';
import type { Clock } from '../../common/time.ts';
import {
  CARD_G1,
  CARD_G3,
  CARD_UNKNOWN,
  FACILITY,
  makeRollcall,
  makeRoster,
  QR_EXPIRES,
  QR_G2,
  signedQr,
} from '../common/fixtures.ts';
import { QR_REFUSAL_MESSAGES } from '../common/messages.ts';
import {
  qrRefusalMessage,
  type KioskOutputLine,
  type QrRefusalReason,
  type ReadyLine,
  type TapLine,
} from '../common/output.ts';
import { startKiosk, type Kiosk, type KioskOptions } from './agent.ts';
import { KIOSK_DB_FILE } from './outbox.ts';
import { FakeHub, Recorder } from './testing/fake-hub.ts';

const DEVICE = 'kiosk-1';
// 10:00 in Tokyo on 1 April 2026.
const START = Date.parse('2026-04-01T01:00:00Z');

let dir: string;
let hub: FakeHub;
const kiosks: Kiosk[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'genkan-kiosk-'));
  hub = new FakeHub();
  await hub.start();
});

afterEach(async () => {
  for (const k of kiosks.splice(0)) await k.close();
  await hub.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A clock the test moves by hand. */
function manualClock(start = START): Clock & { advance(ms: number): void } {
  let t = start;
  return {
    now: () => new Date(t),
    advance: (ms) => {
      t += ms;
    },
  };
}

interface TestKiosk {
  kiosk: Kiosk;
  out: Recorder<KioskOutputLine>;
  input: PassThrough;
  clock: ReturnType<typeof manualClock>;
}

async function start(
  extra: Partial<KioskOptions> = {},
  output?: (line: KioskOutputLine) => void,
  at = START,
): Promise<TestKiosk> {
  const out = new Recorder<KioskOutputLine>();
  const input = new PassThrough();
  const clock = manualClock(at);
  const kiosk = await startKiosk({
    dataDir: dir,
    hubUrl: hub.url,
    deviceId: DEVICE,
    password: 'secret',
    readers: ['stdin'],
    readerInput: input,
    logger: silentLogger(),
    clock,
    debounceMs: 0,
    reconnectPeriodMs: 50,
    connectTimeoutMs: 2000,
    output: (line) => {
      output?.(line);
      out.push(line);
    },
    ...extra,
  });
  kiosks.push(kiosk);
  return { kiosk, out, input, clock };
}

async function stop(k: TestKiosk): Promise<void> {
  await k.kiosk.close();
  kiosks.splice(kiosks.indexOf(k.kiosk), 1);
}

const isTap = (l: KioskOutputLine): l is TapLine => 'type' in l && l.type === 'tap';
const taps = (out: Recorder<KioskOutputLine>) => out.items.filter(isTap);
const okTaps = (out: Recorder<KioskOutputLine>) => taps(out).flatMap((l) => (l.result === 'ok' ? [l] : []));

function ready(out: Recorder<KioskOutputLine>): Promise<ReadyLine> {
  return out.until((items) => items.find((l): l is ReadyLine => 'ready' in l), 'ready line');
}

function online(out: Recorder<KioskOutputLine>): Promise<KioskOutputLine> {
  return out.until(
    (items) => items.find((l) => 'type' in l && l.type === 'connection' && l.online),
    'online',
  );
}

function tapLine(c: Credential): string {
  return `${c.kind}:${c.value}\n`;
}

/** Taps through the stdin reader and waits for the tap's output line. */
async function tapVia(k: TestKiosk, c: Credential): Promise<TapLine> {
  const before = taps(k.out).length;
  k.input.write(tapLine(c));
  return k.out.until((items) => items.filter(isTap)[before], 'tap line');
}

function ackedIds(items: readonly KioskOutputLine[]): string[] {
  return items.flatMap((l) => ('type' in l && l.type === 'acked' ? l.ids : []));
}

async function publishRoster(version = 1): Promise<void> {
  await hub.publish(topics.roster(FACILITY), makeRoster({ version }), true);
}

describe('kiosk agent', () => {
  it('learns its facility from genkan/v1/+/roster, commits a tap before reporting it, and delivers it', async () => {
    await publishRoster();
    const committedBeforeOk: boolean[] = [];
    const k = await start({}, (line) => {
      if (isTap(line) && line.result === 'ok') {
        // Another connection sees the rows the moment the line is written: they are committed.
        const db = new Database(join(dir, KIOSK_DB_FILE), { readonly: true });
        const ids = db
          .prepare<[], { id: string }>('SELECT id FROM outbox')
          .all()
          .map((r) => r.id);
        db.close();
        committedBeforeOk.push(line.events.every((e) => ids.includes(e.id)));
      }
    });
    expect(await ready(k.out)).toEqual({
      ready: true,
      device: DEVICE,
      facility: FACILITY,
      rosterVersion: 1,
      outbox: 0,
    });
    expect(k.out.items).toContainEqual({ type: 'roster', version: 1, children: 3 });
    await k.out.until(
      (items) => items.find((l) => 'type' in l && l.type === 'connection' && l.online),
      'online',
    );

    const line = await tapVia(k, CARD_G1);
    expect(line).toMatchObject({
      type: 'tap',
      result: 'ok',
      reader: 'stdin',
      guardian: { id: 'g1', name: 'Aoi' },
      events: [
        { childId: 'c1', childName: 'Hana', type: 'check_in', seq: 1 },
        { childId: 'c2', childName: 'Sora', type: 'check_in', seq: 2 },
      ],
    });
    expect(committedBeforeOk).toEqual([true]);
    if (line.result !== 'ok') throw new Error('not ok');
    const ids = line.events.map((e) => e.id);

    await k.out.until((items) => ids.every((id) => ackedIds(items).includes(id)) || undefined, 'acks');
    // The wire format: {"events":[…]} on the device's events topic, each event valid and as stored.
    const msg = hub.messages[0];
    expect(msg?.topic).toBe(topics.events(FACILITY, DEVICE));
    expect(msg?.rejected).toEqual([]);
    const raw = JSON.parse(msg?.raw ?? '') as { events: unknown[] };
    expect(Object.keys(raw)).toEqual(['events']);
    for (const e of raw.events) expect(EventSchema.safeParse(e).success).toBe(true);
    expect(msg?.events[0]).toMatchObject({
      id: ids[0],
      type: 'check_in',
      childId: 'c1',
      occurredAt: '2026-04-01T10:00:00.000+09:00',
      deviceId: DEVICE,
      seq: 1,
      method: 'card',
      actor: 'g1',
    });
    expect(k.kiosk.state().outbox).toMatchObject({ total: 2, pending: 0, acked: 2 });
    const status = await hub.until(() => {
      const s = hub.statuses.get(DEVICE);
      return s?.online === true && s.outbox === 0 ? s : undefined;
    }, 'status with empty outbox');
    expect(StatusSchema.safeParse(status).success).toBe(true);
    // The readers, for the hub's device list.
    expect(status.readers).toEqual([expect.objectContaining({ attached: true })]);
  });

  it('reports unknown credentials, guardians without children and unreadable input, recording nothing', async () => {
    await publishRoster();
    const k = await start();
    await ready(k.out);
    expect(await tapVia(k, CARD_UNKNOWN)).toEqual({
      type: 'tap',
      result: 'unknown_credential',
      kind: 'card',
      reader: 'stdin',
    });
    expect(await tapVia(k, { kind: 'qr', value: 'nobody' })).toEqual({
      type: 'tap',
      result: 'refused_qr',
      reason: 'unsigned',
      message: qrRefusalMessage('unsigned'),
      reader: 'stdin',
    });
    expect(await tapVia(k, CARD_G3)).toEqual({
      type: 'tap',
      result: 'no_children',
      kind: 'card',
      guardian: { id: 'g3', name: 'Former' },
      reader: 'stdin',
    });
    k.input.write('garbage\n');
    const err = await k.out.until(
      (items) => items.find((l) => 'type' in l && l.type === 'reader_error'),
      'reader error',
    );
    expect(err).toEqual({
      type: 'reader_error',
      reader: 'stdin',
      code: 'unrecognised_input',
      message: expect.any(String) as string,
    });
    expect(JSON.stringify(k.out.items)).not.toContain('ffffffff');
    expect(k.kiosk.state().outbox.total).toBe(0);
    // Still taking taps.
    expect((await tapVia(k, QR_G2)).result).toBe('ok');
  });

  it('debounces the same credential within the window only', async () => {
    await publishRoster();
    const k = await start({ debounceMs: 30_000 });
    await ready(k.out);
    expect((await tapVia(k, QR_G2)).result).toBe('ok');
    k.clock.advance(29_999);
    expect(await tapVia(k, QR_G2)).toEqual({
      type: 'tap',
      result: 'debounced',
      kind: 'qr',
      reader: 'stdin',
    });
    // Another credential is not held up.
    expect((await tapVia(k, CARD_G1)).result).toBe('ok');
    k.clock.advance(1);
    const again = await tapVia(k, QR_G2);
    expect(again).toMatchObject({ result: 'ok', events: [{ childId: 'c3', type: 'check_out', seq: 4 }] });
    expect(k.kiosk.state().outbox.total).toBe(4);
  });

  it('says no_roster before any roster is known, then becomes ready when one arrives', async () => {
    const k = await start();
    expect(await tapVia(k, CARD_G1)).toEqual({ type: 'tap', result: 'no_roster', reader: 'stdin' });
    expect(k.out.items.some((l) => 'ready' in l)).toBe(false);
    await publishRoster(5);
    expect(await ready(k.out)).toMatchObject({ facility: FACILITY, rosterVersion: 5 });
    // Having learnt the facility, the kiosk reconnects with its last will and announces itself.
    await hub.until(() => hub.statuses.get(DEVICE)?.online, 'online status');
    expect((await tapVia(k, CARD_G1)).result).toBe('ok');
  });

  it('decides from the hub roll-call with its own unacknowledged events on top', async () => {
    await publishRoster();
    await hub.publish(topics.rollcall(FACILITY), makeRollcall('2026-04-01', { c1: 'present' }), true);
    hub.policy = () => 'hold';
    const k = await start();
    await ready(k.out);
    await k.out.until((items) => items.find((l) => 'type' in l && l.type === 'rollcall'), 'roll-call');
    expect(await tapVia(k, CARD_G1)).toMatchObject({
      events: [
        { childId: 'c1', type: 'check_out' },
        { childId: 'c2', type: 'check_in' },
      ],
    });
    // Not acknowledged: the roll-call still says c1 present, but the kiosk's own events count.
    expect(await tapVia(k, CARD_G1)).toMatchObject({
      events: [
        { childId: 'c1', type: 'check_in' },
        { childId: 'c2', type: 'check_out' },
      ],
    });
  });

  it('marks a rejected event and never sends it again, while unacknowledged ones are resent', async () => {
    await publishRoster();
    // c1's event is refused; c2's is never acknowledged, so it keeps being resent on the ack timeout.
    hub.policy = (e) =>
      e.childId === 'c1' ? { code: 'unknown_child', message: 'childId is not on the roster' } : 'hold';
    const k = await start({ ackTimeoutMs: 100 });
    await ready(k.out);
    const line = await tapVia(k, CARD_G1);
    if (line.result !== 'ok') throw new Error('not ok');
    const [c1, c2] = line.events.map((e) => e.id) as [string, string];
    expect(
      await k.out.until((items) => items.find((l) => 'type' in l && l.type === 'rejected'), 'rejected line'),
    ).toEqual({ type: 'rejected', id: c1, code: 'unknown_child', message: 'childId is not on the roster' });
    await hub.until(() => hub.timesReceived(c2) >= 3, 'c2 resent twice');
    expect(hub.timesReceived(c1)).toBe(1);
    // A reconnect resends what is pending, and still not the rejected one.
    const before = hub.timesReceived(c2);
    hub.dropClients();
    await hub.until(() => hub.timesReceived(c2) > before, 'c2 after reconnect');
    expect(hub.timesReceived(c1)).toBe(1);
    expect(k.kiosk.state().outbox).toMatchObject({ pending: 1, rejected: 1 });
  });

  it('records taps while the hub is down and drains them oldest first when it returns', async () => {
    await publishRoster();
    const k = await start();
    await ready(k.out);
    await online(k.out);
    await hub.stop();
    await k.out.until(
      (items) => items.find((l) => 'type' in l && l.type === 'connection' && !l.online),
      'offline',
    );
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const line = await tapVia(k, i % 2 === 0 ? CARD_G1 : QR_G2);
      if (line.result !== 'ok') throw new Error(`tap ${i}: ${line.result}`);
      ids.push(...line.events.map((e) => e.id));
    }
    expect(k.kiosk.state().outbox).toMatchObject({ total: 18, pending: 18 });
    await hub.start();
    await publishRoster();
    await k.out.until((items) => ackedIds(items).length === 18, 'all acked');
    // First arrivals in seq order, 1..18 with no gap, and each id once before any resend.
    const firstSeen = [...new Map(hub.received.map((e) => [e.id, e])).values()];
    expect(firstSeen.map((e) => e.id)).toEqual(ids);
    expect(firstSeen.map((e) => e.seq)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    expect(k.kiosk.state().outbox).toMatchObject({ pending: 0, acked: 18 });
  });

  it('resends unacknowledged events after a reconnect', async () => {
    await publishRoster();
    hub.policy = () => 'hold';
    const k = await start({ ackTimeoutMs: 60_000 });
    await ready(k.out);
    const line = await tapVia(k, QR_G2);
    if (line.result !== 'ok') throw new Error('not ok');
    const id = line.events[0]?.id ?? '';
    await hub.until(() => hub.timesReceived(id) === 1, 'first delivery');
    hub.policy = () => 'ack';
    hub.dropClients();
    await k.out.until((items) => ackedIds(items).includes(id), 'ack after reconnect');
    expect(hub.timesReceived(id)).toBe(2);
  });

  it('resends an event not acknowledged in time on the same connection', async () => {
    await publishRoster();
    let deliveries = 0;
    // The hub "crashes before its commit" the first time: no ack. The second copy is acknowledged.
    hub.policy = () => (++deliveries === 1 ? 'hold' : 'ack');
    const k = await start({ ackTimeoutMs: 150 });
    await ready(k.out);
    const line = await tapVia(k, QR_G2);
    if (line.result !== 'ok') throw new Error('not ok');
    const id = line.events[0]?.id ?? '';
    await k.out.until((items) => ackedIds(items).includes(id), 'ack of the resent event');
    expect(hub.timesReceived(id)).toBe(2);
    expect(k.out.items.filter((l) => 'type' in l && l.type === 'connection')).toEqual([
      { type: 'connection', online: true },
    ]);
  });

  it('becomes ready from the cached roster with the hub unreachable, and works offline', async () => {
    await publishRoster(7);
    await hub.publish(topics.rollcall(FACILITY), makeRollcall('2026-04-01', { c3: 'present' }), true);
    const first = await start();
    await ready(first.out);
    await first.out.until((items) => items.find((l) => 'type' in l && l.type === 'rollcall'), 'roll-call');
    await stop(first);
    await hub.stop();

    const k = await start();
    expect(await ready(k.out)).toEqual({
      ready: true,
      device: DEVICE,
      facility: FACILITY,
      rosterVersion: 7,
      outbox: 0,
    });
    // The cached roll-call counts: c3 is present, so this is a check-out.
    expect(await tapVia(k, QR_G2)).toMatchObject({
      result: 'ok',
      events: [{ childId: 'c3', type: 'check_out', seq: 1 }],
    });
    expect(k.out.items.some((l) => 'type' in l && l.type === 'connection')).toBe(false);
  });

  it('records a burst of 400 piped taps in order with seq 1..400 and delivers them all', async () => {
    await publishRoster();
    const k = await start();
    await ready(k.out);
    k.input.write(tapLine(QR_G2).repeat(400));
    await k.out.until((items) => items.filter(isTap).length === 400, '400 tap lines');
    const lines = okTaps(k.out);
    expect(lines).toHaveLength(400);
    expect(lines.map((l) => l.events[0]?.seq)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect(lines.map((l) => l.events[0]?.type)).toEqual(
      Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? 'check_in' : 'check_out')),
    );
    await k.out.until((items) => ackedIds(items).length === 400, 'all acked');
    const firstSeen = [...new Map(hub.received.map((e) => [e.id, e])).values()];
    expect(firstSeen.map((e) => e.seq)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect(Math.max(...hub.messages.map((m) => m.events.length))).toBeLessThanOrEqual(100);
  });

  it('deletes acknowledged events after the retention period, at start', async () => {
    await publishRoster();
    const first = await start();
    await ready(first.out);
    const line = await tapVia(first, CARD_G1);
    if (line.result !== 'ok') throw new Error('tap not ok');
    await first.out.until((items) => (ackedIds(items).length === 2 ? true : undefined), 'acks');
    await stop(first);

    const kept = await start({ retentionDays: 30 }, undefined, START + 29 * 86_400_000);
    await ready(kept.out);
    expect(kept.kiosk.state().outbox).toMatchObject({ total: 2, acked: 2 });
    await stop(kept);
    const pruned = await start({ retentionDays: 30 }, undefined, START + 31 * 86_400_000);
    await ready(pruned.out);
    expect(pruned.kiosk.state().outbox).toMatchObject({ total: 0, pending: 0 });
  });

  it('announces itself online with its outbox depth and offline on close', async () => {
    await publishRoster();
    hub.policy = () => 'hold';
    const k = await start({ statusIntervalMs: 10 });
    await ready(k.out);
    await hub.until(() => hub.statuses.get(DEVICE)?.online, 'online status');
    await tapVia(k, CARD_G1);
    await hub.until(() => hub.statuses.get(DEVICE)?.outbox === 2, 'status with outbox 2');
    await stop(k);
    expect(hub.statuses.get(DEVICE)).toMatchObject({ online: false, outbox: 2 });
  });

  it('publishes the last will when it vanishes', async () => {
    await publishRoster();
    const k = await start({ reconnectPeriodMs: 60_000 });
    await ready(k.out);
    await hub.until(() => hub.statuses.get(DEVICE)?.online, 'online status');
    hub.dropClients();
    expect(
      await hub.until(() => hub.statuses.get(DEVICE)?.online === false && hub.statuses.get(DEVICE), 'will'),
    ).toEqual({
      online: false,
    });
  });

  it('adopts a new roster version and ignores invalid rosters and acks', async () => {
    await publishRoster();
    const k = await start();
    await ready(k.out);
    await hub.publish(topics.roster(FACILITY), { facilityId: FACILITY, version: 'x' }, true);
    await hub.publish(topics.roster(FACILITY), 'not json', true);
    await hub.ack(FACILITY, DEVICE, ['x'], [{ id: 'y', code: 'c', message: 'm' }]);
    await hub.publish(topics.acks(FACILITY, DEVICE), { acked: 'nope' });
    await publishRoster(2);
    await k.out.until(
      (items) => items.find((l) => 'type' in l && l.type === 'roster' && l.version === 2),
      'roster 2',
    );
    expect(k.kiosk.state().rosterVersion).toBe(2);
    expect(k.out.items.filter((l) => 'type' in l && (l.type === 'acked' || l.type === 'rejected'))).toEqual(
      [],
    );
    expect((await tapVia(k, CARD_G1)).result).toBe('ok');
  });

  it('binds its data directory to one device and refuses to switch facility with events undelivered', async () => {
    await publishRoster();
    hub.policy = () => 'hold';
    const k = await start();
    await ready(k.out);
    await tapVia(k, QR_G2);
    await stop(k);
    await expect(start({ deviceId: 'kiosk-2' })).rejects.toMatchObject({ code: 'device_mismatch' });
    await expect(start({ facilityId: 'elsewhere' })).rejects.toMatchObject({ code: 'facility_mismatch' });
    await expect(start({ readers: ['bogus'] })).rejects.toMatchObject({ code: 'unknown_reader' });
    // Same facility given explicitly: fine.
    const again = await start({ facilityId: FACILITY });
    expect(await ready(again.out)).toMatchObject({ facility: FACILITY, outbox: 1 });
  });

  it('with --facility, ignores rosters of other facilities', async () => {
    await hub.publish(topics.roster('other'), makeRoster({ facilityId: 'other', version: 9 }), true);
    await publishRoster(3);
    const k = await start({ facilityId: FACILITY });
    expect(await ready(k.out)).toMatchObject({ facility: FACILITY, rosterVersion: 3 });
  });

  describe('signed guardian QR codes', () => {
    it('checks in by a signed QR code like a card tap: method qr, actor the guardian', async () => {
      await publishRoster();
      const k = await start();
      await ready(k.out);
      const line = await tapVia(k, QR_G2);
      expect(line).toMatchObject({
        result: 'ok',
        guardian: { id: 'g2', name: 'Kenji' },
        events: [{ childId: 'c3', type: 'check_in', seq: 1 }],
      });
      const event = await hub.until(() => hub.received[0], 'event at the hub');
      expect(event).toMatchObject({ childId: 'c3', type: 'check_in', method: 'qr', actor: 'g2' });
      // The next scan of another valid code of the same guardian checks out.
      const out = await tapVia(k, signedQr('g2', QR_EXPIRES - 1));
      expect(out).toMatchObject({ result: 'ok', events: [{ childId: 'c3', type: 'check_out', seq: 2 }] });
    });

    it('refuses each bad code with its reason and a message, recording nothing', async () => {
      await publishRoster();
      const k = await start();
      await ready(k.out);
      const otherKey = importQrPrivateKey(generateQrKeyPair().privateKey);
      const cases: [QrRefusalReason, string][] = [
        ['malformed', 'GK1.nursery-1.g2.notanumber.sig'],
        ['unsigned', 'https://example.com/pickup?g=g2'],
        ['unsigned', 'g2'],
        ['forged', signGuardianQr(otherKey, { facilityId: FACILITY, guardianId: 'g2', expires: QR_EXPIRES })],
        ['forged', QR_G2.value.replace('.g2.', '.g1.')],
        ['other_facility', signedQr('g2', QR_EXPIRES, 'other-nursery').value],
        // 10:00 in Tokyo is START: a code that expired at that second is refused
        ['expired', signedQr('g2', START / 1000).value],
        ['unknown_guardian', signedQr('g99').value],
      ];
      for (const [reason, value] of cases) {
        expect(await tapVia(k, { kind: 'qr', value }), `${reason}: ${value}`).toEqual({
          type: 'tap',
          result: 'refused_qr',
          reason,
          message: qrRefusalMessage(reason),
          reader: 'stdin',
        });
      }
      expect(k.kiosk.state().outbox.total).toBe(0);
      // A code that expires one second later still works.
      expect((await tapVia(k, signedQr('g2', START / 1000 + 1))).result).toBe('ok');
    });

    it('has a Japanese and an English message for every reason', () => {
      for (const [reason, m] of Object.entries(QR_REFUSAL_MESSAGES)) {
        expect(m.ja.length, reason).toBeGreaterThan(5);
        expect(m.en.length, reason).toBeGreaterThan(5);
        expect(qrRefusalMessage(reason as QrRefusalReason)).toContain(m.ja);
      }
    });

    it('debounces a refused code like an unknown card', async () => {
      await publishRoster();
      const k = await start({ debounceMs: 30_000 });
      await ready(k.out);
      const expired = signedQr('g2', START / 1000);
      expect((await tapVia(k, expired)).result).toBe('refused_qr');
      expect(await tapVia(k, expired)).toEqual({
        type: 'tap',
        result: 'debounced',
        kind: 'qr',
        reader: 'stdin',
      });
    });
  });

  describe('amending a tap from its result screen', () => {
    /** Taps CARD_G1 (two children) and returns the ok line. */
    async function tapSiblings(k: TestKiosk): Promise<Extract<TapLine, { result: 'ok' }>> {
      const line = await tapVia(k, CARD_G1);
      if (line.result !== 'ok') throw new Error(`tap not ok: ${line.result}`);
      return line;
    }
    const amendLines = (out: Recorder<KioskOutputLine>) =>
      out.items.flatMap((l) => ('type' in l && l.type === 'amend' ? [l] : []));

    it('leaves a sibling out with a void of its event and puts it back with a new one', async () => {
      await publishRoster();
      const k = await start();
      await ready(k.out);
      const tap = await tapSiblings(k);
      const [hana, sora] = tap.events;
      if (!hana || !sora) throw new Error('two events expected');

      expect(k.kiosk.amend({ op: 'set_included', tapId: tap.tapId, childId: 'c2', included: false })).toEqual(
        {
          ok: true,
        },
      );
      expect(k.kiosk.tapView(tap.tapId)?.children.map((c) => [c.childId, c.included])).toEqual([
        ['c1', true],
        ['c2', false],
      ]);
      // Leaving out an excluded child again changes nothing.
      k.kiosk.amend({ op: 'set_included', tapId: tap.tapId, childId: 'c2', included: false });
      k.kiosk.amend({ op: 'set_included', tapId: tap.tapId, childId: 'c2', included: true });
      const amends = amendLines(k.out);
      expect(amends.map((a) => a.events.map((e) => [e.childId, e.type, e.voids]))).toEqual([
        [['c2', 'void', sora.id]],
        [],
        [['c2', 'check_in', undefined]],
      ]);
      expect(
        k.kiosk.amend({ op: 'set_included', tapId: tap.tapId, childId: 'c9', included: true }),
      ).toMatchObject({
        ok: false,
        code: 'unknown_child',
      });

      // Delivered in order: the hub receives the check-in before the void that names it.
      const all = [...tap.events.map((e) => e.id), ...amends.flatMap((a) => a.events.map((e) => e.id))];
      await k.out.until((items) => all.every((id) => ackedIds(items).includes(id)) || undefined, 'acks');
      expect(hub.received.map((e) => [e.childId, e.type, e.seq])).toEqual([
        ['c1', 'check_in', 1],
        ['c2', 'check_in', 2],
        ['c2', 'void', 3],
        ['c2', 'check_in', 4],
      ]);
      expect(hub.received[2]).toMatchObject({ method: 'card', actor: 'g1', voids: sora.id });
    });

    it('undoes a whole tap, so the next tap checks in again', async () => {
      await publishRoster();
      const k = await start();
      await ready(k.out);
      const tap = await tapSiblings(k);
      expect(k.kiosk.amend({ op: 'undo', tapId: tap.tapId })).toEqual({ ok: true });
      expect(k.kiosk.tapView(tap.tapId)).toMatchObject({ closed: true, undone: true });
      expect(amendLines(k.out)[0]?.events.map((e) => [e.type, e.voids])).toEqual(
        tap.events.map((e) => ['void', e.id]),
      );
      // Undone means not here: a second tap is a check-in, not a check-out.
      const again = await tapSiblings(k);
      expect(again.events.map((e) => e.type)).toEqual(['check_in', 'check_in']);
      // A closed tap cannot be changed any more.
      expect(k.kiosk.amend({ op: 'flip', tapId: tap.tapId })).toMatchObject({
        ok: false,
        code: 'tap_closed',
      });
    });

    it('changes direction with a void and the opposite event, and decides the next tap from it', async () => {
      await publishRoster();
      const k = await start();
      await ready(k.out);
      const tap = await tapSiblings(k);
      expect(k.kiosk.amend({ op: 'flip', tapId: tap.tapId })).toEqual({ ok: true });
      const flip = amendLines(k.out)[0];
      expect(flip?.events.map((e) => [e.childId, e.type])).toEqual([
        ['c1', 'void'],
        ['c1', 'check_out'],
        ['c2', 'void'],
        ['c2', 'check_out'],
      ]);
      expect(k.kiosk.tapView(tap.tapId)?.children.map((c) => c.direction)).toEqual([
        'check_out',
        'check_out',
      ]);
      k.kiosk.amend({ op: 'confirm', tapId: tap.tapId });
      // After a check-out the children are gone: the next tap checks them in.
      const next = await tapSiblings(k);
      expect(next.events.map((e) => e.type)).toEqual(['check_in', 'check_in']);
    });

    it('closes a tap after the amend window, on confirm, and when the next tap comes', async () => {
      await publishRoster();
      const k = await start({ amendWindowMs: 50 });
      await ready(k.out);
      const first = await tapSiblings(k);
      const second = await tapSiblings(k);
      expect(k.kiosk.amend({ op: 'undo', tapId: first.tapId })).toMatchObject({ code: 'tap_closed' });
      await vi.waitFor(() => {
        expect(k.kiosk.tapView(second.tapId)?.closed).toBe(true);
      });
      expect(k.kiosk.amend({ op: 'undo', tapId: second.tapId })).toMatchObject({ code: 'tap_closed' });
      expect(k.kiosk.amend({ op: 'undo', tapId: '0190a4c2-0000-7000-8000-000000000000' })).toMatchObject({
        code: 'tap_closed',
      });
      expect(amendLines(k.out)).toEqual([]);
    });
  });
});

describe('kiosk clock against the hub’s', () => {
  const HOUR = 3_600_000;
  // 01:00 on 2 April in Tokyo at the hub; the kiosk's clock says 22:00 on 1 April.
  const HUB_NOW = Date.parse('2026-04-01T16:00:00Z');

  const clockLines = (items: readonly KioskOutputLine[]) =>
    items.flatMap((l) => ('type' in l && l.type === 'clock' ? [l] : []));

  it('a kiosk started with its clock 3 hours behind the hub stamps taps with the hub’s time and says so', async () => {
    await publishRoster();
    await hub.publishTime(FACILITY, new Date(HUB_NOW));
    // The hub's roll-call of its day (2 April): c3 is present, so Kenji's tap is a check-out there.
    await hub.publish(topics.rollcall(FACILITY), makeRollcall('2026-04-02', { c3: 'present' }), true);
    const k = await start({}, undefined, HUB_NOW - 3 * HOUR);
    await ready(k.out);
    expect(await k.out.until((items) => clockLines(items)[0], 'clock line')).toEqual({
      type: 'clock',
      skewMs: 3 * HOUR,
      corrected: true,
    });
    expect(k.kiosk.state().clock).toEqual({ skewMs: 3 * HOUR, corrected: true, synced: true });
    await k.out.until((items) => items.find((l) => 'type' in l && l.type === 'rollcall'), 'roll-call');

    k.clock.advance(2000);
    const line = await tapVia(k, QR_G2);
    // The business day is the hub's (2 April), where c3 is present: a check-out.
    expect(line).toMatchObject({ result: 'ok', events: [{ childId: 'c3', type: 'check_out' }] });
    if (line.result !== 'ok') throw new Error('not ok');
    const id = line.events[0]?.id ?? '';
    await k.out.until((items) => ackedIds(items).includes(id) || undefined, 'ack');
    const event = hub.received.find((e) => e.id === id);
    expect(event?.occurredAt).toBe('2026-04-02T01:00:02.000+09:00');
    expect(event).not.toHaveProperty('clockDoubt');

    // QR expiry is judged by the hub's time too: a code that expired an hour ago (by the hub) is
    // refused, though the kiosk's own clock would still take it.
    const expired = signedQr('g1', Math.floor((HUB_NOW - HOUR) / 1000));
    expect(await tapVia(k, expired)).toMatchObject({ result: 'refused_qr', reason: 'expired' });

    // The device status says so, for the admin app's device list.
    const status = await hub.until(() => {
      const s = hub.statuses.get(DEVICE);
      return s?.clock?.corrected === true ? s : undefined;
    }, 'status with the clock corrected');
    expect(StatusSchema.safeParse(status).success).toBe(true);
    expect(status.clock).toEqual({ skewMs: 3 * HOUR, corrected: true, synced: true });
    expect(status.at?.startsWith('2026-04-02T01:00')).toBe(true);
  });

  it('flags stamps made before the hub’s time arrives, and holds (and flags) stamps of a clock set back', async () => {
    await publishRoster();
    hub.policy = () => 'hold';
    const k = await start();
    await ready(k.out);
    await online(k.out);
    const early = await tapVia(k, CARD_G1);
    if (early.result !== 'ok') throw new Error('not ok');
    await hub.until(() => hub.received.length >= 2, 'the early events');
    expect(hub.received.map((e) => e.clockDoubt)).toEqual(['unsynced', 'unsynced']);
    expect(k.kiosk.state().clock).toEqual({ skewMs: 0, corrected: false, synced: false });

    // The hub's time: 30 s ahead of the kiosk, within the 2 minutes, so the kiosk keeps its own clock.
    await hub.publishTime(FACILITY, new Date(START + 30_000));
    expect(await k.out.until((items) => clockLines(items)[0], 'clock line')).toEqual({
      type: 'clock',
      skewMs: 30_000,
      corrected: false,
    });
    k.clock.advance(1000);
    const fine = await tapVia(k, CARD_G1);
    if (fine.result !== 'ok') throw new Error('not ok');
    await hub.until(() => hub.received.length >= 4, 'the synced events');
    expect(hub.received.slice(2).map((e) => [e.occurredAt, e.clockDoubt])).toEqual([
      ['2026-04-01T10:00:01.000+09:00', undefined],
      ['2026-04-01T10:00:01.000+09:00', undefined],
    ]);

    // Someone sets the kiosk's clock back 10 minutes: stamps stay at the newest time seen, flagged.
    k.clock.advance(-10 * 60_000);
    const held = await tapVia(k, QR_G2);
    if (held.result !== 'ok') throw new Error('not ok');
    expect(k.kiosk.amend({ op: 'undo', tapId: held.tapId })).toEqual({ ok: true });
    await hub.until(() => hub.received.length >= 6, 'the held events');
    expect(hub.received.slice(4).map((e) => [e.type, e.occurredAt, e.clockDoubt])).toEqual([
      ['check_in', '2026-04-01T10:00:01.000+09:00', 'held_back'],
      ['void', '2026-04-01T10:00:01.000+09:00', 'held_back'],
    ]);
  });

  it('debounces on the kiosk’s own clock while its stamps are held', async () => {
    await publishRoster();
    const k = await start({ debounceMs: 30_000 });
    await ready(k.out);
    expect((await tapVia(k, CARD_G1)).result).toBe('ok');
    k.clock.advance(-10 * 60_000);
    expect((await tapVia(k, QR_G2)).result).toBe('ok');
    // 31 s later by the kiosk's clock, still held at the same stamp: a new tap, not a repeat.
    k.clock.advance(31_000);
    expect(await tapVia(k, QR_G2)).toMatchObject({ result: 'ok', events: [{ type: 'check_out' }] });
    expect(k.kiosk.maintenanceInfo().recent.map((e) => e.at)).toEqual(
      Array.from({ length: 4 }, () => '2026-04-01T10:00:00.000+09:00'),
    );
  });

  it('remembers the newest time across a restart with the clock set back', async () => {
    await publishRoster();
    await hub.publishTime(FACILITY, new Date(START));
    const first = await start();
    await ready(first.out);
    await first.out.until((items) => clockLines(items)[0], 'clock line');
    expect((await tapVia(first, CARD_G1)).result).toBe('ok');
    await first.out.until((items) => (ackedIds(items).length === 2 ? true : undefined), 'acks');
    await stop(first);
    await hub.stop();

    // Back up 3 hours early (a flat RTC battery), with the hub unreachable.
    const k = await start({}, undefined, START - 3 * HOUR);
    await ready(k.out);
    const line = await tapVia(k, QR_G2);
    if (line.result !== 'ok') throw new Error('not ok');
    const stored = k.kiosk.maintenanceInfo().recent[0];
    expect(stored?.at).toBe('2026-04-01T10:00:00.000+09:00');
    await hub.start();
    await k.out.until((items) => ackedIds(items).includes(line.events[0]?.id ?? ''), 'ack after restart');
    expect(hub.received.at(-1)).toMatchObject({
      occurredAt: '2026-04-01T10:00:00.000+09:00',
      clockDoubt: 'held_back',
    });
  });
});
