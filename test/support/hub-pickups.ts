import { formatRfc3339, localDate } from '../../common/time.ts';
import { HubStore } from '../../edge-hub/store/hub-store.ts';
import type { ParentPickup } from '../../protocol/parent-pickups.ts';

/** What a parent's plan says; its day, sending and state are those of a plan fetched just now. */
export type TodaysPlan = Omit<ParentPickup, 'date' | 'sentAt' | 'status' | 'readAt'>;

/**
 * Stores today's pickup plans (in `timeZone`) in the hub's store, as its message fetcher does: sent a
 * minute ago and unread. `plansOf` may first add the pickup people the plans name.
 */
export function seedTodaysPickups(
  hubDir: string,
  timeZone: string,
  plansOf: (pickups: HubStore['pickups']) => TodaysPlan[],
): void {
  const date = localDate(new Date(), timeZone);
  const sentAt = formatRfc3339(new Date(Date.now() - 60_000), timeZone);
  const store = HubStore.open(hubDir);
  try {
    const plans = plansOf(store.pickups);
    store.transaction(() => {
      for (const p of plans) store.pickups.insertPlan({ ...p, date, sentAt, status: 'sent', readAt: null });
    });
  } finally {
    store.close();
  }
}
