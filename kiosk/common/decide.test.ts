import { describe, expect, it } from 'vitest';
import { RollcallSchema, RosterSchema } from '../../protocol/index.ts';
import {
  dayRecords,
  decideTap,
  dayState,
  directionFor,
  indexRoster,
  majorityDirection,
  type OwnEvent,
  type TapDecision,
} from './decide.ts';
import {
  CARD_G1,
  CARD_G3,
  CARD_UNKNOWN,
  rosterHash,
  makeRollcall,
  makeRoster,
  CARD_G2,
} from '../../test/support/kiosk/fixtures.ts';

const roster = makeRoster();
const index = indexRoster(roster);
// 2026-04-01 10:00 in Tokyo.
const NOW = new Date('2026-04-01T01:00:00Z');
const TODAY = '2026-04-01';

function types(d: TapDecision): Record<string, string> {
  if (d.result !== 'ok') throw new Error(`expected ok, got ${d.result}`);
  return Object.fromEntries(d.children.map((c) => [c.child.id, c.type]));
}

function decide(hashOf = CARD_G1, rollcall = makeRollcall(TODAY), ownEvents: OwnEvent[] = []) {
  return decideTap({
    index,
    credentialHash: rosterHash(hashOf),
    rollcall,
    ownEvents,
    now: NOW,
  });
}

const own = (childId: string, type: OwnEvent['type'], occurredAt = '2026-04-01T09:30:00.000+09:00') => ({
  childId,
  type,
  occurredAt,
});

describe('fixtures', () => {
  it('are valid protocol documents', () => {
    expect(RosterSchema.safeParse(roster).success).toBe(true);
    expect(RollcallSchema.safeParse(makeRollcall(TODAY)).success).toBe(true);
  });
});

describe('decideTap', () => {
  it('checks in every child of the guardian when none is present', () => {
    const d = decide();
    expect(d.result === 'ok' && d.guardian.id).toBe('g1');
    expect(types(d)).toEqual({ c1: 'check_in', c2: 'check_in' });
  });

  it('checks out a child the roll-call shows present, and in one who left or is absent', () => {
    expect(types(decide(CARD_G1, makeRollcall(TODAY, { c1: 'present', c2: 'left' })))).toEqual({
      c1: 'check_out',
      c2: 'check_in',
    });
    expect(types(decide(CARD_G2, makeRollcall(TODAY, { c3: 'absent' })))).toEqual({ c3: 'check_in' });
  });

  it('applies the kiosk’s own pending events on top of the roll-call, in order', () => {
    expect(types(decide(CARD_G1, makeRollcall(TODAY), [own('c1', 'check_in')]))).toEqual({
      c1: 'check_out',
      c2: 'check_in',
    });
    expect(
      types(
        decide(CARD_G1, makeRollcall(TODAY, { c1: 'present' }), [
          own('c1', 'check_out'),
          own('c2', 'check_in'),
        ]),
      ),
    ).toEqual({ c1: 'check_in', c2: 'check_out' });
    expect(types(decide(CARD_G1, undefined, [own('c1', 'check_in'), own('c1', 'check_out')]))).toEqual({
      c1: 'check_in',
      c2: 'check_in',
    });
  });

  it('ignores a roll-call of another day or facility, and own events of another local day', () => {
    expect(types(decide(CARD_G1, makeRollcall('2026-03-31', { c1: 'present' })))).toEqual({
      c1: 'check_in',
      c2: 'check_in',
    });
    expect(types(decide(CARD_G1, makeRollcall(TODAY, { c1: 'present' }, 'other')))).toEqual({
      c1: 'check_in',
      c2: 'check_in',
    });
    // 23:30 UTC on 31 March is already 1 April in Tokyo; 14:59 UTC on 31 March is still 31 March.
    expect(
      types(
        decide(CARD_G1, undefined, [
          own('c1', 'check_in', '2026-03-31T23:30:00Z'),
          own('c2', 'check_in', '2026-03-31T14:59:00Z'),
        ]),
      ),
    ).toEqual({ c1: 'check_out', c2: 'check_in' });
  });

  it('reports unknown credentials and guardians without children on the roster', () => {
    expect(decide(CARD_UNKNOWN)).toEqual({ result: 'unknown_credential' });
    const d = decide(CARD_G3);
    expect(d.result).toBe('no_children');
  });

  it('keeps the first guardian of a credential registered twice', () => {
    const twice = makeRoster({
      guardians: [
        ...roster.guardians,
        { id: 'g9', name: 'Dup', childIds: ['c1'], credentials: [rosterHash(CARD_G2)] },
      ],
    });
    const d = decideTap({
      index: indexRoster(twice),
      credentialHash: rosterHash(CARD_G2),
      rollcall: undefined,
      ownEvents: [],
      now: NOW,
    });
    expect(d.result === 'ok' && d.guardian.id).toBe('g2');
  });
});

describe('dayState and directionFor', () => {
  it('ignores a void of an event it does not know, which the roll-call will reflect', () => {
    const state = dayState({
      roster,
      today: TODAY,
      rollcall: makeRollcall(TODAY, { c1: 'present' }),
      ownEvents: [own('c1', 'void')],
    });
    expect(state.get('c1')).toBe('present');
  });

  it('undoes its own last event with a void, whether the roll-call already shows that event or not', () => {
    const state = (rollcall: Parameters<typeof makeRollcall>[1], ownEvents: OwnEvent[]) =>
      dayState({ roster, today: TODAY, rollcall: makeRollcall(TODAY, rollcall), ownEvents }).get('c1');
    const voidOf = (voidedType: OwnEvent['type']): OwnEvent => ({ ...own('c1', 'void'), voidedType });
    // Check-in undone: not here, whether the check-in is still pending or already in the roll-call.
    expect(state({}, [own('c1', 'check_in'), voidOf('check_in')])).toBe('not_arrived');
    expect(state({ c1: 'present' }, [voidOf('check_in')])).toBe('not_arrived');
    // Check-out undone: still here.
    expect(state({ c1: 'left' }, [voidOf('check_out')])).toBe('present');
    // Direction changed: void, then the opposite event.
    expect(state({}, [own('c1', 'check_in'), voidOf('check_in'), own('c1', 'check_out')])).toBe('left');
  });

  it('checks out only a present child', () => {
    expect(directionFor('present')).toBe('check_out');
    for (const s of ['not_arrived', 'left', 'absent', undefined] as const)
      expect(directionFor(s)).toBe('check_in');
  });
});

describe('each child’s own direction and the reversal guard', () => {
  const ok = (d: TapDecision) => {
    if (d.result !== 'ok') throw new Error(`expected ok, got ${d.result}`);
    return d;
  };
  const summary = (d: TapDecision) =>
    ok(d).children.map((c) => [c.child.id, c.type, c.included, c.reversal] as const);
  const guarded = (ownEvents: OwnEvent[], rollcall = makeRollcall(TODAY), now = NOW) =>
    decideTap({
      index,
      credentialHash: rosterHash(CARD_G1),
      rollcall,
      ownEvents,
      now,
      reversalGuardMs: 10 * 60_000,
    });

  it('includes only the children whose own next step agrees with the tap’s direction', () => {
    // One sibling stayed home in the morning: at pick-up she is not checked in.
    const d = ok(decide(CARD_G1, makeRollcall(TODAY, { c1: 'present' })));
    expect(d.direction).toBe('check_out');
    expect(summary(d)).toEqual([
      ['c1', 'check_out', true, false],
      ['c2', 'check_in', false, false],
    ]);
    expect(d.held).toBe(false);
  });

  it('takes the majority direction, the first child’s on a tie', () => {
    expect(majorityDirection(['check_in', 'check_out', 'check_out'])).toBe('check_out');
    expect(majorityDirection(['check_in', 'check_out'])).toBe('check_in');
    expect(majorityDirection(['check_out', 'check_in'])).toBe('check_out');
  });

  it('holds a tap that reverses a child’s event of less than the guard ago, recording nothing', () => {
    // Checked in at 09:59:10, tapped again at 10:00: 50 s later.
    const d = ok(
      guarded([
        own('c1', 'check_in', '2026-04-01T09:59:10.000+09:00'),
        own('c2', 'check_in', '2026-04-01T09:59:10.000+09:00'),
      ]),
    );
    expect(d.held).toBe(true);
    expect(summary(d)).toEqual([
      ['c1', 'check_out', false, true],
      ['c2', 'check_out', false, true],
    ]);
    expect(d.children[0]?.last).toEqual({ type: 'check_in', at: '2026-04-01T09:59:10.000+09:00' });
  });

  it('does not hold past the guard, nor without one, nor from the roll-call’s older times', () => {
    const early = [
      own('c1', 'check_in', '2026-04-01T09:49:59.000+09:00'),
      own('c2', 'check_in', '2026-04-01T09:49:59.000+09:00'),
    ];
    expect(ok(guarded(early)).held).toBe(false);
    expect(
      ok(decide(CARD_G1, makeRollcall(TODAY), [own('c1', 'check_in', '2026-04-01T09:59:00.000+09:00')])).held,
    ).toBe(false);
    const rollcall = makeRollcall(TODAY, { c1: 'present', c2: 'present' });
    for (const c of rollcall.classes[0]?.children ?? []) c.checkInAt = '2026-04-01T09:55:00.000+09:00';
    expect(ok(guarded([], rollcall)).held).toBe(true);
    expect(ok(guarded([], rollcall, new Date('2026-04-01T01:06:00Z'))).held).toBe(false);
  });

  it('keeps the last event of each child: the roll-call’s times, then its own events', () => {
    const rollcall = makeRollcall(TODAY, { c1: 'left' });
    const c1 = rollcall.classes[0]?.children[0];
    if (c1) c1.checkOutAt = '2026-04-01T09:00:00.000+09:00';
    const days = dayRecords({ roster, today: TODAY, rollcall, ownEvents: [own('c2', 'check_in')] });
    expect(days.get('c1')).toEqual({
      status: 'left',
      last: { type: 'check_out', at: '2026-04-01T09:00:00.000+09:00' },
    });
    expect(days.get('c2')).toEqual({
      status: 'present',
      last: { type: 'check_in', at: '2026-04-01T09:30:00.000+09:00' },
    });
  });
});
