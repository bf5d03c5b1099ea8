import { absenceNote } from '../../common/attendance.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { formatRfc3339, isValidDate, localDate, type Clock } from '../../common/time.ts';
import { ErrorCodes, NOTE_MAX, type AttendanceEvent, type TabletAction } from '../../protocol/index.ts';
import type { Ingest } from '../mqtt/ingest.ts';
import type { StoreOf } from '../store/hub-store.ts';
import { absenceDates, absenceDayId } from './absence-range.ts';
import { isValidTime, localInstant } from './view.ts';

export interface ActionActor {
  staffId: string;
  /** The signed-in tablet: the device of the event. */
  deviceId: string;
}

export interface ActionResult {
  /** The event of the action (of an absence over several days: its first day's). */
  event: AttendanceEvent;
  /** Every event of the action, in order: one, or one per day of an absence with `until`. */
  events: AttendanceEvent[];
  /** The action's id was stored already (a retry): the stored events are returned, nothing changed. */
  duplicate: boolean;
}

type AbsentAction = Extract<TabletAction, { op: 'absent' }>;

/**
 * Staff actions from a tablet, each recorded as ONE event of the tablet device (method `staff`, actor the
 * staff member) through Ingest.record, the path that feeds the roll-call, the push channel and the relay.
 * An absence with `until` is one event per day, each with its own id (absence-range.ts).
 */
export class TabletActions {
  private readonly store: StoreOf<'events' | 'audit'>;
  private readonly clock: Clock;
  private readonly timeZone: string;
  private readonly ingest: Ingest;
  private readonly logger: Logger;

  constructor(options: {
    store: StoreOf<'events' | 'audit'>;
    clock: Clock;
    timeZone: string;
    ingest: Ingest;
    logger: Logger;
  }) {
    this.store = options.store;
    this.clock = options.clock;
    this.timeZone = options.timeZone;
    this.ingest = options.ingest;
    this.logger = options.logger;
  }

  perform(actor: ActionActor, action: TabletAction): ActionResult {
    // A retry is answered with the stored event before anything else is checked: the clock has moved on
    // and the checks below might now fail for an action that was accepted.
    const stored = this.store.events.eventById(action.id);
    if (stored) {
      const retried = this.retried(actor, stored);
      // A request for several days that failed part way: the days not stored yet are recorded now.
      return action.op === 'absent' && action.until !== undefined && stored.type === 'absent'
        ? this.absenceRetried(actor, action, retried)
        : retried;
    }

    const now = this.clock.now();
    const today = localDate(now, this.timeZone);
    const base = { id: action.id, deviceId: actor.deviceId, method: 'staff' as const, actor: actor.staffId };
    let make: (seq: number) => AttendanceEvent;
    switch (action.op) {
      case 'check_in':
      case 'check_out': {
        let at = now;
        if (action.at !== undefined) {
          if (!isValidTime(action.at))
            throw new ValidationError(ErrorCodes.badRequest, 'at must be HH:MM', 'at');
          at = localInstant(today, action.at, this.timeZone);
          if (at.getTime() > now.getTime()) {
            throw new ValidationError(ErrorCodes.futureTime, `${action.at} is later than now`, 'at');
          }
        }
        const occurredAt = formatRfc3339(at, this.timeZone);
        make = (seq) => ({
          ...base,
          seq,
          type: action.op,
          childId: action.childId,
          occurredAt,
          ...(action.note !== undefined && { note: action.note }),
        });
        break;
      }
      case 'absent':
        return this.absence(actor, action, today);
      case 'void': {
        const target = this.store.events.eventById(action.eventId);
        if (!target) {
          // A reference in the action, not the resource asked for: invalid input.
          throw new ValidationError(
            ErrorCodes.unknownEvent,
            `the hub holds no event ${action.eventId}`,
            'eventId',
          );
        }
        if (this.inEffectVoid(action.eventId, 0)) {
          throw new ConflictError(ErrorCodes.alreadyVoided, `event ${action.eventId} is voided already`);
        }
        const occurredAt = formatRfc3339(now, this.timeZone);
        make = (seq) => ({
          ...base,
          seq,
          type: 'void',
          childId: target.childId,
          occurredAt,
          voids: action.eventId,
          note: action.reason,
        });
        break;
      }
    }
    return this.recordOne(actor, action.op, action.id, make);
  }

  /** An absence: one event per day from `date` to `until` (or `date` alone). */
  private absence(actor: ActionActor, action: AbsentAction, today: string): ActionResult {
    if (!isValidDate(action.date) || action.date < today) {
      throw new ValidationError(
        ErrorCodes.badDate,
        'an absence is for today or a later calendar date (YYYY-MM-DD)',
        'date',
      );
    }
    const dates = absenceDates(action.date, action.until ?? action.date);
    if (typeof dates === 'string') throw new ValidationError(ErrorCodes.badDate, dates, 'until');
    const note = absenceNote(action.reason, action.note);
    if (note.length > NOTE_MAX) {
      throw new ValidationError(
        ErrorCodes.badRequest,
        `the note is too long (at most ${NOTE_MAX} characters)`,
        'note',
      );
    }
    return this.absenceDays(actor, action, dates, note);
  }

  /** The retry of an absence over several days whose first day is stored: the other days, each once. */
  private absenceRetried(actor: ActionActor, action: AbsentAction, first: ActionResult): ActionResult {
    const dates = absenceDates(action.date, action.until ?? action.date);
    if (typeof dates === 'string') return first;
    const note = absenceNote(action.reason, action.note);
    return note.length > NOTE_MAX ? first : this.absenceDays(actor, action, dates, note);
  }

  /**
   * Records the days in order, each through Ingest.record under its own id, so that a retry stores each
   * day once. Each day is filed under its day: now for today, the day's first minute for a later day.
   */
  private absenceDays(
    actor: ActionActor,
    action: AbsentAction,
    dates: readonly string[],
    note: string,
  ): ActionResult {
    const events: AttendanceEvent[] = [];
    let duplicate = true;
    dates.forEach((date, i) => {
      const id = absenceDayId(action.id, date, i === 0);
      const now = this.clock.now();
      const at = date === localDate(now, this.timeZone) ? now : localInstant(date, '00:00', this.timeZone);
      const occurredAt = formatRfc3339(at, this.timeZone);
      const result = this.recordOne(actor, 'absent', id, (seq) => ({
        id,
        deviceId: actor.deviceId,
        method: 'staff',
        actor: actor.staffId,
        seq,
        type: 'absent',
        childId: action.childId,
        occurredAt,
        note,
      }));
      events.push(result.event);
      duplicate &&= result.duplicate;
    });
    const event = events[0];
    if (!event) throw new ValidationError(ErrorCodes.badDate, 'an absence needs a day', 'date');
    return { event, events, duplicate };
  }

  /** One event through Ingest.record (idempotent by `id`), audited when it is new. */
  private recordOne(
    actor: ActionActor,
    op: TabletAction['op'],
    id: string,
    make: (seq: number) => AttendanceEvent,
  ): ActionResult {
    const result = this.ingest.record(id, () => make(this.store.events.nextDeviceSeq(actor.deviceId)));
    if ('rejection' in result) {
      const { code, message } = result.rejection;
      if (code === ErrorCodes.unknownChild) throw new NotFoundError(code, message);
      // A closed month is not bad input: the day is settled (409, as a correction of it without amendment).
      if (code === ErrorCodes.monthClosed) throw new ConflictError(code, message);
      throw new ValidationError(code, message);
    }
    if (result.duplicate) return this.retried(actor, result.event);
    this.store.audit.append({
      actorKind: 'staff',
      actorId: actor.staffId,
      action: `tablet.${op}`,
      subject: `child:${result.event.childId}`,
      deviceId: actor.deviceId,
      outcome: 'ok',
      after: {
        eventId: result.event.id,
        ...(result.event.voids !== undefined && { voids: result.event.voids }),
      },
    });
    this.logger.info(
      { deviceId: actor.deviceId, eventId: result.event.id, type: result.event.type },
      'staff action recorded',
    );
    return { event: result.event, events: [result.event], duplicate: false };
  }

  /** A retried action: the stored event, if it is this tablet's; an id used by another device is refused. */
  private retried(actor: ActionActor, stored: AttendanceEvent): ActionResult {
    if (stored.deviceId !== actor.deviceId) {
      throw new ConflictError(ErrorCodes.eventIdInUse, 'this event id belongs to another event');
    }
    return { event: stored, events: [stored], duplicate: true };
  }

  /** Whether some void of `id` is itself in effect (not voided in turn). */
  private inEffectVoid(id: string, depth: number): boolean {
    if (depth > 32) return false;
    return this.store.events.voidersOf(id).some((v) => !this.inEffectVoid(v, depth + 1));
  }
}
