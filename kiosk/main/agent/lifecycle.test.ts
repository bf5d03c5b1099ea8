import { describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import { ackedIds, DEVICE, ready, START, tapVia, useKioskAgent } from '../../../test/support/kiosk/agent.ts';
import { CARD_G1, FACILITY, makeRollcall, QR_G2 } from '../../../test/support/kiosk/fixtures.ts';

// Starting → ready (agent/lifecycle.ts, facility.ts): the roster from the hub or the cache, the data
// directory's binding, and the upkeep done at start.

const env = useKioskAgent();
const { start, stop, publishRoster } = env;

describe('kiosk agent: start-up', () => {
  it('says no_roster before any roster is known, then becomes ready when one arrives', async () => {
    const k = await start();
    expect(await tapVia(k, CARD_G1)).toEqual({ type: 'tap', result: 'no_roster', reader: 'stdin' });
    expect(k.out.items.some((l) => 'ready' in l)).toBe(false);
    await publishRoster(5);
    expect(await ready(k.out)).toMatchObject({ facility: FACILITY, rosterVersion: 5 });
    // Having learnt the facility, the kiosk reconnects with its last will and announces itself.
    await env.hub.until(() => env.hub.statuses.get(DEVICE)?.online, 'online status');
    expect((await tapVia(k, CARD_G1)).result).toBe('ok');
  });

  it('becomes ready from the cached roster with the hub unreachable, and works offline', async () => {
    await publishRoster(7);
    await env.hub.publish(topics.rollcall(FACILITY), makeRollcall('2026-04-01', { c3: 'present' }), true);
    const first = await start();
    await ready(first.out);
    await first.out.until((items) => items.find((l) => 'type' in l && l.type === 'rollcall'), 'roll-call');
    await stop(first);
    await env.hub.stop();

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

  it('binds its data directory to one device and refuses to switch facility with events undelivered', async () => {
    await publishRoster();
    env.hub.policy = () => 'hold';
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
});
