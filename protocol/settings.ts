import { z } from 'zod';
import { IdSchema } from './primitives.ts';

/**
 * A facility's settings as the hub keeps them (GET /api/settings) and as an administrator changes them
 * (PATCH /api/settings: any subset; each class listed is merged field by field). Browser-safe: the admin
 * app imports it. Bad values are refused with the field and the reason, and nothing changes.
 */

/** Local time of day, 00:00–23:59. */
export const HhmmSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (00:00–23:59)');

export const CARE_TYPES = ['standard', 'short'] as const;
export type CareType = (typeof CARE_TYPES)[number];

export const ROUNDINGS = ['up', 'down', 'nearest'] as const;
export type Rounding = (typeof ROUNDINGS)[number];

/** The hours of a care type (保育標準時間 / 保育短時間); care outside them is extended care. */
export const CareBandSchema = z
  .strictObject({ start: HhmmSchema, end: HhmmSchema })
  .refine((b) => b.start < b.end, { message: 'must end after it starts', path: ['end'] });
export type CareBand = z.infer<typeof CareBandSchema>;

export const ExtendedCareSchema = z.strictObject({
  /** Minutes outside the band that do not count (a parent a few minutes late). */
  graceMinutes: z.number().int().min(0).max(120),
  /** Minutes beyond the grace are rounded to a multiple of this. */
  roundingMinutes: z.number().int().min(1).max(120),
  rounding: z.enum(ROUNDINGS),
});
export type ExtendedCare = z.infer<typeof ExtendedCareSchema>;

export const ClassSettingsSchema = z.strictObject({
  /** After this local time, children neither present nor absent are unaccounted; null: the default. */
  cutoff: HhmmSchema.nullable(),
  /** Most children present per staff member on duty (e.g. 3 for 0-year-olds); null: no check. */
  maxChildrenPerStaff: z.number().positive().max(100).nullable(),
});
export type ClassSettings = z.infer<typeof ClassSettingsSchema>;

export const FacilitySettingsSchema = z.strictObject({
  /** IANA zone of the facility's business days; chosen when the hub's data directory is created. */
  timeZone: z.string(),
  /**
   * The facility's display name (kiosk, tablet and admin app headers, ledgers); the facility id stays
   * internal. Set by `genkan hub --facility-name` or here; a change holds for the ledgers from today on.
   */
  facilityName: z.string().max(200),
  /** After this local time, children still present are listed on the tablets. */
  closingTime: HhmmSchema,
  /** The unaccounted cut-off of a class without its own. */
  defaultCutoff: HhmmSchema,
  careBands: z.strictObject({ standard: CareBandSchema, short: CareBandSchema }),
  extendedCare: ExtendedCareSchema,
  /**
   * A kiosk may void its own event (a parent's undo, a child left out) only this many minutes after it,
   * as stamped; later corrections are staff work on a tablet or in the admin app.
   */
  undoWindowMinutes: z.number().int().min(1).max(60),
  /**
   * A kiosk tap that would reverse a child's event of less than this many minutes ago (a check-out soon
   * after a check-in, or the other way) records nothing until the parent touches the child: a second
   * tap is more often a mistake than a real turnaround. Reaches the kiosks with the roster.
   */
  reversalGuardMinutes: z.number().int().min(1).max(120),
  /**
   * Records are kept this many years after the end of the fiscal year (April–March) of their day, then
   * deleted by the retention job (docs/admin.md "Retention, disposal and disclosure").
   */
  retention: z.strictObject({ years: z.number().int().min(1).max(100) }),
  /** Per class id; a class of the roster without an entry uses the defaults. */
  classes: z.record(IdSchema, ClassSettingsSchema),
});
export type FacilitySettings = z.infer<typeof FacilitySettingsSchema>;

export const DEFAULT_SETTINGS: Omit<FacilitySettings, 'timeZone' | 'facilityName' | 'classes'> = {
  closingTime: '19:00',
  defaultCutoff: '10:00',
  careBands: { standard: { start: '07:00', end: '18:00' }, short: { start: '08:30', end: '16:30' } },
  extendedCare: { graceMinutes: 5, roundingMinutes: 30, rounding: 'up' },
  undoWindowMinutes: 10,
  reversalGuardMinutes: 10,
  retention: { years: 5 },
};

export const SettingsPatchSchema = z.strictObject({
  /** Present only to be refused with a reason if it differs: the zone cannot change (see above). */
  timeZone: z.string().optional(),
  /** Checked by the hub as the facility's name (clean text, not empty, at most 200 characters). */
  facilityName: z.string().optional(),
  closingTime: HhmmSchema.optional(),
  defaultCutoff: HhmmSchema.optional(),
  careBands: z
    .strictObject({ standard: CareBandSchema.optional(), short: CareBandSchema.optional() })
    .optional(),
  extendedCare: ExtendedCareSchema.partial().optional(),
  undoWindowMinutes: z.number().int().min(1).max(60).optional(),
  reversalGuardMinutes: z.number().int().min(1).max(120).optional(),
  retention: z.strictObject({ years: z.number().int().min(1).max(100) }).optional(),
  classes: z.record(IdSchema, ClassSettingsSchema.partial()).optional(),
});
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;
