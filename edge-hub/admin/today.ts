import { foldDay, NOT_ARRIVED, rollcallLayout } from '../../common/attendance.ts';
import type { Logger } from '../../common/logger.ts';
import { formatRfc3339, localDate, localTime, type Clock } from '../../common/time.ts';
import type { AdminToday } from '../../protocol/admin-dashboard.ts';
import type { RelayHealth } from '../../protocol/admin.ts';
import { openDays } from '../records/open-days.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';

export type TodayStore = StoreOf<
  'facility' | 'events' | 'roster' | 'settings' | 'history' | 'corrections' | 'audit' | 'people'
> &
  Transactional;

/** The month before `YYYY-MM`. */
export function monthBefore(month: string): string {
  const [y = 0, m = 1] = month.split('-').map(Number);
  return m === 1 ? `${String(y - 1)}-12` : `${String(y)}-${String(m - 1).padStart(2, '0')}`;
}

/**
 * The overview's numbers: today's roll-call by status with the same fold as the tablets and the retained
 * roll-call (common/attendance.ts), children past their class's cut-off who have neither arrived nor been
 * marked absent, the open days of this month and the last (as GET /api/open-days lists them), and the
 * relay's lag as /healthz and /metrics report it.
 */
export function todayNumbers(
  store: TodayStore,
  options: { clock: Clock; timeZone: string; logger: Logger; relay: RelayHealth },
): AdminToday {
  const { clock, timeZone } = options;
  const now = clock.now();
  const date = localDate(now, timeZone);
  const nowHm = localTime(now, timeZone);
  const settings = store.settings.facilitySettings();
  const classSettings = store.settings.classSettings();
  const days = foldDay(store.events.rollcallEventsOn(date));
  const counts = { enrolled: 0, present: 0, left: 0, absent: 0, notArrived: 0, unaccounted: 0 };
  for (const cls of rollcallLayout(store.roster.read()).classes) {
    const cutoff = classSettings.get(cls.id)?.cutoff ?? settings.defaultCutoff;
    for (const child of cls.children) {
      const { status } = days.get(child.id) ?? NOT_ARRIVED;
      counts.enrolled++;
      switch (status) {
        case 'present':
          counts.present++;
          break;
        case 'left':
          counts.left++;
          break;
        case 'absent':
          counts.absent++;
          break;
        case 'not_arrived':
          counts.notArrived++;
          if (nowHm >= cutoff) counts.unaccounted++;
          break;
      }
    }
  }

  const ctx = {
    store,
    clock,
    timeZone,
    facilityId: store.facility.meta().facilityId ?? '',
    logger: options.logger,
  };
  const months = [date.slice(0, 7), monthBefore(date.slice(0, 7))];
  const open = months.reduce((n, month) => n + openDays(ctx, month, date).openDays.length, 0);

  const { relay } = options;
  return {
    date,
    now: formatRfc3339(now, timeZone),
    counts,
    openDays: { count: open, months },
    relay: relay.configured
      ? { configured: true, waiting: relay.waiting, lagSeconds: relay.oldestAgeSeconds }
      : { configured: false },
  };
}
