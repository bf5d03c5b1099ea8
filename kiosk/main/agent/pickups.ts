import type { KioskPickups } from '../../../protocol/parent-pickups.ts';
import type { PickupView } from '../../common/ui-api.ts';

/**
 * Today's pickup plans (お迎え予定) as the hub last published them on its retained topics.pickups: kept in
 * memory only (the hub publishes them again at every connection), shown when a guardian taps. A message
 * of another day is not taken, and a kept one is not shown once its day is over.
 */
export class PickupPlans {
  #date: string | undefined;
  #byChild = new Map<string, PickupView>();

  /** Takes the hub's message if it is of `today` (YYYY-MM-DD, the facility's); false when ignored. */
  accept(pickups: KioskPickups, today: string): boolean {
    if (pickups.date !== today) return false;
    this.#date = pickups.date;
    this.#byChild = new Map(
      pickups.plans.map((p) => [
        p.childId,
        { time: p.time, personName: p.personName, relation: p.relation, someoneElse: p.someoneElse },
      ]),
    );
    return true;
  }

  /** The child's plan of `today`, if the hub sent one. */
  forChild(childId: string, today: string): PickupView | undefined {
    return this.#date === today ? this.#byChild.get(childId) : undefined;
  }

  get size(): number {
    return this.#byChild.size;
  }
}
