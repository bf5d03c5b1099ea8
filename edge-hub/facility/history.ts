import { inEffect, planChange, versionsFor } from '../../common/ledger/timeline.ts';
import { enrolledOn } from '../../common/ledger/source.ts';
import {
  DEFAULT_SETTINGS,
  type Amendment,
  type FacilitySnapshot,
  type SnapshotVersion,
} from '../../protocol/index.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import type { DatedRoster, SnapshotContent } from '../store/history.ts';
import type { FacilityWideSettings } from '../store/settings.ts';
import type { RosterData } from '../store/roster.ts';

/**
 * The facility's dated history (issue 13): every change to what the ledgers are built from (roster,
 * care rules, name, retention) is a new snapshot version from a date on, so the ledgers of the days
 * before never change. The live roster tables are the roster import in effect today.
 */

type Patch = (content: SnapshotContent | undefined) => SnapshotContent;

const EMPTY: SnapshotContent = {
  facilityName: null,
  careBands: { standard: { start: '07:00', end: '18:00' }, short: { start: '08:30', end: '16:30' } },
  extendedCare: { graceMinutes: 5, roundingMinutes: 30, rounding: 'up' },
  classes: [],
  children: [],
  retentionYears: 5,
  ledger: DEFAULT_SETTINGS.ledger,
  extendedReport: DEFAULT_SETTINGS.extendedReport,
};

/** The business day now in the facility's zone. */
export function today(store: StoreOf<'history'>): string {
  return store.history.today();
}

/**
 * Issues the versions that make every day from `effectiveFrom` on `patch` of what it was (within the
 * caller's transaction). Returns the versions issued (none when nothing changes).
 */
export function applySnapshotChange(
  store: StoreOf<'history'>,
  effectiveFrom: string,
  patch: Patch,
): number[] {
  const plan = planChange(
    store.history.versions(),
    effectiveFrom,
    patch,
    (a, b) => JSON.stringify(a) === JSON.stringify(b),
  );
  return plan.map((p) => store.history.issue(p.effectiveFrom, p.content));
}

/** The ledgers' part of the facility-wide settings. */
export function settingsPatchOf(settings: FacilityWideSettings): Patch {
  return (c) => ({
    ...(c ?? EMPTY),
    careBands: settings.careBands,
    extendedCare: settings.extendedCare,
    retentionYears: settings.retention.years,
    ledger: settings.ledger,
    extendedReport: settings.extendedReport,
  });
}

/** The facility's name from now on (it is set when the hub starts). */
export function namePatchOf(facilityName: string): Patch {
  return (c) => ({ ...(c ?? EMPTY), facilityName });
}

/** A roster from its effective date on: classes, names, care types and dates of its children. */
export function rosterPatchOf(roster: DatedRoster): Patch {
  return (c) => ({
    ...(c ?? EMPTY),
    classes: roster.classes.map(({ id, name }) => ({ id, name })),
    children: roster.children
      .map(({ id, name, kana, classId, careType, enrolledOn, leftOn }) => ({
        id,
        name,
        kana,
        classId,
        careType,
        enrolledOn,
        leftOn,
      }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  });
}

/** A stored version as the wire and the ledger engine know it (protocol/ledger.ts SnapshotVersion). */
export function snapshotOf(content: SnapshotContent, facilityId: string, timeZone: string): FacilitySnapshot {
  const { facilityName, ...rest } = content;
  return { facilityId, facilityName: facilityName ?? facilityId, timeZone, ...rest };
}

/** What the ledgers of [from, to] are built from: the versions in effect on its days, and its amendments. */
export function ledgerSource(
  store: StoreOf<'history' | 'corrections'>,
  facilityId: string,
  timeZone: string,
  from: string,
  to: string,
): { versions: SnapshotVersion[]; amendments: Amendment[] } {
  return {
    versions: versionsFor(store.history.versions(), from, to).map((v) => ({
      version: v.version,
      effectiveFrom: v.effectiveFrom,
      snapshot: snapshotOf(v.content, facilityId, timeZone),
    })),
    amendments: store.corrections.amendments(from, to),
  };
}

/** The snapshot in effect on `date` (the hub's seed version makes one always exist). */
export function snapshotOn(
  store: StoreOf<'history'>,
  facilityId: string,
  timeZone: string,
  date: string,
): FacilitySnapshot {
  const v = inEffect(store.history.versions(), date);
  return snapshotOf(v?.content ?? EMPTY, facilityId, timeZone);
}

/** Whether a child of a dated roster is enrolled on `date`: the ledger engine's rule, shared. */
export { enrolledOn };

/** The part of a dated roster that holds on `date`: its enrolled children and their guardianships. */
export function rosterOn(roster: DatedRoster, date: string): RosterData {
  const children = roster.children.filter((c) => enrolledOn(c, date));
  const ids = new Set(children.map((c) => c.id));
  return {
    classes: roster.classes,
    children: children.map(({ id, name, kana, classId, careType, birthDate }) => ({
      id,
      name,
      kana,
      classId,
      careType,
      birthDate,
    })),
    guardians: roster.guardians.map((g) => ({ ...g, childIds: g.childIds.filter((c) => ids.has(c)) })),
  };
}

/**
 * Makes the live roster tables the import in effect today (within the caller's transaction): on an
 * import, at start-up and when the day changes (a scheduled import, a child's first or last day). Returns
 * whether they changed (the roster version was bumped).
 */
export function materialiseRoster(store: StoreOf<'history' | 'roster'>, date: string): boolean {
  const current = inEffect(store.history.imports(), date);
  if (current === undefined) return false;
  const data = rosterOn(current.roster, date);
  const key = `${current.version}:${data.children.map((c) => c.id).join(',')}`;
  if (store.history.materialised() === key) return false;
  store.roster.replaceRoster(data);
  store.history.setMaterialised(key);
  return true;
}

/**
 * Keeps the live roster on the import in effect today as the days pass (a scheduled import's first day, a
 * child's first or last day). Cheap enough for the hub's roster poll: it looks at the imports only when the
 * day, or what the tables were last made from, changed since its last look. An import in effect at once
 * materialises itself (edge-hub/facility/roster.ts importRoster, maybe in another process), which changes
 * the latter; one that takes effect later waits for its day.
 */
export class RosterCalendar {
  private readonly store: StoreOf<'history' | 'roster'> & Transactional;
  private checked: string | undefined;

  constructor(store: StoreOf<'history' | 'roster'> & Transactional) {
    this.store = store;
  }

  /** Makes the live tables today's roster if they are not; returns whether they changed. */
  follow(): boolean {
    const today = this.store.history.today();
    if (this.checked === this.keyOf(today)) return false;
    const changed = this.store.transaction(() => materialiseRoster(this.store, today));
    this.checked = this.keyOf(today);
    return changed;
  }

  private keyOf(today: string): string {
    return `${today} ${this.store.history.materialised() ?? ''}`;
  }
}
