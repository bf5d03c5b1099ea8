import { describe, expect, it, vi } from 'vitest';
import type { Recorder } from '../../../test/support/kiosk/fake-hub.ts';
import { ackedIds, ready, tapVia, useKioskAgent, type TestKiosk } from '../../../test/support/kiosk/agent.ts';
import { CARD_G1 } from '../../../test/support/kiosk/fixtures.ts';
import type { KioskOutputLine, TapLine } from '../../common/output.ts';

// Changing a recorded tap from its result screen (agent/open-taps.ts).

const env = useKioskAgent();
const { start, publishRoster } = env;

describe('kiosk agent: amending a tap from its result screen', () => {
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

    expect(k.kiosk.amend({ op: 'set_included', tapId: tap.tapId, childId: 'c2', included: false })).toEqual({
      ok: true,
    });
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
    expect(env.hub.received.map((e) => [e.childId, e.type, e.seq])).toEqual([
      ['c1', 'check_in', 1],
      ['c2', 'check_in', 2],
      ['c2', 'void', 3],
      ['c2', 'check_in', 4],
    ]);
    expect(env.hub.received[2]).toMatchObject({ method: 'card', actor: 'g1', voids: sora.id });
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
    // The guard off: the next tap right after a check-out would otherwise be held (taps.test.ts).
    const k = await start({ reversalGuardMs: 0 });
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
    expect(k.kiosk.tapView(tap.tapId)?.children.map((c) => c.direction)).toEqual(['check_out', 'check_out']);
    k.kiosk.amend({ op: 'confirm', tapId: tap.tapId });
    // After a check-out the children are gone: the next tap checks them in.
    const next = await tapSiblings(k);
    expect(next.events.map((e) => e.type)).toEqual(['check_in', 'check_in']);
  });

  it('closes a tap after the amend window, on confirm, and when the next tap comes', async () => {
    await publishRoster();
    const k = await start({ amendWindowMs: 50, reversalGuardMs: 0 });
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
