import { describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import type { KioskPickups } from '../../../protocol/parent-pickups.ts';
import { online, ready, tapVia, useKioskAgent } from '../../../test/support/kiosk/agent.ts';
import { CARD_G1, FACILITY } from '../../../test/support/kiosk/fixtures.ts';
import { PickupPlans } from './pickups.ts';

// Today's pickup plans from the hub's retained topics.pickups (agent/pickups.ts, agent/hub-messages.ts),
// shown on the tap result (agent/open-taps.ts).

const granny = { time: '17:30', personName: '山田 花子', relation: '祖母', someoneElse: false };

describe('pickup plans kept for the tap result', () => {
  it('takes the plans of today only, and shows none once their day is over', () => {
    const plans = new PickupPlans();
    expect(plans.accept({ date: '2026-03-31', plans: [{ childId: 'c1', ...granny }] }, '2026-04-01')).toBe(
      false,
    );
    expect(plans.forChild('c1', '2026-04-01')).toBeUndefined();
    expect(plans.accept({ date: '2026-04-01', plans: [{ childId: 'c1', ...granny }] }, '2026-04-01')).toBe(
      true,
    );
    expect(plans.forChild('c1', '2026-04-01')).toEqual(granny);
    expect(plans.forChild('c2', '2026-04-01')).toBeUndefined();
    expect(plans.forChild('c1', '2026-04-02')).toBeUndefined();
    // A later message replaces the whole set (a plan withdrawn is gone).
    plans.accept({ date: '2026-04-01', plans: [] }, '2026-04-01');
    expect(plans.forChild('c1', '2026-04-01')).toBeUndefined();
  });
});

const env = useKioskAgent();

describe('kiosk agent: the hub’s pickup plans', () => {
  it('shows today’s plan of a tapped guardian’s child, and ignores another day’s and invalid ones', async () => {
    await env.publishRoster();
    // The agent's clock starts at 2026-04-01 10:00 in Tokyo.
    const today: KioskPickups = {
      date: '2026-04-01',
      plans: [
        { childId: 'c1', ...granny },
        { childId: 'c2', time: '17:45', personName: '鈴木 一郎', relation: '', someoneElse: true },
      ],
    };
    await env.hub.publish(topics.pickups(FACILITY), today, true);
    const k = await env.start();
    await ready(k.out);
    await online(k.out);
    // Published after the retained one: invalid, then of another day; both ignored. A roster after them
    // comes in order on the same connection: once it is in use, they have been handled.
    await env.hub.publish(topics.pickups(FACILITY), { date: '2026-04-01', plans: 'x' }, true);
    await env.hub.publish(topics.pickups(FACILITY), { date: '2026-03-31', plans: [] }, true);
    await env.publishRoster(2);
    await k.out.until(
      (items) => items.find((l) => 'type' in l && l.type === 'roster' && l.version === 2),
      'roster 2',
    );
    const line = await tapVia(k, CARD_G1);
    if (line.result !== 'ok') throw new Error('not ok');
    const view = k.kiosk.tapView(line.tapId);
    expect(view?.children.map((c) => [c.childId, c.pickup])).toEqual([
      ['c1', granny],
      ['c2', { time: '17:45', personName: '鈴木 一郎', relation: '', someoneElse: true }],
    ]);
  });

  it('shows no plan without a message from the hub', async () => {
    await env.publishRoster();
    const k = await env.start();
    await ready(k.out);
    const line = await tapVia(k, CARD_G1);
    if (line.result !== 'ok') throw new Error('not ok');
    expect(k.kiosk.tapView(line.tapId)?.children.every((c) => !('pickup' in c))).toBe(true);
  });
});
