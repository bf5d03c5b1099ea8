import type { z } from 'zod';
import { ErrorCodes } from './errors.ts';
import { eventPlausibility, type TimeWindow } from './plausibility.ts';
import { BATCH_MAX, EventSchema, type AttendanceEvent, type Rejection } from './schemas.ts';

/** When and where events are received: the validity rule's time window is relative to `now`. */
export interface ReceiveContext {
  now: Date;
  window: TimeWindow;
}

export interface ValidatedEvents {
  events: AttendanceEvent[];
  rejected: Rejection[];
}

/** First issue of a zod error as `path: message`, short enough for an ack. */
export function describeIssues(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
  return `${path}: ${issue.message}`;
}

function idOf(item: unknown): string | null {
  if (typeof item === 'object' && item !== null && 'id' in item) {
    const id = item.id;
    if (typeof id === 'string' && id.length > 0 && id.length <= 64) return id;
  }
  return null;
}

/** One event against the schema and the validity rule (protocol/plausibility.ts). */
export function validateEvent(
  item: unknown,
  context: ReceiveContext,
): { event: AttendanceEvent } | { rejection: Rejection } {
  const r = EventSchema.safeParse(item);
  if (!r.success) {
    return { rejection: { id: idOf(item), code: ErrorCodes.invalidEvent, message: describeIssues(r.error) } };
  }
  const problem = eventPlausibility(r.data, context.now, context.window);
  if (problem !== undefined) return { rejection: { id: r.data.id, ...problem } };
  return { event: r.data };
}

/** Validates each item on its own, so one bad event in a batch does not block the good ones. */
export function validateEvents(items: readonly unknown[], context: ReceiveContext): ValidatedEvents {
  const out: ValidatedEvents = { events: [], rejected: [] };
  for (const item of items) {
    const r = validateEvent(item, context);
    if ('event' in r) out.events.push(r.event);
    else out.rejected.push(r.rejection);
  }
  return out;
}

/**
 * Reads an events payload: one event, or {"events":[…]} with 1–500 items. Payload-level problems give a
 * single rejection with id null; event-level problems reject just that event.
 */
export function parseEventsPayload(payload: Buffer | string, context: ReceiveContext): ValidatedEvents {
  let json: unknown;
  try {
    json = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch {
    return reject(ErrorCodes.invalidJson, 'payload is not valid JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return reject(ErrorCodes.invalidPayload, 'payload must be an event object or {"events":[…]}');
  }
  if ('events' in json) {
    const keys = Object.keys(json);
    const events = json.events;
    if (keys.length !== 1 || !Array.isArray(events)) {
      return reject(ErrorCodes.invalidPayload, 'a batch is exactly {"events":[…]}');
    }
    if (events.length === 0) return reject(ErrorCodes.invalidPayload, 'a batch holds at least one event');
    if (events.length > BATCH_MAX) {
      return reject(
        ErrorCodes.batchTooLarge,
        `a batch holds at most ${BATCH_MAX} events, got ${events.length}`,
      );
    }
    return validateEvents(events, context);
  }
  return validateEvents([json], context);
}

function reject(code: string, message: string): ValidatedEvents {
  return { events: [], rejected: [{ id: null, code, message }] };
}
