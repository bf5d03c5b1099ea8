import type { RollcallStatus } from '../../../protocol/primitives.ts';
import type { StaffingAge } from '../../../protocol/settings.ts';
import type { AbsenceReason, Correction } from '../../../protocol/tablet.ts';
import { en } from './messages-en.ts';
import { ja } from './messages-ja.ts';
import type { Locale, RowAction, Setup, SignInError, SortOrder, VoidAction } from './state.ts';

type Method = 'card' | 'qr' | 'pin' | 'staff';

/** Every text the tablet shows, in Japanese (the default) and English. */
export interface Messages {
  /** BCP 47 tag for Intl date formatting. */
  readonly intlLocale: string;
  /** The language button shows the language it switches to, in that language. */
  readonly langToggle: string;
  readonly langToggleLabel: string;
  readonly appName: string;
  readonly loading: string;
  readonly signIn: {
    readonly title: string;
    readonly sub: string;
    readonly staffId: string;
    readonly pin: string;
    readonly submit: string;
    readonly working: string;
    readonly error: (error: SignInError) => string;
  };
  readonly setup: (setup: Setup) => string;
  readonly signedInAs: (name: string) => string;
  readonly signOut: string;
  readonly stale: string;
  /** The stale banner's second line: when the roll-call shown was last confirmed (HH:MM:SS), if ever. */
  readonly staleSince: (time: string | null) => string;
  readonly offline: string;
  readonly attentionTitle: (count: number) => string;
  readonly attentionNone: string;
  readonly why: Readonly<Record<'unaccounted' | 'still_present', string>>;
  readonly counts: {
    /** 在籍: every child on today's roster (never lowered by an absence). */
    readonly enrolled: string;
    readonly present: string;
    readonly left: string;
    readonly absent: string;
    readonly notArrived: string;
  };
  readonly allClasses: string;
  readonly search: string;
  readonly sort: Readonly<Record<SortOrder, string>>;
  readonly sortLabel: string;
  readonly noChildren: string;
  readonly status: Readonly<Record<RollcallStatus, string>>;
  readonly checkIn: (time: string) => string;
  readonly checkOut: (time: string) => string;
  readonly method: Readonly<Record<Method, string>>;
  readonly broughtBy: (name: string) => string;
  readonly pickedUpBy: (name: string) => string;
  /** A check-in or check-out a staff member entered by hand: who entered it (not who brought the child). */
  readonly staffEntry: (name: string) => string;
  readonly compact: {
    /** The toggle between the full rows and the compact view. */
    readonly toggle: string;
    readonly classes: string;
    /** Label of a tile's button: open this child's actions. */
    readonly open: (name: string) => string;
    readonly close: string;
    readonly noActions: string;
  };
  readonly reason: Readonly<Record<AbsenceReason, string>>;
  readonly corrected: string;
  readonly correction: Readonly<Record<Correction['kind'], string>>;
  readonly correctionLine: (kind: string, by: string, time: string) => string;
  readonly cutoff: (time: string) => string;
  readonly staffOnDuty: string;
  readonly staffUnset: string;
  readonly staffMinus: string;
  readonly staffPlus: string;
  readonly overRatio: (perStaff: number | null) => string;
  readonly ratio: (perStaff: number) => string;
  /** Staffing by age (the national standard, settings `staffing`). */
  readonly staffing: {
    /** Staff the children present need. */
    readonly required: (n: number) => string;
    /** One age group and how many of it are present (e.g. 0歳 2). */
    readonly age: (group: StaffingAge, n: number) => string;
    readonly separator: string;
    readonly ageUnknown: (n: number) => string;
    /** The facility's line: required (with the minimum) and on duty (null: not entered). */
    readonly facility: (required: number, minimum: number, onDuty: number | null) => string;
    readonly understaffed: (required: number, onDuty: number) => string;
  };
  readonly action: Readonly<Record<RowAction, string>>;
  readonly dialog: {
    readonly title: Readonly<Record<RowAction, string>>;
    readonly timeLabel: string;
    readonly timeNow: string;
    readonly timeHint: string;
    readonly noteLabel: string;
    readonly noteOptional: string;
    readonly reasonLabel: string;
    readonly voidReasonLabel: string;
    readonly voidReasonHint: string;
    /** What a void removes; the time is the event's, or null (an absence has no time of day). */
    readonly voidWhat: Readonly<Record<VoidAction, (time: string | null) => string>>;
    readonly dateLabel: string;
    /** The last day of an absence over several days. */
    readonly untilLabel: string;
    readonly untilHint: string;
    readonly badRange: string;
    readonly confirm: string;
    readonly cancel: string;
    readonly sending: string;
    readonly badTime: string;
    readonly needReason: string;
    readonly failed: (code: string, status: number | null) => string;
    readonly retry: string;
  };
  readonly staffFailed: string;
}

export const MESSAGES: Readonly<Record<Locale, Messages>> = { ja, en };
