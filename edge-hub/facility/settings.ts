import { GenkanError, ValidationError } from '../../common/errors.ts';
import {
  FacilitySettingsSchema,
  SettingsPatchSchema,
  textProblem,
  type ClassSettings,
  type FacilitySettings,
} from '../../protocol/index.ts';
import { settingProblemOf, type SettingIssue, type SettingProblem } from '../../protocol/setting-problems.ts';
import type { AuditActorKind } from '../store/audit.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import { applySnapshotChange, namePatchOf, settingsPatchOf, today } from './history.ts';

/** The facility's settings: the zone of the data directory, the facility-wide ones and each class's. */
export function readSettings(store: StoreOf<'facility' | 'settings'>): FacilitySettings {
  const meta = store.facility.meta();
  return {
    timeZone: meta.timeZone,
    // Until the hub's first start names it, a facility has neither id nor name.
    facilityName: meta.facilityName ?? meta.facilityId ?? '',
    ...store.settings.facilitySettings(),
    classes: Object.fromEntries(store.settings.classSettings()),
  };
}

export interface SettingsActor {
  kind: AuditActorKind;
  /** Staff id; null for the CLI and the admin token. */
  id: string | null;
  deviceId?: string;
}

/**
 * The first problem of a zod error as a ValidationError naming the field (`careBands.short.end`), with
 * params {field, problem, min?/max?} the admin app words next to the field (protocol/setting-problems.ts).
 */
function refused(issues: readonly (SettingIssue & { path: readonly PropertyKey[] })[]): ValidationError {
  const first = issues[0];
  const field = first?.path.map(String).join('.') ?? '';
  return new ValidationError(
    'bad_setting',
    `${field === '' ? 'settings' : field}: ${first?.message ?? 'invalid'}`,
    field,
    first === undefined ? { problem: 'invalid' } : settingProblemOf(first),
  );
}

/** The facility name's problem (a setting's: protocol/setting-problems.ts). */
function nameProblem(name: string): { problem: SettingProblem; max?: number } | undefined {
  if (name === '') return { problem: 'not_empty' };
  if (name.length > FACILITY_NAME_MAX) return { problem: 'too_long', max: FACILITY_NAME_MAX };
  return textProblem(name, FACILITY_NAME_MAX) === undefined ? undefined : { problem: 'bad_text' };
}

const FACILITY_NAME_MAX = 200;

/**
 * Applies a change (PATCH /api/settings, `genkan settings set`): validated as a whole, written and audited
 * (before and after) in one transaction, or refused with the field and the reason and nothing changed.
 * Returns the settings as they are now.
 */
export function updateSettings(
  store: StoreOf<'facility' | 'roster' | 'audit' | 'settings' | 'history'> & Transactional,
  patch: unknown,
  actor: SettingsActor,
): FacilitySettings {
  const parsed = SettingsPatchSchema.safeParse(patch);
  if (!parsed.success) throw refused(parsed.error.issues);
  const p = parsed.data;
  const before = readSettings(store);
  if (p.timeZone !== undefined && p.timeZone !== before.timeZone) {
    throw new ValidationError(
      'time_zone_fixed',
      `timeZone: the zone is chosen when the hub's data directory is created (${before.timeZone})`,
      'timeZone',
      { problem: 'time_zone_fixed', timeZone: before.timeZone },
    );
  }
  const facilityName = p.facilityName?.trim();
  if (facilityName !== undefined) {
    const problem = facilityName === '' ? 'must not be empty' : textProblem(facilityName, FACILITY_NAME_MAX);
    if (problem !== undefined) {
      throw new ValidationError(
        'bad_setting',
        `facilityName: ${problem}`,
        'facilityName',
        nameProblem(facilityName),
      );
    }
  }
  const classIds = new Set(store.roster.read().classes.map((c) => c.id));
  const classes: Record<string, ClassSettings> = { ...before.classes };
  for (const [id, change] of Object.entries(p.classes ?? {})) {
    if (!classIds.has(id)) {
      throw new ValidationError(
        'unknown_class',
        `classes.${id}: no such class on the roster`,
        `classes.${id}`,
        { problem: 'unknown_class' },
      );
    }
    const old = classes[id];
    classes[id] = {
      cutoff: change.cutoff !== undefined ? change.cutoff : (old?.cutoff ?? null),
      maxChildrenPerStaff:
        change.maxChildrenPerStaff !== undefined
          ? change.maxChildrenPerStaff
          : (old?.maxChildrenPerStaff ?? null),
    };
  }
  const next: FacilitySettings = {
    timeZone: before.timeZone,
    facilityName: facilityName ?? before.facilityName,
    closingTime: p.closingTime ?? before.closingTime,
    defaultCutoff: p.defaultCutoff ?? before.defaultCutoff,
    careBands: {
      standard: p.careBands?.standard ?? before.careBands.standard,
      short: p.careBands?.short ?? before.careBands.short,
    },
    extendedCare: {
      graceMinutes: p.extendedCare?.graceMinutes ?? before.extendedCare.graceMinutes,
      roundingMinutes: p.extendedCare?.roundingMinutes ?? before.extendedCare.roundingMinutes,
      rounding: p.extendedCare?.rounding ?? before.extendedCare.rounding,
    },
    undoWindowMinutes: p.undoWindowMinutes ?? before.undoWindowMinutes,
    reversalGuardMinutes: p.reversalGuardMinutes ?? before.reversalGuardMinutes,
    retention: p.retention ?? before.retention,
    ledger: merged(before.ledger, p.ledger),
    extendedReport: merged(before.extendedReport, p.extendedReport),
    staffing: {
      childrenPerStaff: merged(before.staffing.childrenPerStaff, p.staffing?.childrenPerStaff),
      minimumStaff: p.staffing?.minimumStaff ?? before.staffing.minimumStaff,
    },
    classes,
  };
  // The merged whole is checked again: a partial change can break a rule between fields.
  const whole = FacilitySettingsSchema.safeParse(next);
  if (!whole.success) throw refused(whole.error.issues);
  store.transaction(() => {
    const { timeZone: _zone, facilityName: name, classes: perClass, ...wide } = whole.data;
    store.settings.setFacilitySettings(wide);
    // The ledgers' part holds from today on; the days before keep the rules they were kept under.
    applySnapshotChange(store, today(store), settingsPatchOf(wide));
    // Kiosks get the name with the roster (its version moves); the ledgers print it from today on.
    if (name !== before.facilityName && store.facility.rename(name)) {
      applySnapshotChange(store, today(store), namePatchOf(name));
    }
    for (const id of Object.keys(p.classes ?? {})) {
      const c = perClass[id];
      if (c) store.settings.setClassSettings(id, c);
    }
    store.audit.append({
      actorKind: actor.kind,
      actorId: actor.id,
      action: 'settings.update',
      subject: 'facility',
      ...(actor.deviceId !== undefined && { deviceId: actor.deviceId }),
      outcome: 'ok',
      before: changedOnly(before, whole.data, true),
      after: changedOnly(before, whole.data, false),
    });
  });
  return readSettings(store);
}

/** A settings group with the fields a change gives (each replaced whole). */
function merged<T extends object>(base: T, change: { [K in keyof T]?: T[K] | undefined } | undefined): T {
  const out = { ...base };
  for (const key of Object.keys(change ?? {}) as (keyof T)[]) {
    const value = change?.[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** The top-level settings (and classes) that differ, from one side: the audit keeps what changed. */
function changedOnly(a: FacilitySettings, b: FacilitySettings, fromA: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const side = fromA ? a : b;
  for (const key of Object.keys(side) as (keyof FacilitySettings)[]) {
    if (key === 'classes') continue;
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) out[key] = side[key];
  }
  const ids = new Set([...Object.keys(a.classes), ...Object.keys(b.classes)]);
  const classes: Record<string, ClassSettings | null> = {};
  for (const id of ids) {
    if (JSON.stringify(a.classes[id]) !== JSON.stringify(b.classes[id]))
      classes[id] = side.classes[id] ?? null;
  }
  if (Object.keys(classes).length > 0) out['classes'] = classes;
  return out;
}

/**
 * `path=value` pairs as a settings change: `classes.k1.cutoff=09:30` → {classes:{k1:{cutoff:"09:30"}}}.
 * A value that reads as JSON (a number, null, true) is that; anything else is a string (and facilityName
 * is always one).
 */
export function settingsPatch(pairs: readonly string[]): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const path = eq > 0 ? pair.slice(0, eq).split('.') : [];
    if (path.length === 0 || path.some((k) => k === '' || k === '__proto__')) {
      throw new GenkanError('bad_usage', `not a setting: ${pair} (write path=value, e.g. closingTime=19:00)`);
    }
    const raw = pair.slice(eq + 1);
    // The facility's name is text even when it reads as a number ("123").
    const value = pair.startsWith('facilityName=') ? raw : jsonOrText(raw);
    let node = patch;
    path.forEach((key, i) => {
      if (i === path.length - 1) {
        node[key] = value;
        return;
      }
      const next = node[key];
      if (typeof next === 'object' && next !== null) node = next as Record<string, unknown>;
      else {
        const created: Record<string, unknown> = {};
        node[key] = created;
        node = created;
      }
    });
  }
  return patch;
}

function jsonOrText(raw: string): unknown {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed === null || typeof parsed !== 'object') return parsed;
  } catch {
    // not JSON: a string such as 09:30
  }
  return raw;
}
