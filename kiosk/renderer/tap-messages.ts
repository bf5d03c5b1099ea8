import type { Direction, Locale, PickupView } from '../common/ui-api.ts';

/** The result screen's texts for siblings apart, held taps and changes (part of Messages as `tap`). */
export interface TapMessages {
  /** Title of a tap held by the reversal guard. */
  readonly heldTitle: string;
  /** The button that records one child (a held tap, or a sibling apart). */
  readonly record: (direction: Direction) => string;
  /** The close button of a held tap: nothing is recorded. */
  readonly dontRecord: string;
  /** Label of a sibling whose own next step differs from the tap's: not part of it until touched. */
  readonly apart: string;
  /** "Already recorded" without names (the guardian's events are not known here). */
  readonly alreadyTitle: string;
  /** Today's pickup plan a parent sent: the label, then the time and who comes. */
  readonly pickupLabel: string;
  readonly pickup: (plan: PickupView) => string;
}

/** Relation and name (祖母 山田 花子), or the name alone. */
const who = (p: PickupView): string =>
  [p.relation.trim(), p.personName.trim()].filter((s) => s !== '').join(' ');

export const TAP_MESSAGES: Readonly<Record<Locale, TapMessages>> = {
  ja: {
    heldTitle: 'さきほど記録しています',
    record: (d) => `${d === 'check_in' ? '登園' : '降園'}を記録`,
    dontRecord: '記録しない',
    apart: '含めていません',
    alreadyTitle: '記録済みです',
    pickupLabel: '本日のお迎え',
    pickup: (p) =>
      p.someoneElse ? `${p.time} その他の方 ${p.personName}（園が確認します）` : `${p.time} ${who(p)}`,
  },
  en: {
    heldTitle: 'Recorded a moment ago',
    record: (d) => `Record ${d === 'check_in' ? 'check-in' : 'check-out'}`,
    dontRecord: "Don't record",
    apart: 'Not included',
    alreadyTitle: 'Already recorded',
    pickupLabel: 'Pickup today',
    pickup: (p) =>
      p.someoneElse ? `${p.time} someone else: ${p.personName} (staff will check)` : `${p.time} ${who(p)}`,
  },
};
