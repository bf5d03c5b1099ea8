import type { NoticeKind, Symptom } from '../../../protocol/parent-notices.ts';
import type { METHODS, RollcallStatus } from '../../../protocol/primitives.ts';
import type { StaffingAge } from '../../../protocol/settings.ts';
import type { AbsenceReason, Correction } from '../../../protocol/tablet.ts';
import { en } from './messages-en.ts';
import { ja } from './messages-ja.ts';
import type { Locale, RowAction, Setup, SignInError, SortOrder, VoidAction } from './state.ts';

/** How a record was made: a tap (card, QR, PIN), a staff entry, or a parent's notice (an absence). */
type Method = (typeof METHODS)[number];

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
  /** The main screen's banner while parents' messages do not reach the hub, since a time (HH:MM). */
  readonly parentsStalled: (since: string) => string;
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
  /** Parents' notices (欠席連絡, 遅刻連絡): the panel at the top and the badge on a child's row. */
  readonly notices: {
    readonly title: string;
    /** The count pill: how many are still to confirm (0: none), of how many shown. */
    readonly unread: (n: number) => string;
    readonly total: (n: number) => string;
    readonly none: string;
    readonly show: string;
    readonly hide: string;
    readonly kind: Readonly<Record<NoticeKind, string>>;
    readonly today: string;
    readonly tomorrow: string;
    readonly yesterday: string;
    /** Another day: month 1–12, day of month, weekday 0 (Sunday)–6. */
    readonly date: (month: number, day: number, weekday: number) => string;
    readonly range: (from: string, until: string) => string;
    readonly arriveAt: (time: string) => string;
    readonly symptom: Readonly<Record<Symptom, string>>;
    readonly symptomsSeparator: string;
    readonly temperature: (celsius: number) => string;
    /** Who sent it (the guardian's name) and when (a time, or a day and a time). */
    readonly sentBy: (guardian: string, when: string) => string;
    readonly confirm: string;
    readonly confirming: string;
    readonly confirmLabel: (children: string) => string;
    readonly unconfirmed: string;
    /** Confirmed: by whom (a staff member's name) and at what time. */
    readonly confirmed: (by: string | null, time: string | null) => string;
    readonly failed: (code: string, status: number | null) => string;
    /** The badge on a child's row. */
    readonly badgeAbsence: (reason: string) => string;
    readonly badgeLate: (time: string | null) => string;
    /** An absence a parent sent (not a staff member): who it came from. */
    readonly fromParent: string;
    /** The panel's first line while parents' messages do not reach the hub, since a time (HH:MM). */
    readonly stalled: (since: string) => string;
  };
  /** Today's pickup plan from a parent (お迎え予定): the line on a child's row and its details. */
  readonly pickup: {
    /** The time the parent comes (お迎え 17:30); the person follows it. */
    readonly label: (time: string) => string;
    /** Not on the child's authorised list: staff check who it is. */
    readonly someoneElse: string;
    readonly show: (who: string) => string;
    readonly photoAlt: (who: string) => string;
    readonly noPhoto: string;
    /** Who sent the plan (the guardian's name). */
    readonly from: (guardian: string) => string;
    /** The compact tile's marker and its tooltip. */
    readonly marker: string;
    /** 確認 of the plan (in its details), and the flag of someone else once confirmed. */
    readonly confirm: string;
    readonly confirming: string;
    readonly confirmLabel: (who: string) => string;
    readonly someoneElseConfirmed: string;
    /** Confirmed: by whom (a staff member's name) and at what time. */
    readonly confirmed: (by: string | null, time: string | null) => string;
    readonly failed: (code: string, status: number | null) => string;
  };
}

export const MESSAGES: Readonly<Record<Locale, Messages>> = { ja, en };
