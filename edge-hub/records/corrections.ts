import { randomUUID } from 'node:crypto';
import { absenceNote } from '../../common/attendance.ts';
import { ConflictError, GenkanError, ValidationError } from '../../common/errors.ts';
import { newEventId } from '../../common/ids.ts';
import { retentionCutoff } from '../../common/retention.ts';
import { formatRfc3339, isValidDate, localDate } from '../../common/time.ts';
import {
  ErrorCodes,
  NOTE_MAX,
  textProblem,
  type AttendanceEvent,
  type CorrectionRequest,
  type CorrectionResult,
  type DayState,
} from '../../protocol/index.ts';
import { enrolledOn, snapshotOn } from '../facility/history.ts';
import type { StoredEvent } from '../store/events.ts';
import { localInstant } from '../tablet/view.ts';
import { CORRECTIONS_DEVICE_ID, requireStaff, type RecordsContext, type RecordsVia } from './context.ts';
import { finalState, foldEvents, planCorrection, sameDay, stateProblem } from './day-state.ts';

/** A correction made: its answer, and the events stored (for the bus). */
export interface Corrected {
  result: CorrectionResult;
  stored: StoredEvent[];
  amendment: boolean;
}

function checkText(value: string | undefined, field: string): void {
  if (value === undefined) return;
  const problem = textProblem(value, NOTE_MAX);
  if (problem !== undefined) throw new ValidationError(ErrorCodes.badText, `${field}: ${problem}`, field);
}

/**
 * A past-day correction (POST /api/corrections): the child's day becomes what the request states, by
 * events of method `staff` (voids first, then what is added), recorded with the correction and its audit
 * entry in ONE transaction. Not through Ingest: these are not a device's events, and a correction may
 * reach further back than ingest's plausibility window. A day of a closed month needs `amendment: true`
 * and is then an amendment, listed at the end of that month's ledgers.
 */
export function correctDay(ctx: RecordsContext, request: CorrectionRequest, via: RecordsVia): Corrected {
  const { store, clock, timeZone } = ctx;
  const { childId, date, reason, actor } = request;
  if (!isValidDate(date)) throw new ValidationError(ErrorCodes.badDate, `${date} is not a date`, 'date');
  const now = clock.now();
  const today = localDate(now, timeZone);
  if (date > today) {
    throw new ValidationError(ErrorCodes.futureDate, `${date} is later than today (${today})`, 'date');
  }
  // A day the retention job has disposed of (or is about to) cannot be written again.
  const cutoff = retentionCutoff(today, snapshotOn(store, ctx.facilityId, timeZone, today).retentionYears);
  if (date < cutoff) {
    throw new ValidationError(
      ErrorCodes.badDate,
      `${date} is before the retention period (records from ${cutoff} on are kept)`,
      'date',
    );
  }
  const staff = requireStaff(ctx, actor);
  const child = snapshotOn(store, ctx.facilityId, timeZone, date).children.find((c) => c.id === childId);
  if (!child || !enrolledOn(child, date)) {
    throw new ValidationError(
      ErrorCodes.unknownChild,
      `child ${childId} is not enrolled on ${date}`,
      'childId',
    );
  }
  checkText(reason, 'reason');
  checkText(request.absent?.note, 'absent.note');
  if (
    request.absent !== undefined &&
    request.absent !== null &&
    (typeof request.checkIn === 'string' || typeof request.checkOut === 'string')
  ) {
    throw new ValidationError(ErrorCodes.absentAndPresent, 'an absent child has no check-in or check-out');
  }
  const nowText = formatRfc3339(now, timeZone);
  const at = (hhmm: string) => formatRfc3339(localInstant(date, hhmm, timeZone), timeZone);

  return store.transaction((): Corrected => {
    const amendment = store.corrections.isClosed(date.slice(0, 7));
    if (amendment && request.amendment !== true) {
      throw new ConflictError(
        ErrorCodes.monthClosed,
        `${date.slice(0, 7)} is closed: a correction of it needs "amendment": true`,
      );
    }
    const dayEvents = store.events.eventsWithVoids(date, date, childId);
    const fold = foldEvents(dayEvents, timeZone);
    const before = fold.state;
    const after = finalState(before, request);
    const problem = stateProblem(after);
    if (problem) throw new ValidationError(problem.code, problem.message);
    if (sameDay(before, after)) throw new ValidationError(ErrorCodes.noChange, 'the day is that already');

    const planned = planCorrection(fold, after, {
      date,
      now: nowText,
      at,
      absenceNote: (a) => absenceNote(a.reason, a.note),
    });
    for (const p of planned) {
      if (p.type !== 'void' && p.type !== 'absent' && Date.parse(p.occurredAt) > now.getTime()) {
        throw new ValidationError(ErrorCodes.futureTime, `${p.type} at a time later than now`);
      }
      if (p.note !== undefined && p.note.length > NOTE_MAX) {
        throw new ValidationError(
          ErrorCodes.badRequest,
          `the absence note is too long (at most ${NOTE_MAX})`,
        );
      }
    }
    // The reason once, on the first event that takes a free note (an absent event's note is the absence):
    // the daily ledger joins the staff notes of the day, and would print it as often as it is repeated.
    const withReason = planned.findIndex((p) => p.type !== 'absent');
    const events = planned.map((p, i): AttendanceEvent => ({
      id: newEventId(),
      type: p.type,
      childId,
      occurredAt: p.occurredAt,
      deviceId: CORRECTIONS_DEVICE_ID,
      seq: store.events.nextDeviceSeq(CORRECTIONS_DEVICE_ID),
      method: 'staff',
      actor,
      ...(p.voids !== undefined && { voids: p.voids }),
      ...(p.note !== undefined ? { note: p.note } : i === withReason && { note: reason }),
    }));
    const check = foldEvents([...dayEvents, ...events], timeZone).state;
    if (!sameDay(check, after)) {
      // A bug in planCorrection, never the caller's: nothing is stored.
      throw new GenkanError('correction_plan', 'the planned events do not give the day asked for');
    }

    const correctionId = randomUUID();
    const ids = events.map((e) => e.id);
    const stored = store.events.insertInTransaction(events, now.toISOString()).inserted;
    store.corrections.insert({
      id: correctionId,
      childId,
      date,
      createdAt: nowText,
      actor,
      actorName: staff.name,
      childName: child.name,
      reason,
      before,
      after,
      eventIds: ids,
      amendment,
    });
    const day = (s: DayState) => ({ date, ...s });
    store.audit.append({
      actorKind: 'staff',
      actorId: actor,
      action: 'ledger.correct',
      subject: `child:${childId}`,
      outcome: 'ok',
      before: day(before),
      after: { ...day(after), correctionId, events: ids, reason, amendment, via },
    });
    return { result: { correctionId, events: ids }, stored, amendment };
  });
}
