import type { KioskPickups, PickupPerson, TabletPickupPlan } from '../../protocol/parent-pickups.ts';
import type { StoreOf } from '../store/hub-store.ts';
import type { PickupPersonRecord, PickupPlanRecord } from '../store/pickups.ts';
import type { RosterData } from '../store/roster.ts';

/**
 * Pickup plans and people as the hub shows them (issue 17): a child's authorised list (the roster's
 * guardians first, then the people the admin added), the tablet's plan on a child's row, and the kiosks'
 * retained plans of the day. Pure apart from reading the store.
 */

/** Most people one child's list holds (PickupPeopleUploadSchema). */
export const PICKUP_PEOPLE_MAX = 30;

/** A person the admin added, as the wire has it. */
export function pickupPersonOf(p: PickupPersonRecord): PickupPerson {
  return { id: p.id, kind: 'person', name: p.name, relation: p.relation, hasPhoto: p.hasPhoto };
}

/** The child's guardians on the live roster (kind guardian, id = the guardian id), in roster order. */
export function guardianPeopleOf(roster: RosterData, childId: string): PickupPerson[] {
  return roster.guardians
    .filter((g) => g.childIds.includes(childId))
    .map((g) => ({ id: g.id, kind: 'guardian', name: g.name, relation: '', hasPhoto: false }));
}

/** A child's authorised pickup people: guardians first, then those the admin added (at most 30). */
export function pickupPeopleOf(
  store: StoreOf<'pickups'>,
  roster: RosterData,
  childId: string,
): PickupPerson[] {
  return [...guardianPeopleOf(roster, childId), ...store.pickups.people(childId).map(pickupPersonOf)].slice(
    0,
    PICKUP_PEOPLE_MAX,
  );
}

/** What a plan is shown with: the names the hub knows now (the store keeps ids) and the photos it holds. */
export interface PickupPlanLookup {
  guardianName: (id: string) => string | undefined;
  staffName: (id: string) => string | undefined;
  hasPhoto: (personId: string) => boolean;
}

/** The lookup from the live roster and the store. */
export function pickupPlanLookup(store: StoreOf<'pickups' | 'people'>, roster: RosterData): PickupPlanLookup {
  const guardians = new Map(roster.guardians.map((g) => [g.id, g.name]));
  // Read once, and only when some plan is confirmed.
  let staff: ReadonlyMap<string, string> | undefined;
  return {
    guardianName: (id) => guardians.get(id),
    staffName: (id) => (staff ??= store.people.staffNames()).get(id),
    hasPhoto: (personId) => store.pickups.person(personId)?.hasPhoto ?? false,
  };
}

/** A child row's `pickupPlan`. */
export function tabletPickupPlan(plan: PickupPlanRecord, lookup: PickupPlanLookup): TabletPickupPlan {
  return {
    id: plan.id,
    time: plan.time,
    personId: plan.personId,
    personName: plan.personName,
    relation: plan.relation,
    someoneElse: plan.personKind === 'other',
    // Photos are kept for the people the admin added only.
    hasPhoto: plan.personKind === 'person' && plan.personId !== null && lookup.hasPhoto(plan.personId),
    ...(plan.note !== null && { note: plan.note }),
    guardianName: lookup.guardianName(plan.guardianId) ?? plan.guardianId,
    status: plan.status,
    ...(plan.readAt !== null && { readAt: plan.readAt }),
    ...(plan.readBy !== null && { readBy: lookup.staffName(plan.readBy) ?? plan.readBy }),
  };
}

/** Each child's plan of `date` for the tablet's rows. */
export function tabletPickupPlans(
  store: StoreOf<'pickups' | 'people'>,
  roster: RosterData,
  date: string,
): Map<string, TabletPickupPlan> {
  const lookup = pickupPlanLookup(store, roster);
  const out = new Map<string, TabletPickupPlan>();
  for (const [childId, plan] of store.pickups.latestPlansOn(date)) {
    out.set(childId, tabletPickupPlan(plan, lookup));
  }
  return out;
}

/** The kiosks' retained message (topics.pickups): the children's plans of `date`, names only. */
export function kioskPickups(store: StoreOf<'pickups'>, date: string): KioskPickups {
  const plans = [...store.pickups.latestPlansOn(date).values()]
    .sort((a, b) => (a.childId < b.childId ? -1 : a.childId > b.childId ? 1 : 0))
    .slice(0, 2000)
    .map((p) => ({
      childId: p.childId,
      time: p.time,
      personName: p.personName,
      relation: p.relation,
      someoneElse: p.personKind === 'other',
    }));
  return { date, plans };
}
