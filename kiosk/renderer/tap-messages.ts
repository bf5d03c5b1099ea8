import type { Direction, Locale } from '../common/ui-api.ts';

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
}

export const TAP_MESSAGES: Readonly<Record<Locale, TapMessages>> = {
  ja: {
    heldTitle: 'さきほど記録しています',
    record: (d) => `${d === 'check_in' ? '登園' : '降園'}を記録`,
    dontRecord: '記録しない',
    apart: '含めていません',
    alreadyTitle: '記録済みです',
  },
  en: {
    heldTitle: 'Recorded a moment ago',
    record: (d) => `Record ${d === 'check_in' ? 'check-in' : 'check-out'}`,
    dontRecord: "Don't record",
    apart: 'Not included',
    alreadyTitle: 'Already recorded',
  },
};
