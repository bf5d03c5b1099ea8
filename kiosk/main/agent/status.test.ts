import { describe, expect, it } from 'vitest';
import { StatusSchema, topics } from '../../../protocol/index.ts';
import {
  ackedIds,
  DEVICE,
  online,
  ready,
  START,
  tapVia,
  useKioskAgent,
} from '../../../test/support/kiosk/agent.ts';
import { CARD_G1, FACILITY, makeRollcall, QR_G2, signedQr } from '../../../test/support/kiosk/fixtures.ts';
import type { KioskOutputLine } from '../../common/output.ts';

// The device status (agent/status.ts) and the kiosk's clock against the hub's (agent/time.ts).

const env = useKioskAgent();
const { start, stop, publishRoster } = env;

describe('kiosk agent: status', () => {
  it('announces itself online with its outbox depth and offline on close', async () => {
    await publishRoster();
    env.hub.policy = () => 'hold';
    const k = await start({ statusIntervalMs: 10 });
    await ready(k.out);
    await env.hub.until(() => env.hub.statuses.get(DEVICE)?.online, 'online status');
    await tapVia(k, CARD_G1);
    await env.hub.until(() => env.hub.statuses.get(DEVICE)?.outbox === 2, 'status with outbox 2');
    await stop(k);
    expect(env.hub.statuses.get(DEVICE)).toMatchObject({ online: false, outbox: 2 });
  });

  it('publishes the last will when it vanishes', async () => {
    await publishRoster();
    const k = await start({ reconnectPeriodMs: 60_000 });
    await ready(k.out);
    await env.hub.until(() => env.hub.statuses.get(DEVICE)?.online, 'online status');
    env.hub.dropClients();
    expect(
      await env.hub.until(
        () => env.hub.statuses.get(DEVICE)?.online === false && env.hub.statuses.get(DEVICE),
        'will',
      ),
    ).toEqual({
      online: false,
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
    await env.hub.publishTime(FACILITY, new Date(HUB_NOW));
    // The hub's roll-call of its day (2 April): c3 is present, so Kenji's tap is a check-out there.
    await env.hub.publish(topics.rollcall(FACILITY), makeRollcall('2026-04-02', { c3: 'present' }), true);
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
    const event = env.hub.received.find((e) => e.id === id);
    expect(event?.occurredAt).toBe('2026-04-02T01:00:02.000+09:00');
    expect(event).not.toHaveProperty('clockDoubt');

    // QR expiry is judged by the hub's time too: a code that expired an hour ago (by the hub) is
    // refused, though the kiosk's own clock would still take it.
    const expired = signedQr('g1', Math.floor((HUB_NOW - HOUR) / 1000));
    expect(await tapVia(k, expired)).toMatchObject({ result: 'refused_qr', reason: 'expired' });

    // The device status says so, for the admin app's device list.
    const status = await env.hub.until(() => {
      const s = env.hub.statuses.get(DEVICE);
      return s?.clock?.corrected === true ? s : undefined;
    }, 'status with the clock corrected');
    expect(StatusSchema.safeParse(status).success).toBe(true);
    expect(status.clock).toEqual({ skewMs: 3 * HOUR, corrected: true, synced: true });
    expect(status.at?.startsWith('2026-04-02T01:00')).toBe(true);
  });

  it('flags stamps made before the hub’s time arrives, and holds (and flags) stamps of a clock set back', async () => {
    await publishRoster();
    env.hub.policy = () => 'hold';
    // The same card twice a second apart: the reversal guard off, this is about the stamps.
    const k = await start({ reversalGuardMs: 0 });
    await ready(k.out);
    await online(k.out);
    const early = await tapVia(k, CARD_G1);
    if (early.result !== 'ok') throw new Error('not ok');
    await env.hub.until(() => env.hub.received.length >= 2, 'the early events');
    expect(env.hub.received.map((e) => e.clockDoubt)).toEqual(['unsynced', 'unsynced']);
    expect(k.kiosk.state().clock).toEqual({ skewMs: 0, corrected: false, synced: false });

    // The hub's time: 30 s ahead of the kiosk, within the 2 minutes, so the kiosk keeps its own clock.
    await env.hub.publishTime(FACILITY, new Date(START + 30_000));
    expect(await k.out.until((items) => clockLines(items)[0], 'clock line')).toEqual({
      type: 'clock',
      skewMs: 30_000,
      corrected: false,
    });
    k.clock.advance(1000);
    const fine = await tapVia(k, CARD_G1);
    if (fine.result !== 'ok') throw new Error('not ok');
    await env.hub.until(() => env.hub.received.length >= 4, 'the synced events');
    expect(env.hub.received.slice(2).map((e) => [e.occurredAt, e.clockDoubt])).toEqual([
      ['2026-04-01T10:00:01.000+09:00', undefined],
      ['2026-04-01T10:00:01.000+09:00', undefined],
    ]);

    // Someone sets the kiosk's clock back 10 minutes: stamps stay at the newest time seen, flagged.
    k.clock.advance(-10 * 60_000);
    const held = await tapVia(k, QR_G2);
    if (held.result !== 'ok') throw new Error('not ok');
    expect(k.kiosk.amend({ op: 'undo', tapId: held.tapId })).toEqual({ ok: true });
    await env.hub.until(() => env.hub.received.length >= 6, 'the held events');
    expect(env.hub.received.slice(4).map((e) => [e.type, e.occurredAt, e.clockDoubt])).toEqual([
      ['check_in', '2026-04-01T10:00:01.000+09:00', 'held_back'],
      ['void', '2026-04-01T10:00:01.000+09:00', 'held_back'],
    ]);
  });

  it('debounces on the kiosk’s own clock while its stamps are held', async () => {
    await publishRoster();
    const k = await start({ debounceMs: 30_000, reversalGuardMs: 0 });
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
    await env.hub.publishTime(FACILITY, new Date(START));
    const first = await start();
    await ready(first.out);
    await first.out.until((items) => clockLines(items)[0], 'clock line');
    expect((await tapVia(first, CARD_G1)).result).toBe('ok');
    await first.out.until((items) => (ackedIds(items).length === 2 ? true : undefined), 'acks');
    await stop(first);
    await env.hub.stop();

    // Back up 3 hours early (a flat RTC battery), with the hub unreachable.
    const k = await start({}, undefined, START - 3 * HOUR);
    await ready(k.out);
    const line = await tapVia(k, QR_G2);
    if (line.result !== 'ok') throw new Error('not ok');
    const stored = k.kiosk.maintenanceInfo().recent[0];
    expect(stored?.at).toBe('2026-04-01T10:00:00.000+09:00');
    await env.hub.start();
    await k.out.until((items) => ackedIds(items).includes(line.events[0]?.id ?? ''), 'ack after restart');
    expect(env.hub.received.at(-1)).toMatchObject({
      occurredAt: '2026-04-01T10:00:00.000+09:00',
      clockDoubt: 'held_back',
    });
  });
});
