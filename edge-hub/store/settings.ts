import type { z } from 'zod';
import type { Db } from '../../common/sqlite.ts';
import { decodeStoredJson } from '../../protocol/decode.ts';
import {
  DEFAULT_SETTINGS,
  ExtendedReportSchema,
  LedgerSettingsSchema,
  StaffingSchema,
  type ClassSettings,
  type FacilitySettings,
  type Rounding,
} from '../../protocol/settings.ts';

/** The settings that apply to the whole facility (all but the zone, the name and the per-class ones). */
export type FacilityWideSettings = Omit<FacilitySettings, 'timeZone' | 'facilityName' | 'classes'>;

/** The facility's settings (tables facility_settings, class_settings); the zone is in FacilityStore. */
export interface SettingsStore {
  /** The facility-wide settings (protocol/settings.ts; the zone and per-class ones are apart). */
  facilitySettings(): FacilityWideSettings;
  /** Writes all facility-wide settings (validated by the caller: settings.ts). */
  setFacilitySettings(s: FacilityWideSettings): void;
  classSettings(): Map<string, ClassSettings>;
  setClassSettings(classId: string, settings: ClassSettings): void;
}

interface FacilitySettingsRow {
  closing_time: string;
  default_cutoff: string;
  standard_start: string;
  standard_end: string;
  short_start: string;
  short_end: string;
  grace_minutes: number;
  rounding_minutes: number;
  rounding: Rounding;
  undo_window_minutes: number;
  reversal_guard_minutes: number;
  retention_years: number;
  ledger_json: string | null;
  extended_report_json: string | null;
  staffing_json: string | null;
}

/** A JSON settings group, or its default while none was ever set. */
function group<T>(schema: z.ZodType<T>, json: string | null, fallback: T): T {
  return json === null ? fallback : decodeStoredJson(schema, json);
}

export class SqliteSettingsStore implements SettingsStore {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  facilitySettings(): FacilityWideSettings {
    const r = this.db
      .prepare<[], FacilitySettingsRow>(
        `SELECT closing_time, default_cutoff, standard_start, standard_end, short_start, short_end,
           grace_minutes, rounding_minutes, rounding, undo_window_minutes, reversal_guard_minutes, retention_years,
           ledger_json, extended_report_json, staffing_json
           FROM facility_settings WHERE id = 1`,
      )
      .get();
    if (!r) return DEFAULT_SETTINGS;
    return {
      closingTime: r.closing_time,
      defaultCutoff: r.default_cutoff,
      careBands: {
        standard: { start: r.standard_start, end: r.standard_end },
        short: { start: r.short_start, end: r.short_end },
      },
      extendedCare: {
        graceMinutes: r.grace_minutes,
        roundingMinutes: r.rounding_minutes,
        rounding: r.rounding,
      },
      undoWindowMinutes: r.undo_window_minutes,
      reversalGuardMinutes: r.reversal_guard_minutes,
      retention: { years: r.retention_years },
      ledger: group(LedgerSettingsSchema, r.ledger_json, DEFAULT_SETTINGS.ledger),
      extendedReport: group(ExtendedReportSchema, r.extended_report_json, DEFAULT_SETTINGS.extendedReport),
      staffing: group(StaffingSchema, r.staffing_json, DEFAULT_SETTINGS.staffing),
    };
  }

  setFacilitySettings(s: FacilityWideSettings): void {
    this.db
      .prepare(
        `UPDATE facility_settings SET closing_time = ?, default_cutoff = ?, standard_start = ?, standard_end = ?,
           short_start = ?, short_end = ?, grace_minutes = ?, rounding_minutes = ?, rounding = ?,
           undo_window_minutes = ?, reversal_guard_minutes = ?, retention_years = ?, ledger_json = ?,
           extended_report_json = ?, staffing_json = ? WHERE id = 1`,
      )
      .run(
        s.closingTime,
        s.defaultCutoff,
        s.careBands.standard.start,
        s.careBands.standard.end,
        s.careBands.short.start,
        s.careBands.short.end,
        s.extendedCare.graceMinutes,
        s.extendedCare.roundingMinutes,
        s.extendedCare.rounding,
        s.undoWindowMinutes,
        s.reversalGuardMinutes,
        s.retention.years,
        JSON.stringify(s.ledger),
        JSON.stringify(s.extendedReport),
        JSON.stringify(s.staffing),
      );
  }

  classSettings(): Map<string, ClassSettings> {
    const rows = this.db
      .prepare<[], { class_id: string; cutoff: string | null; max_children_per_staff: number | null }>(
        'SELECT class_id, cutoff, max_children_per_staff FROM class_settings',
      )
      .all();
    return new Map(
      rows.map((r) => [r.class_id, { cutoff: r.cutoff, maxChildrenPerStaff: r.max_children_per_staff }]),
    );
  }

  setClassSettings(classId: string, settings: ClassSettings): void {
    this.db
      .prepare(
        `INSERT INTO class_settings (class_id, cutoff, max_children_per_staff) VALUES (?, ?, ?)
         ON CONFLICT (class_id) DO UPDATE SET cutoff = excluded.cutoff,
           max_children_per_staff = excluded.max_children_per_staff`,
      )
      .run(classId, settings.cutoff, settings.maxChildrenPerStaff);
  }
}
