import type { z } from 'zod';
import { ErrorCodes } from './errors.ts';
import { BATCH_MAX, EventSchema, type AttendanceEvent, type Rejection } from './schemas.ts';

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

/** Validates each item on its own, so one bad event in a batch does not block the good ones. */
export function validateEvents(items: readonly unknown[]): ValidatedEvents {
  const out: ValidatedEvents = { events: [], rejected: [] };
  for (const item of items) {
    const r = EventSchema.safeParse(item);
    if (r.success) out.events.push(r.data);
    else
      out.rejected.push({ id: idOf(item), code: ErrorCodes.invalidEvent, message: describeIssues(r.error) });
  }
  return out;
}

/**
 * Reads an events payload: one event, or {"events":[…]} with 1–500 items. Payload-level problems give a
 * single rejection with id null; event-level problems reject just that event.
 */
export function parseEventsPayload(payload: Buffer | string): ValidatedEvents {
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
    return validateEvents(events);
  }
  return validateEvents([json]);
}

function reject(code: string, message: string): ValidatedEvents {
  return { events: [], rejected: [{ id: null, code, message }] };
}
