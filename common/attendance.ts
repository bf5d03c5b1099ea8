import type { AttendanceEvent, RollcallStatus } from '../protocol/index.ts';
import { ABSENCE_REASONS, type AbsenceReason } from '../protocol/tablet.ts';

/**
 * The pure attendance fold shared by the hub (roll-call, tablet, ledgers) and the cloud (ledgers): how a
 * child's events of a day become their status and times. Moved here from edge-hub/rollcall/rollcall.ts, which
 * re-exports it.
 */

/** One child's day. */
export interface ChildDay {
  status: RollcallStatus;
  checkInAt: string | null;
  checkOutAt: string | null;
}

export const NOT_ARRIVED: ChildDay = Object.freeze({
  status: 'not_arrived',
  checkInAt: null,
  checkOutAt: null,
});

/**
 * One event applied to a child's day (voids are handled by the caller). Rules:
 * - check_in: present; checkInAt stays the first check-in of the day.
 * - check_out: after a check-in, left, and checkOutAt becomes this (the last) check-out. A check-out with no
 *   check-in before it changes nothing: it cannot say when the child came.
 * - absent: only before any check-in; a child who came is not absent (void the check-in to correct it).
 * - a check-in after a check-out (the child came back) makes them present again; checkOutAt keeps the
 *   last check-out.
 */
export function step(day: ChildDay, e: AttendanceEvent): ChildDay {
  switch (e.type) {
    case 'check_in':
      return { status: 'present', checkInAt: day.checkInAt ?? e.occurredAt, checkOutAt: day.checkOutAt };
    case 'check_out':
      return day.checkInAt === null
        ? day
        : { status: 'left', checkInAt: day.checkInAt, checkOutAt: e.occurredAt };
    case 'absent':
      return day.checkInAt === null ? { status: 'absent', checkInAt: null, checkOutAt: null } : day;
    case 'void':
      return day;
  }
}

/**
 * An absent event's note as the tablet writes it: `REASON` or `REASON: note`. A note of another shape (a
 * kiosk or an integration) reads as reason `other` with the whole note.
 */
export function absenceNote(reason: AbsenceReason, note: string | undefined): string {
  return note === undefined ? reason : `${reason}: ${note}`;
}

/** The reason and note of an absent event's note (absenceNote reversed). */
export function parseAbsence(note: string | undefined): { reason: AbsenceReason; note?: string } {
  if (note === undefined || note === '') return { reason: 'other' };
  const m = /^([a-z]+)(?:: ([\s\S]*))?$/.exec(note);
  const reason = ABSENCE_REASONS.find((r) => r === m?.[1]);
  if (m && reason !== undefined) return m[2] === undefined ? { reason } : { reason, note: m[2] };
  return { reason: 'other', note };
}

export interface Timed {
  e: AttendanceEvent;
  /** occurredAt in epoch ms: offsets may differ, so the strings do not compare. */
  ms: number;
}

export function timed(e: AttendanceEvent): Timed {
  return { e, ms: Date.parse(e.occurredAt) };
}

/** Order of events within a day: occurredAt, then deviceId, seq and id so that the order is total. */
export function compareTimed(a: Timed, b: Timed): number {
  return (
    a.ms - b.ms ||
    (a.e.deviceId < b.e.deviceId ? -1 : a.e.deviceId > b.e.deviceId ? 1 : 0) ||
    a.e.seq - b.e.seq ||
    (a.e.id < b.e.id ? -1 : a.e.id > b.e.id ? 1 : 0)
  );
}

/**
 * Ids of events removed by a void. A void can itself be voided (staff undoing a correction), which brings
 * its target back: an event is removed when some void naming it is not itself removed.
 */
function removedIds(events: readonly Timed[]): Set<string> {
  const voiders = new Map<string, string[]>();
  for (const { e } of events) {
    if (e.voids === undefined) continue;
    const list = voiders.get(e.voids);
    if (list) list.push(e.id);
    else voiders.set(e.voids, [e.id]);
  }
  const memo = new Map<string, boolean>();
  const removed = (id: string, depth: number): boolean => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    // Chains are short in practice; the depth bound only guards against a malformed cycle.
    const r = depth < 32 && (voiders.get(id) ?? []).some((v) => !removed(v, depth + 1));
    memo.set(id, r);
    return r;
  };
  return new Set([...voiders.keys()].filter((id) => removed(id, 0)));
}

/** Ids of the events removed by a void that is itself in effect (see removedIds). */
export function voidedIds(events: readonly AttendanceEvent[]): Set<string> {
  return removedIds(events.map(timed));
}

/** Sorts a child's or a day's events in roll-call order (occurredAt, deviceId, seq, id). */
export function sortEvents(events: readonly AttendanceEvent[]): AttendanceEvent[] {
  return events
    .map(timed)
    .sort(compareTimed)
    .map((t) => t.e);
}

export function foldSorted(sorted: readonly Timed[]): ChildDay {
  const removed = removedIds(sorted);
  let day = NOT_ARRIVED;
  for (const t of sorted) {
    if (t.e.type !== 'void' && !removed.has(t.e.id)) day = step(day, t.e);
  }
  return day;
}

/**
 * Folds a day's events into each child's status. A void removes the event it names (wherever the void
 * sits in the day); events are applied in occurredAt order whatever order they arrived in.
 */
export function foldDay(events: readonly AttendanceEvent[]): Map<string, ChildDay> {
  const byChild = new Map<string, Timed[]>();
  for (const e of events) {
    const list = byChild.get(e.childId);
    if (list) list.push(timed(e));
    else byChild.set(e.childId, [timed(e)]);
  }
  const out = new Map<string, ChildDay>();
  for (const [childId, list] of byChild) out.set(childId, foldSorted(list.sort(compareTimed)));
  return out;
}

/** What the roll-call layout needs of a roster (the hub's RosterData and a FacilitySnapshot both fit). */
export interface LayoutRoster {
  classes: readonly { id: string; name: string }[];
  children: readonly { id: string; name: string; kana: string; classId: string }[];
}

/** Roster shaped for the roll-call: classes in roster order, each class's children by kana. */
export interface RollcallLayout {
  classes: { id: string; name: string; children: { id: string; name: string }[] }[];
}

const kanaCollator = new Intl.Collator('ja');

export function rollcallLayout(roster: LayoutRoster): RollcallLayout {
  const classes = roster.classes.map((c) => ({
    id: c.id,
    name: c.name,
    members: [] as { id: string; name: string; kana: string }[],
  }));
  const byId = new Map(classes.map((c) => [c.id, c]));
  for (const child of roster.children) byId.get(child.classId)?.members.push(child);
  return {
    classes: classes.map((c) => ({
      id: c.id,
      name: c.name,
      children: c.members
        .sort((a, b) => kanaCollator.compare(a.kana, b.kana) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map(({ id, name }) => ({ id, name })),
    })),
  };
}
