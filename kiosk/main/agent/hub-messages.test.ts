import { describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import { ackedIds, DEVICE, online, ready, tapVia, useKioskAgent } from '../../../test/support/kiosk/agent.ts';
import { CARD_G1, FACILITY, makeRoster, QR_G2 } from '../../../test/support/kiosk/fixtures.ts';

// What the hub sends (agent/hub-messages.ts): rosters, acknowledgements and rejections, and the
// resending they drive.

const env = useKioskAgent();
const { start, publishRoster } = env;

describe('kiosk agent: hub messages and delivery', () => {
  it('marks a rejected event and never sends it again, while unacknowledged ones are resent', async () => {
    await publishRoster();
    // c1's event is refused; c2's is never acknowledged, so it keeps being resent on the ack timeout.
    env.hub.policy = (e) =>
      e.childId === 'c1' ? { code: 'unknown_child', message: 'childId is not on the roster' } : 'hold';
    const k = await start({ ackTimeoutMs: 100 });
    await ready(k.out);
    const line = await tapVia(k, CARD_G1);
    if (line.result !== 'ok') throw new Error('not ok');
    const [c1, c2] = line.events.map((e) => e.id) as [string, string];
    expect(
      await k.out.until((items) => items.find((l) => 'type' in l && l.type === 'rejected'), 'rejected line'),
    ).toEqual({ type: 'rejected', id: c1, code: 'unknown_child', message: 'childId is not on the roster' });
    await env.hub.until(() => env.hub.timesReceived(c2) >= 3, 'c2 resent twice');
    expect(env.hub.timesReceived(c1)).toBe(1);
    // A reconnect resends what is pending, and still not the rejected one.
    const before = env.hub.timesReceived(c2);
    env.hub.dropClients();
    await env.hub.until(() => env.hub.timesReceived(c2) > before, 'c2 after reconnect');
    expect(env.hub.timesReceived(c1)).toBe(1);
    expect(k.kiosk.state().outbox).toMatchObject({ pending: 1, rejected: 1 });
  });

  it('records taps while the hub is down and drains them oldest first when it returns', async () => {
    await publishRoster();
    // The guard off: the same cards are tapped again and again.
    const k = await start({ reversalGuardMs: 0 });
    await ready(k.out);
    await online(k.out);
    await env.hub.stop();
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
    await env.hub.start();
    await publishRoster();
    await k.out.until((items) => ackedIds(items).length === 18, 'all acked');
    // First arrivals in seq order, 1..18 with no gap, and each id once before any resend.
    const firstSeen = [...new Map(env.hub.received.map((e) => [e.id, e])).values()];
    expect(firstSeen.map((e) => e.id)).toEqual(ids);
    expect(firstSeen.map((e) => e.seq)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    expect(k.kiosk.state().outbox).toMatchObject({ pending: 0, acked: 18 });
  });

  it('resends unacknowledged events after a reconnect', async () => {
    await publishRoster();
    env.hub.policy = () => 'hold';
    const k = await start({ ackTimeoutMs: 60_000 });
    await ready(k.out);
    const line = await tapVia(k, QR_G2);
    if (line.result !== 'ok') throw new Error('not ok');
    const id = line.events[0]?.id ?? '';
    await env.hub.until(() => env.hub.timesReceived(id) === 1, 'first delivery');
    env.hub.policy = () => 'ack';
    env.hub.dropClients();
    await k.out.until((items) => ackedIds(items).includes(id), 'ack after reconnect');
    expect(env.hub.timesReceived(id)).toBe(2);
  });

  it('resends an event not acknowledged in time on the same connection', async () => {
    await publishRoster();
    let deliveries = 0;
    // The hub "crashes before its commit" the first time: no ack. The second copy is acknowledged.
    env.hub.policy = () => (++deliveries === 1 ? 'hold' : 'ack');
    const k = await start({ ackTimeoutMs: 150 });
    await ready(k.out);
    const line = await tapVia(k, QR_G2);
    if (line.result !== 'ok') throw new Error('not ok');
    const id = line.events[0]?.id ?? '';
    await k.out.until((items) => ackedIds(items).includes(id), 'ack of the resent event');
    expect(env.hub.timesReceived(id)).toBe(2);
    expect(k.out.items.filter((l) => 'type' in l && l.type === 'connection')).toEqual([
      { type: 'connection', online: true },
    ]);
  });

  it('adopts a new roster version and ignores invalid rosters and acks', async () => {
    await publishRoster();
    const k = await start();
    await ready(k.out);
    await env.hub.publish(topics.roster(FACILITY), { facilityId: FACILITY, version: 'x' }, true);
    await env.hub.publish(topics.roster(FACILITY), 'not json', true);
    await env.hub.ack(FACILITY, DEVICE, ['x'], [{ id: 'y', code: 'c', message: 'm' }]);
    await env.hub.publish(topics.acks(FACILITY, DEVICE), { acked: 'nope' });
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

  it('with --facility, ignores rosters of other facilities', async () => {
    await env.hub.publish(topics.roster('other'), makeRoster({ facilityId: 'other', version: 9 }), true);
    await publishRoster(3);
    const k = await start({ facilityId: FACILITY });
    expect(await ready(k.out)).toMatchObject({ facility: FACILITY, rosterVersion: 3 });
  });
});
