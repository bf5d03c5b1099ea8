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

/**
 * The flag of a plan naming someone not on the child's list: 要確認 until a staff member confirmed it, then
 * 確認済 (it still says the person is unexpected). Null for a person on the list.
 */
export function pickupFlag(plan: TabletPickupPlan, m: Messages): string | null {
  if (!plan.someoneElse) return null;
  return plan.status === 'read' ? m.pickup.someoneElseConfirmed : m.pickup.someoneElse;
}

/** What the row says after the line: the flag, or 確認済 once a plan on the list is confirmed. */
export function pickupState(plan: TabletPickupPlan, m: Messages): string | null {
  return pickupFlag(plan, m) ?? (plan.status === 'read' ? m.pickup.confirmed(null, null) : null);
}

/** The hub's photo route for the plan's person, or null when there is no photo to show. */
export function pickupPhotoUrl(plan: TabletPickupPlan): string | null {
  if (!plan.hasPhoto || plan.personId === null) return null;
  return `/api/tablet/pickup-people/${encodeURIComponent(plan.personId)}/photo`;
}
