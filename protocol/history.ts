import { z } from 'zod';
import { IdSchema, InstantSchema, NOTE_MAX } from './primitives.ts';
import { HhmmSchema } from './settings.ts';
import { ABSENCE_REASONS } from './tablet.ts';

/**
 * History of the record (issue 13): dated facility snapshots, past-day corrections, month close and
 * amendments. Browser-safe (the admin app imports it). Ledgers of a day are built from the snapshot in
 * effect on that day (common/ledger/timeline.ts), so a later import or settings change never rewrites them.
 */

/** A calendar date YYYY-MM-DD (checked for existence where it matters: common/time.ts isValidDate). */
export const DateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
/** A month YYYY-MM. */
export const MonthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM');

/** The first day of every timeline: a snapshot effective from it holds for all of history. */
export const BEGINNING_OF_TIME = '0001-01-01';

/** An absence as a correction states it: the reason code and the staff's free text. */
export const AbsenceStateSchema = z.strictObject({
  reason: z.enum(ABSENCE_REASONS),
  note: z.string().max(NOTE_MAX).optional(),
});
export type AbsenceState = z.infer<typeof AbsenceStateSchema>;

/** One child's day as the ledgers show it: local HH:MM times, or an absence. */
export const DayStateSchema = z.strictObject({
  checkIn: HhmmSchema.nullable(),
  checkOut: HhmmSchema.nullable(),
  absent: AbsenceStateSchema.nullable(),
});
export type DayState = z.infer<typeof DayStateSchema>;

/**
 * POST /api/corrections (admin bearer token or an admin session). The day becomes what the body says:
 * `checkIn`, `checkOut` and `absent` each replace the day's value (null: none); one left out keeps the
 * day's current value. `reason` says why (it goes to the audit log and the ledger's note), `actor` is the
 * staff id of who made it. A day of a closed month needs `"amendment": true`.
 */
export const CorrectionRequestSchema = z.strictObject({
  childId: IdSchema,
  date: DateSchema,
  checkIn: HhmmSchema.nullable().optional(),
  checkOut: HhmmSchema.nullable().optional(),
  absent: AbsenceStateSchema.nullable().optional(),
  reason: z.string().trim().min(1, 'must say why').max(NOTE_MAX),
  actor: IdSchema,
  amendment: z.boolean().optional(),
});
export type CorrectionRequest = z.infer<typeof CorrectionRequestSchema>;

/** 200 of POST /api/corrections: the correction and the events it recorded (voids first). */
export const CorrectionResultSchema = z.strictObject({
  correctionId: z.uuid(),
  events: z.array(z.uuid()),
});
export type CorrectionResult = z.infer<typeof CorrectionResultSchema>;

/**
 * A correction of a day in a closed month, as the month's ledgers list it at the end (date, child,
 * before → after, who, why). The hub relays each to the cloud (PUT /v1/amendments/ID), so that the
 * cloud's ledgers list the same.
 */
export const AmendmentSchema = z.strictObject({
  correctionId: z.uuid(),
  date: DateSchema,
  childId: IdSchema,
  childName: z.string().max(200),
  before: DayStateSchema,
  after: DayStateSchema,
  /** Staff id and name of who made it. */
  actor: IdSchema,
  actorName: z.string().max(200),
  reason: z.string().max(NOTE_MAX),
  /** When it was made (RFC 3339, the facility's offset). */
  at: InstantSchema,
});
export type Amendment = z.infer<typeof AmendmentSchema>;

/** GET /api/open-days?month=YYYY-MM: days with a check-in and no check-out, or the reverse. */
export const OpenDaySchema = z.strictObject({
  childId: IdSchema,
  date: DateSchema,
  missing: z.enum(['check_out', 'check_in']),
});
export type OpenDay = z.infer<typeof OpenDaySchema>;
export const OpenDaysSchema = z.strictObject({ month: MonthSchema, openDays: z.array(OpenDaySchema) });
export type OpenDays = z.infer<typeof OpenDaysSchema>;

/** POST /api/months/YYYY-MM/close */
export const MonthCloseRequestSchema = z.strictObject({ actor: IdSchema });
export type MonthCloseRequest = z.infer<typeof MonthCloseRequestSchema>;

/** One month of GET /api/months (and the answer of a close). */
export const MonthStateSchema = z.strictObject({
  month: MonthSchema,
  state: z.enum(['open', 'closed']),
  closedAt: InstantSchema.nullable(),
  /** Staff id of who closed it. */
  closedBy: IdSchema.nullable(),
  /** Corrections made to it after it was closed. */
  amendments: z.number().int().min(0),
});
export type MonthState = z.infer<typeof MonthStateSchema>;
export const MonthsSchema = z.strictObject({ months: z.array(MonthStateSchema) });
export type Months = z.infer<typeof MonthsSchema>;
