import { ConflictError } from '../../common/errors.ts';
import { formatRfc3339, localDate } from '../../common/time.ts';
import { BEGINNING_OF_TIME, ErrorCodes, type MonthState } from '../../protocol/index.ts';
import type { MonthClosure } from '../store/corrections.ts';
import { requireStaff, type RecordsContext, type RecordsVia } from './context.ts';

/** The month after `YYYY-MM`. */
export function nextMonth(month: string): string {
  const [y = 0, m = 1] = month.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** What the months list is made of: the closures, and the amendments counted per month. */
interface MonthFacts {
  first: string;
  current: string;
  closures: Map<string, MonthClosure>;
  amendments: Map<string, number>;
}

function facts(ctx: RecordsContext): MonthFacts {
  const { store } = ctx;
  const current = localDate(ctx.clock.now(), ctx.timeZone).slice(0, 7);
  const closures = new Map(store.corrections.closures().map((c) => [c.month, c]));
  const amendments = new Map<string, number>();
  let first = current;
  const firstDate = store.events.firstDate();
  if (firstDate !== undefined && firstDate.slice(0, 7) < first) first = firstDate.slice(0, 7);
  for (const c of store.corrections.between(BEGINNING_OF_TIME, '9999-12-31')) {
    const month = c.date.slice(0, 7);
    if (month < first) first = month;
    if (c.amendment) amendments.set(month, (amendments.get(month) ?? 0) + 1);
  }
  for (const month of closures.keys()) if (month < first) first = month;
  return { first, current, closures, amendments };
}

function stateOf(month: string, f: MonthFacts): MonthState {
  const closure = f.closures.get(month);
  return {
    month,
    state: closure ? 'closed' : 'open',
    closedAt: closure?.closedAt ?? null,
    closedBy: closure?.closedBy ?? null,
    amendments: f.amendments.get(month) ?? 0,
  };
}

/**
 * GET /api/months: each month from the first with a record (an event, a correction or a closure) to the
 * current one, ascending; the current month alone when there is nothing yet.
 */
export function monthStates(ctx: RecordsContext): MonthState[] {
  const f = facts(ctx);
  const out: MonthState[] = [];
  for (let m = f.first; m <= f.current; m = nextMonth(m)) out.push(stateOf(m, f));
  return out;
}

/**
 * Closes a month (確定): from then on device events dated in it are refused (month_closed) and a
 * correction of it is an amendment. Only a month that is over and has records can be closed (the months
 * that GET /api/months lists before the current one); a closure is for good.
 */
export function closeMonth(ctx: RecordsContext, month: string, actor: string, via: RecordsVia): MonthState {
  const { store } = ctx;
  requireStaff(ctx, actor);
  return store.transaction(() => {
    const f = facts(ctx);
    if (month >= f.current) {
      throw new ConflictError(ErrorCodes.monthNotOver, `${month} is not over yet`);
    }
    if (month < f.first) {
      throw new ConflictError(ErrorCodes.monthNotOver, `nothing is recorded before ${f.first}`);
    }
    const closure: MonthClosure = {
      month,
      closedAt: formatRfc3339(ctx.clock.now(), ctx.timeZone),
      closedBy: actor,
    };
    if (!store.corrections.closeMonth(closure)) {
      throw new ConflictError(ErrorCodes.monthAlreadyClosed, `${month} is closed already`);
    }
    store.audit.append({
      actorKind: 'staff',
      actorId: actor,
      action: 'month.close',
      subject: `month:${month}`,
      outcome: 'ok',
      after: { month, closedAt: closure.closedAt, via },
    });
    f.closures.set(month, closure);
    return stateOf(month, f);
  });
}
