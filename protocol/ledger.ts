import { z } from 'zod';
import { IdSchema, ROLLCALL_STATUSES } from './primitives.ts';
import { CARE_TYPES, CareBandSchema, ExtendedCareSchema } from './settings.ts';

/**
 * The attendance ledgers (登降園記録簿 / 出席簿), the same from the hub (`/api/ledger/…`) and from the cloud
 * (`/v1/facilities/F/ledger/…`): both build them with common/ledger from a facility snapshot and the
 * facility's events, so their CSV is byte-identical.
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

/** GET …/ledger/daily?format=json */
export const DailyLedgerSchema = z.strictObject({
  facilityId: IdSchema,
  facilityName: z.string(),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  rows: z.array(DailyLedgerRowSchema),
});
export type DailyLedger = z.infer<typeof DailyLedgerSchema>;

/**
 * One child's month. `days[i]` is day i+1: `HH:MM-HH:MM`, `HH:MM-` (no check-out), `欠` (absent) or ``.
 * CSV columns: class_name,child_id,child_name, then one column per day headed by its day number (1…31),
 * then attended_days,absent_days,extended_minutes.
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
});
export type MonthlyLedgerRow = z.infer<typeof MonthlyLedgerRowSchema>;

/** GET …/ledger/monthly?format=json */
export const MonthlyLedgerSchema = z.strictObject({
  facilityId: IdSchema,
  facilityName: z.string(),
  month: z.string().regex(/^\d{4}-\d{2}$/),
  /** The class asked for, or null for all classes. */
  classId: IdSchema.nullable(),
  rows: z.array(MonthlyLedgerRowSchema),
});
export type MonthlyLedger = z.infer<typeof MonthlyLedgerSchema>;

/**
 * What a ledger needs besides the events: the roster and the rules. The hub builds it from its database
 * and relays it to the cloud (PUT /v1/snapshot) whenever it changes, so that the cloud's ledgers match.
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
      }),
    )
    .max(20_000),
});
export type FacilitySnapshot = z.infer<typeof FacilitySnapshotSchema>;
