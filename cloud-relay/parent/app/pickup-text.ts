import type { ParentPickup, PickupPerson } from '../../../protocol/parent-pickups.ts';
import type { Messages } from './messages.ts';

/** A person as the parent knows them: 保護者 山田 太郎, 祖母 山田 花子 (a name alone without a relation). */
export function personLabel(
  person: Pick<PickupPerson, 'name' | 'relation'> & { readonly kind: ParentPickup['person']['kind'] },
  m: Messages,
): string {
  const relation = person.kind === 'guardian' ? m.pickup.guardian : person.relation.trim();
  return relation === '' ? person.name : `${relation} ${person.name}`;
}

/** One line for the child's card: お迎え 17:30 祖母 山田 花子. */
export function pickupSummary(pickup: ParentPickup, m: Messages): string {
  return `${m.pickup.cardTitle} ${pickup.time} ${personLabel(pickup.person, m)}`;
}
