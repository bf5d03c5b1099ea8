/**
 * Dated versions (protocol/ledger.ts SnapshotVersion, the hub's roster imports): the version in effect on a
 * day is the highest-numbered one whose effectiveFrom is on or before it. A new version thus replaces all
 * earlier ones from its date on and leaves the days before alone. Pure, shared by the hub and the cloud.
 */

export interface Dated {
  version: number;
  /** YYYY-MM-DD */
  effectiveFrom: string;
}

/** The version in effect on `date`, or undefined when none starts on or before it. */
export function inEffect<T extends Dated>(versions: readonly T[], date: string): T | undefined {
  let best: T | undefined;
  for (const v of versions) {
    if (v.effectiveFrom <= date && (best === undefined || v.version > best.version)) best = v;
  }
  return best;
}

/**
 * The days from `from` on where the version in effect changes, ascending; `from` itself first when a
 * version is in effect on it. Between two starts (and after the last) one version holds.
 */
export function segmentStarts(versions: readonly Dated[], from: string): string[] {
  const candidates = [...new Set([from, ...versions.map((v) => v.effectiveFrom).filter((d) => d > from)])];
  candidates.sort();
  const starts: string[] = [];
  let previous: number | undefined;
  for (const day of candidates) {
    const v = inEffect(versions, day)?.version;
    if (v !== undefined && v !== previous) starts.push(day);
    previous = v;
  }
  return starts;
}

/**
 * What to issue so that from `effectiveFrom` on every day's content becomes `patch` of what it was (and the
 * days before stay): one new version per segment start from that day on, ascending, leaving out those
 * that would change nothing. Issued in this order with increasing version numbers, the rule of inEffect
 * gives exactly the patched timeline.
 */
export function planChange<C>(
  versions: readonly (Dated & { content: C })[],
  effectiveFrom: string,
  patch: (content: C | undefined) => C,
  equal: (a: C, b: C) => boolean,
): { effectiveFrom: string; content: C }[] {
  const starts = segmentStarts(versions, effectiveFrom);
  if (starts[0] !== effectiveFrom) starts.unshift(effectiveFrom);
  const plan: { effectiveFrom: string; content: C }[] = [];
  for (const day of starts) {
    const current = inEffect(versions, day)?.content;
    const next = patch(current);
    // Compared with what will govern the day: the last version of this plan, else the stored one.
    const governing = plan.length > 0 ? plan[plan.length - 1]?.content : current;
    if (governing !== undefined && equal(next, governing)) continue;
    plan.push({ effectiveFrom: day, content: next });
  }
  return plan;
}

/** The versions in effect on some day of [from, to] (to: undefined for no end), by version. */
export function versionsFor<T extends Dated>(versions: readonly T[], from: string, to?: string): T[] {
  const needed = new Set<number>();
  const first = inEffect(versions, from);
  if (first) needed.add(first.version);
  for (const v of versions) {
    if (v.effectiveFrom > from && (to === undefined || v.effectiveFrom <= to)) {
      const holder = inEffect(versions, v.effectiveFrom);
      if (holder) needed.add(holder.version);
    }
  }
  return versions.filter((v) => needed.has(v.version)).sort((a, b) => a.version - b.version);
}

/**
 * The versions the retention job may delete at `cutoff`: those that start before it and hold on no day
 * from it on. A version superseded before its date came stays until that date passes the cutoff: it is
 * the record of what was scheduled.
 */
export function disposableVersions<T extends Dated>(versions: readonly T[], cutoff: string): T[] {
  const needed = new Set(versionsFor(versions, cutoff).map((v) => v.version));
  return versions.filter((v) => v.effectiveFrom < cutoff && !needed.has(v.version));
}
