import { z } from 'zod';
import { IdSchema, ROLLCALL_STATUSES } from './primitives.ts';
import {
  CARE_TYPES,
  CareBandSchema,
  DEFAULT_SETTINGS,
  ExtendedCareSchema,
  ExtendedReportSchema,
  LedgerSettingsSchema,
} from './settings.ts';
import { AmendmentSchema, DateSchema } from './history.ts';

/**
 * The attendance ledgers (登降園記録簿 / 出席簿), the same from the hub (`/api/ledger/…`) and from the cloud
 * (`/v1/facilities/F/ledger/…`): both build them with common/ledger from the facility's snapshot versions
 * (each day from the one in effect on it, so a later roster import or settings change never rewrites a
 * past day), its amendments and its events, so their files are byte-identical (CSV, and XLSX and PDF,
 * which carry no time of rendering).
 */

export const LEDGER_FORMATS = ['csv', 'xlsx', 'pdf', 'json'] as const;
export type LedgerFormat = (typeof LEDGER_FORMATS)[number];

/** CSV text encoding: UTF-8 with BOM (default) or Shift_JIS (`&encoding=sjis`); Japanese Excel opens both. */
export const CSV_ENCODINGS = ['utf8', 'sjis'] as const;
export type CsvEncoding = (typeof CSV_ENCODINGS)[number];

export const DAILY_LEDGER_COLUMNS = [
  'class_name',
  'child_id',
  'child_name',
  'status',
  'check_in',
  'check_out',
  'extended_minutes',
  'note',
  'corrected',
] as const;

/**
 * One child's day. Times are local HH:MM (minutes truncated). `extended_minutes` is null when the child did
 * not attend, and when there is a check-in without a check-out (`open`: flagged, never guessed).
 * `note`: the day's staff notes (absence reason, manual entries, voids), oldest first, joined by " / ".
 * `corrected`: staff voided or entered something for the child that day.
 */
export const DailyLedgerRowSchema = z.strictObject({
  class_name: z.string(),
  child_id: IdSchema,
  child_name: z.string(),
  status: z.enum(ROLLCALL_STATUSES),
  check_in: z.string().nullable(),
  check_out: z.string().nullable(),
  extended_minutes: z.number().int().min(0).nullable(),
  note: z.string(),
  corrected: z.boolean(),
  /** Checked in and not out (after the day, a missing check-out). Not a CSV column. */
  open: z.boolean(),
});
export type DailyLedgerRow = z.infer<typeof DailyLedgerRowSchema>;

/**
 * GET …/ledger/daily?format=json. `rows`: the children on the day's roster (the snapshot in effect that
 * day, enrolled that day); facilityName: that snapshot's.
 */
export const DailyLedgerSchema = z.strictObject({
  facilityId: IdSchema,
  facilityName: z.string(),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  rows: z.array(DailyLedgerRowSchema),
  /**
   * Corrections of the day made after its month was closed, oldest first (by `at`, then correctionId),
   * `at` in the facility's offset. The files list them after the rows under 訂正履歴（確定後の訂正）.
   */
  amendments: z.array(AmendmentSchema),
});
export type DailyLedger = z.infer<typeof DailyLedgerSchema>;

/**
 * One child's month in one class (a child who changed class has a row per class). `days[i]` is day i+1:
 * `HH:MM-HH:MM`, `HH:MM-` (no check-out), `欠` (absent) or ``; also `` on a day the child was not in
 * this class (or not enrolled), which counts nowhere. CSV columns: class_name,child_id,child_name, then
 * one column per day headed by its day number (1…31), then attended_days,absent_days,extended_minutes.
 */
export const MonthlyLedgerRowSchema = z.strictObject({
  class_name: z.string(),
  child_id: IdSchema,
  child_name: z.string(),
  days: z.array(z.string()),
  attended_days: z.number().int().min(0),
  absent_days: z.number().int().min(0),
  /** Sum over the days with both a check-in and a check-out. */
  extended_minutes: z.number().int().min(0),
  /** Days (1-based) with a check-in and no check-out: flagged for the director to fix. */
  open_days: z.array(z.number().int().min(1).max(31)),
  /**
   * Days (1-based) staff entered or corrected (the daily ledger's `corrected`); in the files (CSV, XLSX,
   * PDF) their cells end in ※, `days` stays clean.
   */
  corrected_days: z.array(z.number().int().min(1).max(31)),
});
export type MonthlyLedgerRow = z.infer<typeof MonthlyLedgerRowSchema>;

/**
 * GET …/ledger/monthly?format=json. Rows: classes in the order of the snapshot in effect on the month's
 * last day, then classes seen only earlier in the month; children by kana. facilityName: the snapshot in
 * effect on the last day.
 */
export const MonthlyLedgerSchema = z.strictObject({
  facilityId: IdSchema,
  facilityName: z.string(),
  month: z.string().regex(/^\d{4}-\d{2}$/),
  /** The class asked for (one of a snapshot in effect during the month), or null for all classes. */
  classId: IdSchema.nullable(),
  rows: z.array(MonthlyLedgerRowSchema),
  /**
   * Corrections of the month made after it was closed, oldest first, as in the daily ledger; a one-class
   * ledger lists those of its children's days in the class only.
   */
  amendments: z.array(AmendmentSchema),
});
export type MonthlyLedger = z.infer<typeof MonthlyLedgerSchema>;

/**
 * What a ledger needs besides the events: the roster and the rules, as they hold from a date on (see
 * SnapshotVersionSchema). A child is on the roster of a day only between `enrolledOn` and `leftOn`
 * (inclusive; null: no bound).
 */
export const FacilitySnapshotSchema = z.strictObject({
  facilityId: IdSchema,
  facilityName: z.string().max(200),
  timeZone: z.string(),
  careBands: z.strictObject({ standard: CareBandSchema, short: CareBandSchema }),
  extendedCare: ExtendedCareSchema,
  /** Roster order. */
  classes: z.array(z.strictObject({ id: IdSchema, name: z.string().max(200) })).max(1000),
  children: z
    .array(
      z.strictObject({
        id: IdSchema,
        name: z.string().max(200),
        kana: z.string().max(200),
        classId: IdSchema,
        careType: z.enum(CARE_TYPES),
        enrolledOn: DateSchema.nullable().default(null),
        leftOn: DateSchema.nullable().default(null),
      }),
    )
    .max(20_000),
  /** Years records are kept after the end of the fiscal year of their day (setting retention.years). */
  retentionYears: z.number().int().min(1).max(100).default(5),
  /** How the ledgers are written (settings `ledger`); versions issued before it read as the defaults. */
  ledger: LedgerSettingsSchema.default(DEFAULT_SETTINGS.ledger),
  /** The extended-care report's bands and counting times (settings `extendedReport`). */
  extendedReport: ExtendedReportSchema.default(DEFAULT_SETTINGS.extendedReport),
});
export type FacilitySnapshot = z.infer<typeof FacilitySnapshotSchema>;
export type FacilitySnapshotInput = z.input<typeof FacilitySnapshotSchema>;

/**
 * One version of a facility's snapshot, in effect from `effectiveFrom` (a local date) on. The snapshot in
 * effect on a day is that of the highest `version` whose `effectiveFrom` is on or before the day, so a
 * version replaces everything issued before it from its date on, and leaves earlier days alone. The hub
 * issues versions (edge-hub/facility/history.ts) and relays each to the cloud (PUT /v1/snapshots/VERSION),
 * which keeps them all; both build ledgers from the same versions (common/ledger/timeline.ts).
 */
export const SnapshotVersionSchema = z.strictObject({
  version: z.number().int().min(1),
  effectiveFrom: DateSchema,
  snapshot: FacilitySnapshotSchema,
});
export type SnapshotVersion = z.infer<typeof SnapshotVersionSchema>;
