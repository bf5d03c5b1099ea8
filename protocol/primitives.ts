import { z } from 'zod';
import { ID_RE } from './topics.ts';

/**
 * The wire's building blocks, free of Node APIs so that browser code (the staff tablet app) can import
 * them; schemas.ts re-exports them with the device schemas.
 */

export const IdSchema = z.string().regex(ID_RE, 'must be 1–64 letters, digits, _ or -');

export const EVENT_TYPES = ['check_in', 'check_out', 'absent', 'void'] as const;
export const METHODS = ['card', 'qr', 'pin', 'staff', 'parent'] as const;
export const NOTE_MAX = 500;
/** Why a child is absent (staff's absence and a parent's notice). Here, not in tablet.ts: no import cycle. */
export const ABSENCE_REASONS = ['sick', 'family', 'other'] as const;
export type AbsenceReason = (typeof ABSENCE_REASONS)[number];
/** Why a kiosk's stamp may be off (EventSchema clockDoubt; docs/protocol.md "Clocks"). */
export const CLOCK_DOUBTS = ['unsynced', 'held_back'] as const;
export type ClockDoubt = (typeof CLOCK_DOUBTS)[number];

/** RFC 3339 instant with an explicit offset (Z or ±HH:MM), optional fraction. */
export const InstantSchema = z.iso.datetime({ offset: true });

export const ROLLCALL_STATUSES = ['not_arrived', 'present', 'left', 'absent'] as const;
export type RollcallStatus = (typeof ROLLCALL_STATUSES)[number];
