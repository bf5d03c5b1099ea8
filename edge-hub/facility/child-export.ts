import { NotFoundError } from '../../common/errors.ts';
import { inEffect, segmentStarts } from '../../common/ledger/timeline.ts';
import { formatRfc3339, type Clock } from '../../common/time.ts';
import { BEGINNING_OF_TIME } from '../../protocol/history.ts';
import type { AttendanceEvent } from '../../protocol/index.ts';
import type { AuditRecord } from '../store/audit.ts';
import type { CorrectionRecord } from '../store/corrections.ts';
import type { StoreOf } from '../store/hub-store.ts';
import type { SnapshotContent } from '../store/history.ts';

/**
 * Everything the hub holds about one child, for a disclosure request (個人情報保護法; docs/admin.md
 * "Retention, disposal and disclosure"). Read-only. Card hashes are left out: they identify a card, not
 * the child, and are a credential.
 */

/** A stretch of days over which the roster said the same about the child. */
export interface RosterPeriod {
  /** First day; null: since the start of the hub's records. */
  from: string | null;
  /** Last day; null: still so. */
  to: string | null;
  name: string;
  kana: string;
  classId: string;
  /** null when the version had no such class. */
  className: string | null;
  careType: 'standard' | 'short';
  enrolledOn: string | null;
  leftOn: string | null;
}

export interface ChildExport {
  childId: string;
  /** RFC 3339 with the facility's offset. */
  exportedAt: string;
  /** null before the hub's first start fixed it. */
  facilityId: string | null;
  /** From the snapshot versions, oldest first. */
  roster: RosterPeriod[];
  /** Guardians of the child on the current roster and in the roster imports kept, by id. */
  guardians: { id: string; name: string }[];
  /** Every event of the child (voids too), oldest first. */
  events: AttendanceEvent[];
  corrections: CorrectionRecord[];
  /** Audit entries about the child (subject child:ID), oldest first. */
  audit: AuditRecord[];
}

export type ChildExportStore = StoreOf<
  'facility' | 'history' | 'roster' | 'events' | 'corrections' | 'audit'
>;

const DAY_MS = 86_400_000;
function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The child as one version states it, over [start, end] (end null: open), or undefined. */
function periodIn(
  content: SnapshotContent,
  childId: string,
  start: string,
  end: string | null,
): RosterPeriod | undefined {
  const child = content.children.find((c) => c.id === childId);
  if (child === undefined) return undefined;
  const from = child.enrolledOn !== null && child.enrolledOn > start ? child.enrolledOn : start;
  const to = child.leftOn !== null && (end === null || child.leftOn < end) ? child.leftOn : end;
  if (to !== null && from > to) return undefined;
  return {
    from: from === BEGINNING_OF_TIME ? null : from,
    to,
    name: child.name,
    kana: child.kana,
    classId: child.classId,
    className: content.classes.find((c) => c.id === child.classId)?.name ?? null,
    careType: child.careType,
    enrolledOn: child.enrolledOn,
    leftOn: child.leftOn,
  };
}

const sameFacts = (a: RosterPeriod, b: RosterPeriod): boolean =>
  a.name === b.name &&
  a.kana === b.kana &&
  a.classId === b.classId &&
  a.className === b.className &&
  a.careType === b.careType &&
  a.enrolledOn === b.enrolledOn &&
  a.leftOn === b.leftOn;

/**
 * The child's periods on the roster: each segment of the timeline (common/ledger/timeline.ts) where the
 * child is enrolled, adjacent ones that say the same merged (a change of the care rules is a new
 * version, not a new period for the child).
 */
export function rosterPeriods(
  versions: readonly { version: number; effectiveFrom: string; content: SnapshotContent }[],
  childId: string,
): RosterPeriod[] {
  const starts = segmentStarts(versions, BEGINNING_OF_TIME);
  const periods: RosterPeriod[] = [];
  starts.forEach((start, i) => {
    const next = starts[i + 1];
    const version = inEffect(versions, start);
    if (version === undefined) return;
    const period = periodIn(version.content, childId, start, next === undefined ? null : addDays(next, -1));
    if (period === undefined) return;
    const last = periods[periods.length - 1];
    const adjacent =
      last !== undefined && last.to !== null && period.from !== null && addDays(last.to, 1) === period.from;
    if (adjacent && sameFacts(last, period)) {
      last.to = period.to;
      return;
    }
    periods.push(period);
  });
  return periods;
}

/** The child's guardians on the current roster and in every kept import (by id, then name). */
function guardiansOf(store: StoreOf<'history' | 'roster'>, childId: string): { id: string; name: string }[] {
  const rosters = [store.roster.read(), ...store.history.imports().map((i) => i.roster)];
  const found = new Map<string, { id: string; name: string }>();
  for (const roster of rosters) {
    for (const g of roster.guardians) {
      // A renamed guardian is listed under each name the hub holds.
      if (g.childIds.includes(childId)) found.set(`${g.id}\u0000${g.name}`, { id: g.id, name: g.name });
    }
  }
  return [...found.values()].sort((a, b) =>
    a.id === b.id ? (a.name < b.name ? -1 : 1) : a.id < b.id ? -1 : 1,
  );
}

/**
 * What the hub holds about `childId` (`genkan child export`). NotFoundError unknown_child when it holds
 * nothing at all: no roster entry, guardian, event, correction or audit entry.
 */
export function exportChild(store: ChildExportStore, childId: string, clock: Clock): ChildExport {
  const meta = store.facility.meta();
  const out: ChildExport = {
    childId,
    exportedAt: formatRfc3339(clock.now(), meta.timeZone),
    facilityId: meta.facilityId,
    roster: rosterPeriods(store.history.versions(), childId),
    guardians: guardiansOf(store, childId),
    events: store.events.eventsOfChild(childId),
    corrections: store.corrections.ofChild(childId),
    audit: store.audit.about(`child:${childId}`),
  };
  const onLiveRoster = store.roster.read().children.some((c) => c.id === childId);
  const empty = [out.roster, out.guardians, out.events, out.corrections, out.audit].every(
    (list) => list.length === 0,
  );
  if (empty && !onLiveRoster) {
    throw new NotFoundError('unknown_child', `the hub holds no records of child ${childId}`);
  }
  return out;
}
