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

export type TapDirection = 'check_in' | 'check_out';

/** A child's latest check-in or check-out today, as far as the kiosk knows it. */
export interface LastEvent {
  type: TapDirection;
  /** RFC 3339. */
  at: string;
}

/** What the kiosk knows of a child's day: the status, and the event that led to it when known. */
export interface ChildDay {
  status: RollcallStatus;
  last: LastEvent | undefined;
}

/** Each child's day: the hub's roll-call, then the kiosk's own later events on top. */
export function dayRecords(input: DayStateInput): Map<string, ChildDay> {
  const days = new Map<string, ChildDay>();
  const { rollcall, roster, today } = input;
  if (rollcall?.facilityId === roster.facilityId && rollcall.date === today) {
    for (const cls of rollcall.classes) {
      for (const c of cls.children) {
        const last: LastEvent | undefined =
          c.status === 'present' && c.checkInAt !== null
            ? { type: 'check_in', at: c.checkInAt }
            : c.status === 'left' && c.checkOutAt !== null
              ? { type: 'check_out', at: c.checkOutAt }
              : undefined;
        days.set(c.id, { status: c.status, last });
      }
    }
  }
  for (const e of input.ownEvents) {
    if (localDate(e.occurredAt, roster.timeZone) !== today) continue;
    const status = statusAfter(e);
    if (status === undefined) continue;
    // After a void the time of the event it restores is not known here: no reversal guard then.
    const last: LastEvent | undefined =
      e.type === 'check_in' || e.type === 'check_out' ? { type: e.type, at: e.occurredAt } : undefined;
    days.set(e.childId, { status, last });
  }
  return days;
}

/** Status per child today: the hub's roll-call, then the kiosk's own later events on top. */
export function dayState(input: DayStateInput): Map<string, RollcallStatus> {
  return new Map([...dayRecords(input)].map(([id, day]) => [id, day.status]));
}

/** check_out only for a child known to be present; a child who left or was marked absent checks in. */
export function directionFor(status: RollcallStatus | undefined): TapDirection {
  return status === 'present' ? 'check_out' : 'check_in';
}

/** One child of a tap: its own next step, and whether the tap records it. */
export interface DecidedChild {
  child: RosterChild;
  /** The child's own next step (not present: check_in; present: check_out). */
  type: TapDirection;
  /**
   * Recorded by the tap: the child's next step agrees with the tap's direction and the tap is not held.
   * A sibling whose next step differs is shown apart and recorded only if touched.
   */
  included: boolean;
  /** The child's latest check-in or check-out today, when known. */
  last: LastEvent | undefined;
  /** This tap would reverse `last` within the reversal guard: the tap is held until a touch. */
  reversal: boolean;
}

export type TapDecision =
  | { result: 'unknown_credential' }
  /** The guardian is known but none of their children is on the roster: nothing to record. */
  | { result: 'no_children'; guardian: RosterGuardian }
  | {
      result: 'ok';
      guardian: RosterGuardian;
      /** The direction the tap announces: that of most of the children, the first child's on a tie. */
      direction: TapDirection;
      /**
       * A child would reverse its own event of less than the guard's minutes ago: nothing is recorded
       * until the parent touches a child (every child has included false).
       */
      held: boolean;
      children: DecidedChild[];
    };

export interface DecideInput {
  index: RosterIndex;
  credentialHash: string;
  rollcall: Rollcall | undefined;
  ownEvents: readonly OwnEvent[];
  now: Date;
  /** A tap reversing a child's event younger than this is held (0 or absent: no guard). */
  reversalGuardMs?: number;
}

export function decideTap(input: DecideInput): TapDecision {
  const guardian = input.index.guardianByCredential.get(input.credentialHash);
  if (!guardian) return { result: 'unknown_credential' };
  return decideForGuardian({ ...input, guardian });
}

export type GuardianDecision = Exclude<TapDecision, { result: 'unknown_credential' }>;

/** The direction of most of the children; the first child's on a tie (and for none: check_in). */
export function majorityDirection(types: readonly TapDirection[]): TapDirection {
  const out = types.filter((t) => t === 'check_out').length;
  const inn = types.length - out;
  if (out !== inn) return out > inn ? 'check_out' : 'check_in';
  return types[0] ?? 'check_in';
}

/** The decision for a guardian already identified (by a card hash, or by a verified signed QR code). */
export function decideForGuardian(
  input: Omit<DecideInput, 'credentialHash'> & { guardian: RosterGuardian },
): GuardianDecision {
  const { index, guardian } = input;
  const children = childrenOf(index, guardian);
  if (children.length === 0) return { result: 'no_children', guardian };
  const days = dayRecords({
    roster: index.roster,
    today: localDate(input.now, index.roster.timeZone),
    rollcall: input.rollcall,
    ownEvents: input.ownEvents,
  });
  const own = children.map((child) => {
    const day = days.get(child.id);
    return { child, type: directionFor(day?.status), last: day?.last };
  });
  const direction = majorityDirection(own.map((c) => c.type));
  const guardMs = input.reversalGuardMs ?? 0;
  const decided = own.map(({ child, type, last }) => {
    const agrees = type === direction;
    // A clock set back makes the age negative: still "recent", so asking is the safe side.
    const reversal =
      agrees &&
      guardMs > 0 &&
      last !== undefined &&
      last.type !== type &&
      input.now.getTime() - Date.parse(last.at) < guardMs;
    return { child, type, included: agrees, last, reversal };
  });
  const held = decided.some((c) => c.reversal);
  return {
    result: 'ok',
    guardian,
    direction,
    held,
    children: held ? decided.map((c) => ({ ...c, included: false })) : decided,
  };
}
