import { voidedIds } from '../../common/attendance.ts';
import { inEffect } from '../../common/ledger/timeline.ts';
import type { AttendanceEvent, OpenDay, OpenDays } from '../../protocol/index.ts';
import { enrolledOn } from '../facility/history.ts';
import type { RecordsContext } from './context.ts';
import { foldDay, missingOf } from './day-state.ts';

/** The last day of month `YYYY-MM`. */
export function lastDayOf(month: string): string {
  const [y = 0, m = 1] = month.split('-').map(Number);
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${month}-${String(days).padStart(2, '0')}`;
}

/** The day before `date` (YYYY-MM-DD). */
export function dayBefore(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

/**
 * GET /api/open-days: the days of `month` up to yesterday (today is not over) on which a child enrolled
 * that day has a check-in and no check-out after it, or check-outs and no check-in; by date, then child.
 */
export function openDays(ctx: RecordsContext, month: string, today: string): OpenDays {
  const from = `${month}-01`;
  const last = lastDayOf(month);
  const yesterday = dayBefore(today);
  const to = last < yesterday ? last : yesterday;
  if (from > to) return { month, openDays: [] };

  const events = ctx.store.events.eventsWithVoids(from, to);
  const removed = voidedIds(events);
  // date → child → the child's events filed under it (voids are only needed for `removed`).
  const days = new Map<string, Map<string, AttendanceEvent[]>>();
  for (const e of events) {
    if (e.type === 'void') continue;
    const date = ctx.store.events.localDateOf(e.occurredAt);
    if (date < from || date > to) continue;
    let byChild = days.get(date);
    if (!byChild) {
      byChild = new Map();
      days.set(date, byChild);
    }
    const list = byChild.get(e.childId);
    if (list) list.push(e);
    else byChild.set(e.childId, [e]);
  }

  const versions = ctx.store.history.versions();
  const out: OpenDay[] = [];
  for (const date of [...days.keys()].sort()) {
    const children = inEffect(versions, date)?.content.children ?? [];
    const enrolled = new Set(children.filter((c) => enrolledOn(c, date)).map((c) => c.id));
    const byChild = days.get(date) ?? new Map<string, AttendanceEvent[]>();
    for (const childId of [...byChild.keys()].sort()) {
      if (!enrolled.has(childId)) continue;
      const missing = missingOf(foldDay(byChild.get(childId) ?? [], removed, ctx.timeZone));
      if (missing !== null) out.push({ childId, date, missing });
    }
  }
  return { month, openDays: out };
}
