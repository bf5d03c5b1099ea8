import {
  absenceNote,
  NOT_ARRIVED,
  parseAbsence,
  sortEvents,
  step,
  voidedIds,
  type ChildDay,
} from '../attendance.ts';
import type { AttendanceEvent } from '../../protocol/schemas.ts';
import { zoneClock } from './clock.ts';

/** One child's day as the ledgers need it: its events in roll-call order, voids included. */
export interface DayRecord {
  events: AttendanceEvent[];
}

/** Events grouped by local date and child, with the voids attached to the day of what they void. */
export class Period {
  /** date → childId → events (unsorted). */
  private readonly days = new Map<string, Map<string, AttendanceEvent[]>>();
  private readonly removed: Set<string>;

  constructor(events: readonly AttendanceEvent[], timeZone: string, inPeriod: (date: string) => boolean) {
    const clock = zoneClock(timeZone);
    this.removed = voidedIds(events);
    const byId = new Map<string, AttendanceEvent>();
    for (const e of events) byId.set(e.id, e);
    // A void whose target is not in the input cancels an event filed on a day outside the period (a
    // past-day correction made today): it belongs to that day, not to its own, so it is left out here.
    const placeOf = (e: AttendanceEvent, depth: number): { date: string; childId: string } | undefined => {
      if (e.voids !== undefined) {
        const target = depth < 32 ? byId.get(e.voids) : undefined;
        return target === undefined ? undefined : placeOf(target, depth + 1);
      }
      return { date: clock.date(e.occurredAt), childId: e.childId };
    };
    for (const e of events) {
      const place = placeOf(e, 0);
      if (place === undefined || !inPeriod(place.date)) continue;
      const { date, childId } = place;
      let day = this.days.get(date);
      if (!day) {
        day = new Map<string, AttendanceEvent[]>();
        this.days.set(date, day);
      }
      const list = day.get(childId);
      if (list) list.push(e);
      else day.set(childId, [e]);
    }
  }

  /** The child's events of the day in roll-call order (voids included). */
  of(date: string, childId: string): DayRecord {
    const list = this.days.get(date)?.get(childId);
    return { events: list ? sortEvents(list) : [] };
  }

  fold(record: DayRecord): ChildDay {
    let day = NOT_ARRIVED;
    for (const e of record.events) {
      if (e.type !== 'void' && !this.removed.has(e.id)) day = step(day, e);
    }
    return day;
  }
}

/** Staff entered or voided something for the child that day (the daily `corrected`). */
export function isCorrected(record: DayRecord): boolean {
  return record.events.some((e) => e.method === 'staff' || e.type === 'void');
}

/** An absent event's note in the tablet's format, whoever wrote it (a bare note reads as `other: note`). */
function absenceText(note: string | undefined): string {
  const absence = parseAbsence(note);
  return absenceNote(absence.reason, absence.note);
}

/** The daily `note`: the staff notes of the day, oldest first, joined by " / ". */
export function noteOf(record: DayRecord): string {
  const notes: string[] = [];
  for (const e of record.events) {
    if (e.type === 'absent') notes.push(absenceText(e.note));
    else if ((e.type === 'void' || e.method === 'staff') && e.note !== undefined && e.note !== '') {
      notes.push(e.note);
    }
  }
  return notes.join(' / ');
}
