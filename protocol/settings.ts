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
  .refine((b) => b.start < b.end, {
    message: 'must end after it starts',
    path: ['end'],
    // The problem's code for the apps' wording (protocol/setting-problems.ts).
    params: { problem: 'end_before_start' },
  });
export type CareBand = z.infer<typeof CareBandSchema>;

export const ExtendedCareSchema = z.strictObject({
  /** Minutes outside the band that do not count (a parent a few minutes late). */
  graceMinutes: z.number().int().min(0).max(120),
  /** Minutes beyond the grace are rounded to a multiple of this. */
  roundingMinutes: z.number().int().min(1).max(120),
  rounding: z.enum(ROUNDINGS),
});
export type ExtendedCare = z.infer<typeof ExtendedCareSchema>;

/** A date YYYY-MM-DD, or MM-DD for the same day every year (年末年始). */
const ClosedDateSchema = z
  .string()
  .regex(
    /^(\d{4}-)?(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/,
    'must be a date YYYY-MM-DD or MM-DD (every year)',
  );

export const LEDGER_LANGUAGES = ['ja', 'en'] as const;
export type LedgerLanguage = (typeof LEDGER_LANGUAGES)[number];

/** How the ledgers (and the extended-care report) are written; they travel in the snapshot versions. */
export const LedgerSettingsSchema = z.strictObject({
  /** Headings and values; a request may ask for the other with `&lang=`. */
  language: z.enum(LEDGER_LANGUAGES),
  /** The month also in the Japanese era (令和8年12月) in Japanese ledgers. */
  japaneseEra: z.boolean(),
  /** Days of the week the facility is closed, 0 (Sunday) … 6 (Saturday): shaded. */
  closedWeekdays: z.array(z.number().int().min(0).max(6)).max(7),
  /** Japan's public holidays are closed days (shaded); false: they are marked only. */
  closedOnHolidays: z.boolean(),
  /** Further closed days: YYYY-MM-DD, or MM-DD for every year (12-29 … 01-03). */
  closedDates: z.array(ClosedDateSchema).max(1000),
});
export type LedgerSettings = z.infer<typeof LedgerSettingsSchema>;

/** A time band of extended care on one side of the standard hours, in minutes after grace and rounding. */
export const ExtendedBandSchema = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1–32 letters, digits, _ or -'),
    label: z.string().min(1).max(40),
    /** Inclusive bounds; `toMinutes` null: no upper bound. */
    fromMinutes: z.number().int().min(1).max(1440),
    toMinutes: z.number().int().min(1).max(1440).nullable(),
  })
  .refine((b) => b.toMinutes === null || b.toMinutes >= b.fromMinutes, {
    message: 'must not end before it starts',
    path: ['toMinutes'],
    params: { problem: 'end_before_start' },
  });
export type ExtendedBand = z.infer<typeof ExtendedBandSchema>;

/** The extended-care report (GET …/ledger/extended): its bands and the times of day children are counted. */
export const ExtendedReportSchema = z.strictObject({
  /** In order of minutes, not overlapping; ids unique. */
  bands: z
    .array(ExtendedBandSchema)
    .min(1)
    .max(12)
    .refine(
      (bands) =>
        bands.every((b, i) => {
          const prev = bands[i - 1];
          return prev === undefined || (prev.toMinutes !== null && b.fromMinutes > prev.toMinutes);
        }),
      {
        message: 'bands must be in order of minutes and must not overlap',
        params: { problem: 'bands_overlap' },
      },
    )
    .refine((bands) => new Set(bands.map((b) => b.id)).size === bands.length, {
      message: 'band ids must be unique',
      params: { problem: 'band_ids_unique' },
    }),
  /** Local times at which the children present are counted each day (e.g. 18:00, 19:00). */
  presentAt: z.array(HhmmSchema).max(8),
});
export type ExtendedReport = z.infer<typeof ExtendedReportSchema>;

/** Ages the staffing standard distinguishes: 0, 1, 2, 3, 4 and older (4–5歳). */
export const STAFFING_AGES = ['age0', 'age1', 'age2', 'age3', 'age4plus'] as const;
export type StaffingAge = (typeof STAFFING_AGES)[number];

/** The staffing standard (保育士配置基準): children per staff member by age, and the least staff on site. */
export const StaffingSchema = z.strictObject({
  childrenPerStaff: z.strictObject({
    age0: z.number().positive().max(100),
    age1: z.number().positive().max(100),
    age2: z.number().positive().max(100),
    age3: z.number().positive().max(100),
    age4plus: z.number().positive().max(100),
  }),
  /** Least staff on duty in the facility while any child is present (national standard: 2). */
  minimumStaff: z.number().int().min(0).max(20),
});
export type Staffing = z.infer<typeof StaffingSchema>;

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
  ledger: LedgerSettingsSchema,
  extendedReport: ExtendedReportSchema,
  staffing: StaffingSchema,
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
  ledger: {
    language: 'ja',
    japaneseEra: true,
    closedWeekdays: [0],
    closedOnHolidays: true,
    closedDates: ['12-29', '12-30', '12-31', '01-01', '01-02', '01-03'],
  },
  // Kyoto's 時間外(延長)保育事業実績報告 bands, and a last one so that every use lands in a band.
  extendedReport: {
    bands: [
      { id: '30m', label: '30分', fromMinutes: 16, toMinutes: 30 },
      { id: '1h', label: '1時間', fromMinutes: 31, toMinutes: 90 },
      { id: '2h', label: '2時間', fromMinutes: 91, toMinutes: 120 },
      { id: 'over2h', label: '2時間超', fromMinutes: 121, toMinutes: null },
    ],
    presentAt: ['18:00', '19:00'],
  },
  // 児童福祉施設の設備及び運営に関する基準 art. 33 (4–5歳 25:1 since April 2024).
  staffing: { childrenPerStaff: { age0: 3, age1: 6, age2: 6, age3: 15, age4plus: 25 }, minimumStaff: 2 },
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
  ledger: LedgerSettingsSchema.partial().optional(),
  /** `bands` and `presentAt` each replace the whole list. */
  extendedReport: ExtendedReportSchema.partial().optional(),
  staffing: z
    .strictObject({
      childrenPerStaff: StaffingSchema.shape.childrenPerStaff.partial().optional(),
      minimumStaff: StaffingSchema.shape.minimumStaff.optional(),
    })
    .optional(),
  classes: z.record(IdSchema, ClassSettingsSchema.partial()).optional(),
});
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;
