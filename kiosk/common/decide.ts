import type { AttendanceEvent, EventType, Rollcall, RollcallStatus, Roster } from '../../protocol/index.ts';
import { localDate } from '../../common/time.ts';

/**
 * What a tap means: the direction decision, kept pure so every environment (agent, renderer preview,
 * tests) agrees on it. A tap records `check_in` for each of the guardian's children unless the child is
 * present today, then `check_out`.
 */

export type RosterGuardian = Roster['guardians'][number];
export type RosterChild = Roster['children'][number];

export interface RosterIndex {
  readonly roster: Roster;
  readonly guardianByCredential: ReadonlyMap<string, RosterGuardian>;
  /** Signed QR codes name the guardian by id (protocol/qr.ts). */
  readonly guardianById: ReadonlyMap<string, RosterGuardian>;
  readonly childById: ReadonlyMap<string, RosterChild>;
  readonly classNameById: ReadonlyMap<string, string>;
}

export function indexRoster(roster: Roster): RosterIndex {
  const guardianByCredential = new Map<string, RosterGuardian>();
  for (const g of roster.guardians) {
    // A credential registered twice keeps its first guardian, so a tap always means the same person.
    for (const hash of g.credentials) if (!guardianByCredential.has(hash)) guardianByCredential.set(hash, g);
  }
  const guardianById = new Map<string, RosterGuardian>();
  for (const g of roster.guardians) if (!guardianById.has(g.id)) guardianById.set(g.id, g);
  return {
    roster,
    guardianByCredential,
    guardianById,
    childById: new Map(roster.children.map((c) => [c.id, c])),
    classNameById: new Map(roster.classes.map((c) => [c.id, c.name])),
  };
}

/** The guardian's children that are on the roster, in the guardian's order, each once. */
export function childrenOf(index: RosterIndex, guardian: RosterGuardian): RosterChild[] {
  const out: RosterChild[] = [];
  for (const id of new Set(guardian.childIds)) {
    const child = index.childById.get(id);
    if (child) out.push(child);
  }
  return out;
}

/**
 * The kiosk's own event, as far as the day state needs it. A void carries the type of the event it
 * voids (`voidedType`), when that event is one of this kiosk's own.
 */
export type OwnEvent = Pick<AttendanceEvent, 'childId' | 'type' | 'occurredAt'> & {
  voidedType?: EventType | undefined;
};

/**
 * The status an event leaves its child in. A kiosk voids only its own latest event of the child (the
 * undo and change-direction buttons, seconds after the tap), so a void restores the status that event
 * was recorded from: present before a check-out, not present before a check-in. Undefined for a void
 * of something else, which the hub's roll-call will reflect.
 */
export function statusAfter(event: Pick<OwnEvent, 'type' | 'voidedType'>): RollcallStatus | undefined {
  switch (event.type) {
    case 'check_in':
      return 'present';
    case 'check_out':
      return 'left';
    case 'absent':
      return 'absent';
    case 'void':
      switch (event.voidedType) {
        case 'check_out':
          return 'present';
        case 'check_in':
        case 'absent':
          return 'not_arrived';
        case 'void':
        case undefined:
          return undefined;
      }
  }
}

export interface DayStateInput {
  roster: Roster;
  /** The local date (in the roster's time zone) the state is for. */
  today: string;
  /** The hub's retained roll-call, if any: used only when it is of this facility and this day. */
  rollcall: Rollcall | undefined;
  /** The kiosk's own events the roll-call may not show yet, oldest first; other days are skipped. */
  ownEvents: readonly OwnEvent[];
}

/** Status per child today: the hub's roll-call, then the kiosk's own later events on top. */
export function dayState(input: DayStateInput): Map<string, RollcallStatus> {
  const state = new Map<string, RollcallStatus>();
  const { rollcall, roster, today } = input;
  if (rollcall?.facilityId === roster.facilityId && rollcall.date === today) {
    for (const cls of rollcall.classes) for (const c of cls.children) state.set(c.id, c.status);
  }
  for (const e of input.ownEvents) {
    if (localDate(e.occurredAt, roster.timeZone) !== today) continue;
    const status = statusAfter(e);
    if (status !== undefined) state.set(e.childId, status);
  }
  return state;
}

export type TapDirection = 'check_in' | 'check_out';

/** check_out only for a child known to be present; a child who left or was marked absent checks in. */
export function directionFor(status: RollcallStatus | undefined): TapDirection {
  return status === 'present' ? 'check_out' : 'check_in';
}

export type TapDecision =
  | { result: 'unknown_credential' }
  /** The guardian is known but none of their children is on the roster: nothing to record. */
  | { result: 'no_children'; guardian: RosterGuardian }
  | { result: 'ok'; guardian: RosterGuardian; children: { child: RosterChild; type: TapDirection }[] };

export interface DecideInput {
  index: RosterIndex;
  credentialHash: string;
  rollcall: Rollcall | undefined;
  ownEvents: readonly OwnEvent[];
  now: Date;
}

export function decideTap(input: DecideInput): TapDecision {
  const guardian = input.index.guardianByCredential.get(input.credentialHash);
  if (!guardian) return { result: 'unknown_credential' };
  return decideForGuardian({ ...input, guardian });
}

export type GuardianDecision = Exclude<TapDecision, { result: 'unknown_credential' }>;

/** The decision for a guardian already identified (by a card hash, or by a verified signed QR code). */
export function decideForGuardian(
  input: Omit<DecideInput, 'credentialHash'> & { guardian: RosterGuardian },
): GuardianDecision {
  const { index, guardian } = input;
  const children = childrenOf(index, guardian);
  if (children.length === 0) return { result: 'no_children', guardian };
  const state = dayState({
    roster: index.roster,
    today: localDate(input.now, index.roster.timeZone),
    rollcall: input.rollcall,
    ownEvents: input.ownEvents,
  });
  return {
    result: 'ok',
    guardian,
    children: children.map((child) => ({ child, type: directionFor(state.get(child.id)) })),
  };
}
