import type { TabletPickupPlan } from '../../../protocol/parent-pickups.ts';
import type { Messages } from './messages.ts';

/**
 * Today's pickup plan on the tablet (お迎え予定), pure: who comes, as one line, and where the person's
 * photo is. The photo stays at the hub: the tablet loads it from the hub's staff-only route.
 */

/** The person as staff read it: relation and name (祖母 山田 花子), or the name alone. */
export function pickupWho(plan: TabletPickupPlan): string {
  return [plan.relation.trim(), plan.personName.trim()].filter((s) => s !== '').join(' ');
}

/** The row's line: お迎え 17:30 祖母 山田 花子. */
export function pickupLine(plan: TabletPickupPlan, m: Messages): string {
  return `${m.pickup.label(plan.time)} ${pickupWho(plan)}`;
}

/** The hub's photo route for the plan's person, or null when there is no photo to show. */
export function pickupPhotoUrl(plan: TabletPickupPlan): string | null {
  if (!plan.hasPhoto || plan.personId === null) return null;
  return `/api/tablet/pickup-people/${encodeURIComponent(plan.personId)}/photo`;
}
