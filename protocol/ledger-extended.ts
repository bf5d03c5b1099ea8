import { z } from 'zod';
import { DateSchema } from './history.ts';
import { IdSchema } from './primitives.ts';
import { CARE_TYPES, ExtendedBandSchema, HhmmSchema } from './settings.ts';

/**
 * The extended-care report (時間外（延長）保育 実績報告): GET /api/ledger/extended at the hub and
 * GET /v1/facilities/F/ledger/extended at the cloud, `?month=YYYY-MM&format=json|csv|xlsx|pdf`, built by
 * common/ledger/extended.ts from the same snapshot versions and events as the monthly ledger, so hub and
 * cloud answer byte-identical files. What it counts:
 *
 * - A child's day counts when the child is on that day's roster (the snapshot in effect that day,
 *   enrolled that day) and checked in and out (status left). The minutes before the care band of the
 *   child's care type that day and the minutes after it are kept apart, each side graced and rounded by
 *   that day's `extendedCare` (the same computation as the ledgers' extended_minutes, which is their
 *   sum). A side is used when its minutes are above zero.
 * - A day with a check-in and no check-out counts nowhere (never guessed) and is listed in `openDays`.
 * - `bands` and `presentAt` are those of the snapshot in effect on the month's last day (else the
 *   earliest version), for the whole month: the report is one table.
 */

/** Children per care type (標準時間 / 短時間). */
export const CareTypeCountsSchema = z.strictObject({
  standard: z.number().int().min(0),
  short: z.number().int().min(0),
});
export type CareTypeCounts = z.infer<typeof CareTypeCountsSchema>;

/** The two sides of the standard hours: before (前) and after (後). */
export const EXTENDED_SIDES = ['before', 'after'] as const;
export type ExtendedSide = (typeof EXTENDED_SIDES)[number];

export const SidesSchema = z.strictObject({
  before: z.number().int().min(0),
  after: z.number().int().min(0),
});
export type Sides = z.infer<typeof SidesSchema>;

/** One day of the month (every day has one, also days nobody came). */
export const ExtendedDaySchema = z.strictObject({
  date: DateSchema,
  /** Children using extended care before the standard hours, by their care type that day. */
  before: CareTypeCountsSchema,
  /** Children using extended care after the standard hours, by their care type that day. */
  after: CareTypeCountsSchema,
  /**
   * Per `presentAt` time: the children checked in at or before that minute and checked out after it
   * (local HH:MM as the ledgers show them, seconds truncated), whatever their care type.
   */
  presentAt: z.record(HhmmSchema, z.number().int().min(0)),
});
export type ExtendedDay = z.infer<typeof ExtendedDaySchema>;

/**
 * One child's month in one class and one care type: a child who changed class or care type during the
 * month has a row for each (class, care type), each counting the days it had that class and care type,
 * so that the rows of a care type add up to the per-day counts of that care type. Rows in the monthly
 * ledger's order (classes as on the month's last day, children by kana), a child's rows in the order of
 * their first day. childName, className: as on the row's last day.
 */
export const ExtendedChildSchema = z.strictObject({
  childId: IdSchema,
  childName: z.string(),
  className: z.string(),
  careType: z.enum(CARE_TYPES),
  /**
   * Band id → the days whose minutes on that side (after grace and rounding) fall in the band
   * (fromMinutes ≤ m ≤ toMinutes, null: no upper bound). A side's minutes in no band count in `days`
   * only.
   */
  bands: z.record(z.string(), SidesSchema),
  /** Days with extended care on that side. */
  days: SidesSchema,
  /** Minutes of extended care on that side, summed over the month. */
  minutes: SidesSchema,
});
export type ExtendedChild = z.infer<typeof ExtendedChildSchema>;

/** A day with a check-in and no check-out: counted nowhere until the check-out is corrected. */
export const ExtendedOpenDaySchema = z.strictObject({
  date: DateSchema,
  childId: IdSchema,
  childName: z.string(),
  className: z.string(),
});
export type ExtendedOpenDay = z.infer<typeof ExtendedOpenDaySchema>;

/** GET …/ledger/extended?format=json. */
export const ExtendedLedgerSchema = z.strictObject({
  facilityId: IdSchema,
  /** The snapshot in effect on the month's last day. */
  facilityName: z.string(),
  month: z.string().regex(/^\d{4}-\d{2}$/),
  /** The bands of the snapshot in effect on the month's last day (settings extendedReport.bands). */
  bands: z.array(ExtendedBandSchema),
  /** The counting times of the snapshot in effect on the month's last day (extendedReport.presentAt). */
  presentAt: z.array(HhmmSchema),
  days: z.array(ExtendedDaySchema),
  children: z.array(ExtendedChildSchema),
  /** By date, then in roster order. */
  openDays: z.array(ExtendedOpenDaySchema),
});
export type ExtendedLedger = z.infer<typeof ExtendedLedgerSchema>;

/** The CSV's one table: `children` (default, one row per child row) or `days` (one row per day). */
export const EXTENDED_TABLES = ['children', 'days'] as const;
export type ExtendedTable = (typeof EXTENDED_TABLES)[number];
