import type { AttendanceEvent } from '../../../protocol/index.ts';
import { GenkanError } from '../../../common/errors.ts';
import { newEventId } from '../../../common/ids.ts';
import type { Logger } from '../../../common/logger.ts';
import { DEFAULT_TIME_ZONE, formatRfc3339, localDate, type Clock } from '../../../common/time.ts';
import type { LastEvent, RosterChild, RosterGuardian, TapDirection } from '../../common/decide.ts';
import type { AmendOp } from '../../common/output.ts';
import { bilingual, changeText, type TapChange } from '../../common/tap-messages.ts';
import type { ChildView, PickupView, UiCommand, UiReply } from '../../common/ui-api.ts';
import type { KioskClock } from '../kiosk-clock.ts';
import type { EventDraft } from '../store/outbox.ts';
import type { OutboxSender } from '../sender.ts';
import type { FacilityState } from './facility.ts';
import type { KioskLifecycle } from './lifecycle.ts';
import type { KioskOutput } from './output.ts';
import type { StatusPublisher } from './status.ts';
import { appendStamped, clockDoubt, type StampStore } from './time.ts';

export type AmendCommand = Extract<UiCommand, { op: AmendOp }>;

export interface OpenTapView {
  tapId: string;
  at: string;
  guardian: { id: string; name: string };
  children: ChildView[];
  closed: boolean;
  undone: boolean;
  direction: TapDirection;
  held: boolean;
}

/** One child of an open tap; `eventId` null: not recorded (left out, a differing sibling, or held). */
export interface OpenTapChild {
  child: RosterChild;
  className: string;
  direction: TapDirection;
  eventId: string | null;
  /** The child's latest check-in or check-out before the tap, when known. */
  last?: LastEvent | undefined;
  /** The tap would reverse `last` within the reversal guard. */
  reversal?: boolean | undefined;
}

/** A recorded tap whose result screen may still change it. */
export interface OpenTap {
  tapId: string;
  guardian: RosterGuardian;
  method: 'card' | 'qr' | 'pin';
  at: string;
  children: OpenTapChild[];
  /** The tap's direction; children whose own direction differs are siblings recorded only if touched. */
  direction: TapDirection;
  /** Held by the reversal guard: nothing recorded until a child is touched. */
  held: boolean;
  /** Monotonic ms of the last change: the amend window runs from it. */
  touchedAt: number;
  closed: boolean;
  undone: boolean;
}

/** Open taps kept for amendment; older ones are closed (one screen shows one tap at a time). */
const OPEN_TAPS_MAX = 8;

export interface OpenTapsOptions {
  deviceId: string;
  logger: Logger;
  clock: Clock;
  time: KioskClock;
  store: StampStore;
  facility: FacilityState;
  output: Pick<KioskOutput, 'emit'>;
  sender: Pick<OutboxSender, 'kick'>;
  status: Pick<StatusPublisher, 'changed'>;
  lifecycle: Pick<KioskLifecycle, 'closed'>;
  /** A recorded tap can be amended this long after its last change. */
  amendWindowMs: number;
}

/**
 * Recorded taps as their result screen shows them, amended from it (undo, change direction, leave a
 * child out) by recording further events: the outbox is append-only, a change voids what it replaces.
 */
export class OpenTaps {
  readonly #o: OpenTapsOptions;
  readonly #taps = new Map<string, OpenTap>();

  constructor(options: OpenTapsOptions) {
    this.#o = options;
  }

  open(tap: OpenTap): void {
    // A new tap ends the previous ones: the screen shows one tap, and only what is on screen is amended.
    for (const t of this.#taps.values()) t.closed = true;
    this.#taps.set(tap.tapId, tap);
    for (const id of this.#taps.keys()) {
      if (this.#taps.size <= OPEN_TAPS_MAX) break;
      this.#taps.delete(id);
    }
  }

  view(tapId: string): OpenTapView | undefined {
    const tap = this.#taps.get(tapId);
    if (!tap) return undefined;
    this.#expire(tap);
    const { facility, time } = this.#o;
    const today = localDate(time.read().at, facility.roster?.roster.timeZone ?? DEFAULT_TIME_ZONE);
    const pickupOf = (childId: string) => facility.pickups.forChild(childId, today);
    return {
      tapId: tap.tapId,
      at: tap.at,
      guardian: { id: tap.guardian.id, name: tap.guardian.name },
      children: tap.children.map((c) => ({
        childId: c.child.id,
        name: c.child.name,
        kana: c.child.kana,
        classId: c.child.classId,
        className: c.className,
        direction: c.direction,
        included: c.eventId !== null,
        ...(c.last !== undefined && { last: c.last }),
        ...(c.reversal === true && { reversal: true }),
        ...withPickup(pickupOf(c.child.id)),
      })),
      closed: tap.closed,
      undone: tap.undone,
      direction: tap.direction,
      held: tap.held,
    };
  }

  amend(command: AmendCommand): UiReply {
    const { logger, clock, time, store, facility, output } = this.#o;
    const tap = this.#taps.get(command.tapId);
    if (tap) this.#expire(tap);
    if (this.#o.lifecycle.closed || !tap || tap.closed) {
      return {
        ok: false,
        code: 'tap_closed',
        message: 'this tap can no longer be changed; please ask a member of staff',
      };
    }
    const roster = facility.roster?.roster;
    if (!roster) return { ok: false, code: 'no_roster', message: 'no roster' };
    const reading = time.read();
    const occurredAt = formatRfc3339(reading.at, roster.timeZone);
    const draft = (childId: string, type: TapDirection | 'void', voids?: string): EventDraft => ({
      id: newEventId(),
      type,
      childId,
      occurredAt,
      deviceId: this.#o.deviceId,
      method: tap.method,
      actor: tap.guardian.id,
      ...(voids !== undefined && { voids }),
      ...clockDoubt(reading),
    });
    // Planned first, applied after the commit: a failed commit leaves the tap as it was.
    const drafts: EventDraft[] = [];
    const plan: (() => void)[] = [];
    /** What the change did, in words for the output line. */
    const changes: TapChange[] = [];
    const named = (entries: OpenTapChild[], kind: 'cancelled' | 'recorded') => {
      for (const type of ['check_in', 'check_out'] as const) {
        const names = entries.filter((e) => e.direction === type).map((e) => e.child.name);
        if (names.length > 0) changes.push({ kind, names, type });
      }
    };
    switch (command.op) {
      case 'set_included': {
        const entry = tap.children.find((c) => c.child.id === command.childId);
        if (!entry)
          return { ok: false, code: 'unknown_child', message: 'that child is not part of this tap' };
        if (command.included && entry.eventId === null) {
          const d = draft(entry.child.id, entry.direction);
          drafts.push(d);
          plan.push(() => (entry.eventId = d.id));
          named([entry], 'recorded');
        } else if (!command.included && entry.eventId !== null) {
          drafts.push(draft(entry.child.id, 'void', entry.eventId));
          plan.push(() => (entry.eventId = null));
          named([entry], 'cancelled');
        }
        break;
      }
      case 'undo': {
        const voided: OpenTapChild[] = [];
        for (const entry of tap.children) {
          if (entry.eventId === null) continue;
          drafts.push(draft(entry.child.id, 'void', entry.eventId));
          plan.push(() => (entry.eventId = null));
          voided.push(entry);
        }
        named(voided, 'cancelled');
        plan.push(() => {
          tap.undone = true;
          tap.closed = true;
        });
        break;
      }
      case 'flip': {
        // Nothing is recorded yet: the parent is asked to touch a child, not to turn the tap round.
        if (tap.held) return { ok: false, code: 'tap_held', message: 'touch a child to record, or close' };
        const from = tap.direction;
        const to: TapDirection = from === 'check_in' ? 'check_out' : 'check_in';
        const flipped: string[] = [];
        plan.push(() => (tap.direction = to));
        for (const entry of tap.children) {
          // A sibling shown with its own next step keeps it: turning the tap round does not make it wrong.
          if (entry.direction !== from) continue;
          const direction = to;
          if (entry.eventId === null) {
            plan.push(() => (entry.direction = direction));
            continue;
          }
          drafts.push(draft(entry.child.id, 'void', entry.eventId));
          const again = draft(entry.child.id, direction);
          drafts.push(again);
          plan.push(() => {
            entry.direction = direction;
            entry.eventId = again.id;
          });
          flipped.push(entry.child.name);
        }
        if (flipped.length > 0) changes.push({ kind: 'flipped', names: flipped, from, to });
        break;
      }
      case 'confirm':
        plan.push(() => (tap.closed = true));
        break;
    }
    let stored: AttendanceEvent[] = [];
    if (drafts.length > 0) {
      try {
        stored = appendStamped(store, time, reading, drafts, clock.now());
      } catch (err) {
        logger.error({ err, op: command.op }, 'could not record an amendment');
        const code = err instanceof GenkanError ? err.code : 'storage_failed';
        return { ok: false, code, message: 'the change could not be recorded; please try again' };
      }
    }
    for (const apply of plan) apply();
    tap.touchedAt = performance.now();
    logger.info(
      {
        op: command.op,
        guardianId: tap.guardian.id,
        events: stored.map((e) => ({ id: e.id, childId: e.childId, type: e.type, seq: e.seq })),
      },
      'tap amended',
    );
    output.emit({
      type: 'amend',
      tapId: tap.tapId,
      op: command.op,
      events: stored.map((e) => ({
        id: e.id,
        childId: e.childId,
        type: e.type,
        ...(e.voids !== undefined && { voids: e.voids }),
        seq: e.seq,
      })),
      ...(changes.length > 0 && {
        message: bilingual((locale) =>
          changes.map((c) => changeText(c, locale)).join(locale === 'ja' ? '。' : '. '),
        ),
      }),
    });
    if (stored.length > 0) {
      this.#o.sender.kick();
      this.#o.status.changed();
    }
    return { ok: true };
  }

  #expire(tap: OpenTap): void {
    if (!tap.closed && performance.now() - tap.touchedAt > this.#o.amendWindowMs) tap.closed = true;
  }
}

/** The child's pickup plan of today as an optional field (exactOptionalPropertyTypes: absent, not undefined). */
function withPickup(pickup: PickupView | undefined): { pickup?: PickupView } {
  return pickup === undefined ? {} : { pickup };
}
