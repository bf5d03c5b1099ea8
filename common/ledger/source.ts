import { rollcallLayout } from '../attendance.ts';
import { NotFoundError } from '../errors.ts';
import { formatRfc3339, offsetMinutes } from '../time.ts';
import type { Amendment } from '../../protocol/history.ts';
import type { FacilitySnapshot, SnapshotVersion } from '../../protocol/ledger.ts';
import { inEffect } from './timeline.ts';

/**
 * What a ledger is built from besides the events: the facility's snapshot versions (each day uses the one
 * in effect on it, common/ledger/timeline.ts inEffect) and the amendments (corrections made after a month
 * was closed). More than the period needs is fine: each ledger keeps the versions and amendments of its
 * days. `versions` must hold at least one version (the hub seeds one effective from BEGINNING_OF_TIME; the
 * cloud has one once a hub relayed it); an empty list is refused with NotFoundError `no_snapshot`.
 */
export interface LedgerSource {
  versions: readonly SnapshotVersion[];
  amendments: readonly Amendment[];
}

export type SnapshotChild = FacilitySnapshot['children'][number];

/** Whether a child is on the roster of `date`: enrolledOn <= date <= leftOn, a null bound being none. */
export function enrolledOn(
  child: { enrolledOn: string | null; leftOn: string | null },
  date: string,
): boolean {
  return (
    (child.enrolledOn === null || child.enrolledOn <= date) && (child.leftOn === null || date <= child.leftOn)
  );
}

/** A child on a day's roster, in the class the day's snapshot puts them in. */
export interface Placement {
  classId: string;
  className: string;
  child: SnapshotChild;
}

/**
 * The snapshots of a source by day. A day's roster: the children of the snapshot in effect that day who
 * are enrolled that day and whose class is in that snapshot, classes in its order, children by kana.
 */
export class Rosters {
  private readonly versions: readonly SnapshotVersion[];
  /** The roster layout of each version (all its children), built once. */
  private readonly layouts = new Map<number, Placement[]>();
  /** The snapshot that names the facility when no version is in effect: the first in time. */
  readonly earliest: FacilitySnapshot;

  constructor(versions: readonly SnapshotVersion[]) {
    this.versions = versions;
    let first: SnapshotVersion | undefined;
    for (const v of versions) if (first === undefined || v.effectiveFrom < first.effectiveFrom) first = v;
    if (first === undefined) {
      throw new NotFoundError('no_snapshot', 'a ledger needs at least one snapshot version');
    }
    this.earliest = (inEffect(versions, first.effectiveFrom) ?? first).snapshot;
  }

  /** The snapshot in effect on `date`, if any. */
  on(date: string): FacilitySnapshot | undefined {
    return inEffect(this.versions, date)?.snapshot;
  }

  /** The snapshot in effect on `date`, else the earliest: what names the facility on a ledger. */
  heading(date: string): FacilitySnapshot {
    return this.on(date) ?? this.earliest;
  }

  /** The roster of `date` (none when no version is in effect). */
  placements(date: string): Placement[] {
    const version = inEffect(this.versions, date);
    if (version === undefined) return [];
    let layout = this.layouts.get(version.version);
    if (layout === undefined) {
      layout = layoutOf(version.snapshot);
      this.layouts.set(version.version, layout);
    }
    return layout.filter((p) => enrolledOn(p.child, date));
  }
}

function layoutOf(snapshot: FacilitySnapshot): Placement[] {
  const childById = new Map(snapshot.children.map((c) => [c.id, c]));
  const placements: Placement[] = [];
  for (const cls of rollcallLayout(snapshot).classes) {
    for (const { id } of cls.children) {
      const child = childById.get(id);
      if (child) placements.push({ classId: cls.id, className: cls.name, child });
    }
  }
  return placements;
}

/** `at` as an instant in the facility's offset: the ledgers show its local date and time as written. */
function inZone(at: string, timeZone: string): string {
  const instant = new Date(at);
  const m = /(Z|([+-])(\d{2}):(\d{2}))$/i.exec(at);
  const written =
    m === null || m[2] === undefined ? 0 : (m[2] === '-' ? -1 : 1) * (Number(m[3]) * 60 + Number(m[4]));
  return written === offsetMinutes(instant, timeZone) ? at : formatRfc3339(instant, timeZone);
}

/** The amendments of the days `keep` accepts, oldest first (by `at`, then correctionId), `at` in the zone. */
export function amendmentsOf(
  amendments: readonly Amendment[],
  timeZone: string,
  keep: (a: Amendment) => boolean,
): Amendment[] {
  return amendments
    .filter(keep)
    .map((a) => ({ ...a, at: inZone(a.at, timeZone) }))
    .sort(
      (a, b) =>
        Date.parse(a.at) - Date.parse(b.at) ||
        (a.correctionId < b.correctionId ? -1 : a.correctionId > b.correctionId ? 1 : 0),
    );
}
