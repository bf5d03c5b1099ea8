import { z } from 'zod';
import { IdSchema } from './primitives.ts';
import { StaffingSchema } from './settings.ts';

/**
 * Staffing by age (保育士配置基準): the children present counted by the standard's age groups, on the
 * tablet's roll-call (protocol/tablet.ts) and in the daily staffing report (GET /api/staffing/daily).
 * Browser-safe: the tablet and admin apps import it. The rules are in edge-hub/staffing (ages.ts: the age
 * of April 1 of the fiscal year; required.ts: fractions per age summed, then rounded up).
 */

const Count = z.number().int().min(0);

/** Children by class age on April 1 of the fiscal year; `unknown`: no birth date on the roster. */
export const AgeCountsSchema = z.strictObject({
  age0: Count,
  age1: Count,
  age2: Count,
  age3: Count,
  age4plus: Count,
  unknown: Count,
});
export type AgeCounts = z.infer<typeof AgeCountsSchema>;

/** The staffing of one class now, as the tablet shows it. */
export const ClassStaffingSchema = z.strictObject({
  /** The children present, by age group. */
  present: AgeCountsSchema,
  /** Staff the ages of the children present need (unknown ages left out). */
  requiredByAge: Count,
  /** With the class's own maxChildrenPerStaff, if set: the larger of that and requiredByAge. */
  required: Count,
  /** Staff on duty (entered) fewer than required. */
  understaffed: z.boolean(),
});
export type ClassStaffing = z.infer<typeof ClassStaffingSchema>;

/** The staffing of the whole facility now. */
export const FacilityStaffingSchema = z.strictObject({
  present: AgeCountsSchema,
  /** max(minimumStaff, ages of every child present) while any child is present; 0 when none is. */
  required: Count,
  minimumStaff: Count,
  /** The sum of the counts entered per class; null while no class has one. */
  staffOnDuty: Count.nullable(),
  understaffed: z.boolean(),
});
export type FacilityStaffing = z.infer<typeof FacilityStaffingSchema>;

/** Why a row of the report is there: a time of the grid, or a change of a staff count. */
export const STAFFING_ROW_KINDS = ['slot', 'staff_change'] as const;

/** One time of the daily staffing report, for a class or the facility. */
export const StaffingRowSchema = z.strictObject({
  /** Local time HH:MM. */
  time: z.string().regex(/^\d{2}:\d{2}$/),
  kind: z.enum(STAFFING_ROW_KINDS),
  present: AgeCountsSchema,
  presentTotal: Count,
  required: Count,
  /** The count in effect at that time (the latest entered before it that day); null: none entered yet. */
  staffOnDuty: Count.nullable(),
  /** required − staffOnDuty when positive; 0 when staffed; null when no count is entered. */
  shortfall: Count.nullable(),
  /** Fewer staff on duty than required (an entered count; no count with children present is apart). */
  understaffed: z.boolean(),
});
export type StaffingRow = z.infer<typeof StaffingRowSchema>;

/** GET /api/staffing/daily?date=YYYY-MM-DD&format=json */
export const DailyStaffingReportSchema = z.strictObject({
  facilityName: z.string(),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** The standard the report applied (settings `staffing`) and how it rounds. */
  standard: StaffingSchema.extend({ rounding: z.enum(['sum', 'per_age']) }),
  classes: z.array(
    z.strictObject({
      classId: IdSchema,
      className: z.string(),
      /** The class's own stricter ratio (settings classes.X), or null. */
      maxChildrenPerStaff: z.number().positive().nullable(),
      rows: z.array(StaffingRowSchema),
    }),
  ),
  /** The facility: every child present, the minimum staff, the sum of the classes' counts. */
  facility: z.strictObject({ rows: z.array(StaffingRowSchema) }),
  /** Children on the day's roster whose age is not known (no birth date): to be fixed in the roster. */
  ageUnknown: z.array(z.strictObject({ childId: IdSchema, name: z.string(), classId: IdSchema })),
});
export type DailyStaffingReport = z.infer<typeof DailyStaffingReportSchema>;
