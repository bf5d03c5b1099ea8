import { ErrorCodes, type AttendanceEvent, type Rejection } from '../../protocol/index.ts';
import type { EventRef } from '../store/events.ts';

/**
 * What a kiosk may write (docs/protocol.md, "Authority"). A kiosk records what happens at the door: a
 * guardian identified by card, QR code or PIN checking in or out one of their own children, and the undo
 * of its own such event shortly after. Staff entries and absences are made by the hub itself from signed-in
 * tablet and admin requests, never taken from a device.
 */
export interface KioskAuthorityContext {
  /** The publishing device (ingest has checked that the event's deviceId is this one). */
  deviceId: string;
  /** Whether the guardian may act for the child on the hub's current roster. */
  isGuardianOf: (guardianId: string, childId: string) => boolean;
  /** A stored event, or one accepted earlier in the same group. */
  lookup: (eventId: string) => EventRef | undefined;
  undoWindowMs: number;
}

const KIOSK_METHODS: ReadonlySet<AttendanceEvent['method']> = new Set(['card', 'qr', 'pin']);

/**
 * Any void, whoever files it: it must name an event the hub holds (or accepted earlier in the same group)
 * for the same child. Returns that event, or the rejection.
 */
export function voidTarget(
  event: AttendanceEvent & { voids: string },
  lookup: (eventId: string) => EventRef | undefined,
): { target: EventRef } | { rejection: Rejection } {
  const target = lookup(event.voids);
  if (target?.childId === event.childId) return { target };
  return {
    rejection: {
      id: event.id,
      code: ErrorCodes.unknownEvent,
      message: `voided event ${event.voids} is not an event of child ${event.childId} held by the hub`,
    },
  };
}

/** The rejection of a kiosk's event, or undefined when the kiosk may write it. */
export function kioskAuthority(event: AttendanceEvent, ctx: KioskAuthorityContext): Rejection | undefined {
  const reject = (code: string, message: string): Rejection => ({ id: event.id, code, message });
  if (!KIOSK_METHODS.has(event.method)) {
    return reject(ErrorCodes.notAllowed, `a kiosk may not record method ${event.method}`);
  }
  if (event.type === 'absent') {
    return reject(ErrorCodes.notAllowed, 'a kiosk may not record an absence');
  }
  if (event.actor === null || !ctx.isGuardianOf(event.actor, event.childId)) {
    return reject(
      ErrorCodes.notGuardian,
      `the actor is not a guardian of child ${event.childId} on the roster`,
    );
  }
  if (event.voids !== undefined) {
    const found = voidTarget({ ...event, voids: event.voids }, ctx.lookup);
    if ('rejection' in found) return found.rejection;
    const { target } = found;
    if (target.deviceId !== ctx.deviceId) {
      return reject(ErrorCodes.notOwnEvent, `a kiosk may void only its own events`);
    }
    if (Date.parse(event.occurredAt) - target.occurredMs > ctx.undoWindowMs) {
      return reject(
        ErrorCodes.undoExpired,
        `the undo window of ${Math.round(ctx.undoWindowMs / 60_000)} min after the event has passed; staff can correct it`,
      );
    }
  }
  return undefined;
}
