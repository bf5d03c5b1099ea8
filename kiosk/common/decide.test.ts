import { describe, expect, it } from 'vitest';
import { credentialHash } from '../../protocol/credentials.ts';
import { RollcallSchema, RosterSchema } from '../../protocol/index.ts';
import { decideTap, dayState, directionFor, indexRoster, type OwnEvent, type TapDecision } from './decide.ts';
import {
  CARD_G1,
  CARD_G3,
  CARD_UNKNOWN,
  CREDENTIAL_KEY,
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
    credentialHash: credentialHash(CREDENTIAL_KEY, hashOf),
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
        { id: 'g9', name: 'Dup', childIds: ['c1'], credentials: [credentialHash(CREDENTIAL_KEY, CARD_G2)] },
      ],
    });
    const d = decideTap({
      index: indexRoster(twice),
      credentialHash: credentialHash(CREDENTIAL_KEY, CARD_G2),
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
