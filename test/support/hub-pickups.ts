import { formatRfc3339, localDate } from '../../common/time.ts';
import { HubStore } from '../../edge-hub/store/hub-store.ts';
import type { ParentPickup } from '../../protocol/parent-pickups.ts';

/** A plan 山田 花子 (g001) sent for c001 and c002 on 2026-04-01, to pick them up herself at 17:30; unread. */
export function samplePickupPlan(over: Partial<ParentPickup> & Pick<ParentPickup, 'id'>): ParentPickup {
  return {
    guardianId: 'g001',
    childIds: ['c001', 'c002'],
    date: '2026-04-01',
    time: '17:30',
    person: { id: 'g001', kind: 'guardian', name: '山田 花子', relation: '' },
    sentAt: '2026-04-01T08:00:00.000+09:00',
    status: 'sent',
    readAt: null,
    ...over,
  };
}

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
