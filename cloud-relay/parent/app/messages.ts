import { errorText, type MessageParams } from '../../../protocol/error-catalogue.ts';
import type { AbsenceReason, NoticeKind, NoticeStatus, Symptom } from '../../../protocol/parent-notices.ts';
import type { RollcallStatus } from '../../../protocol/primitives.ts';
import type { DraftProblem } from './notice-draft.ts';
import type { PickupProblem } from './pickup-draft.ts';
import type { ApiFailure } from './http.ts';
import { MESSAGES_EN } from './messages-en.ts';
import { MESSAGES_JA } from './messages-ja.ts';

export type Locale = 'ja' | 'en';

/** Every text the parent app shows, in Japanese (the default) and English. */
export interface Messages {
  readonly intlLocale: string;
  readonly langToggle: string;
  readonly appName: string;
  readonly loading: string;
  readonly invite: {
    readonly title: string;
    readonly lead: string;
    readonly register: string;
    readonly working: string;
  };
  readonly signedOut: {
    readonly title: string;
    readonly lead: string;
    readonly signIn: string;
    readonly working: string;
    readonly firstTime: string;
  };
  readonly home: {
    readonly greeting: (name: string) => string;
    readonly today: (day: string) => string;
    readonly checkIn: string;
    readonly checkOut: string;
    readonly none: string;
    readonly noChildren: string;
    readonly updated: (time: string) => string;
    readonly signOut: string;
    /** The button that opens the notice form (for the card's child, or the first). */
    readonly compose: string;
    readonly composeFor: (name: string) => string;
    /** Shown once a notice is sent. */
    readonly sent: string;
  };
  readonly notice: {
    readonly title: string;
    /** The card's own button when the parent has several children. */
    readonly openShort: string;
    readonly lead: string;
    readonly kindLabel: string;
    readonly kind: Readonly<Record<NoticeKind, string>>;
    /** 欠席連絡 / 遅刻連絡: a notice's name in lists and on the card. */
    readonly kindTitle: Readonly<Record<NoticeKind, string>>;
    readonly children: string;
    readonly date: Readonly<Record<NoticeKind, string>>;
    readonly until: string;
    readonly untilHint: string;
    readonly arriveAt: string;
    readonly reasonLabel: string;
    readonly reason: Readonly<Record<AbsenceReason, string>>;
    readonly symptomsLabel: string;
    readonly symptom: Readonly<Record<Symptom, string>>;
    /** Between listed symptoms: 発熱・咳 / fever, cough. */
    readonly separator: string;
    readonly temperature: string;
    readonly note: string;
    readonly notePlaceholder: string;
    readonly submit: string;
    readonly sending: string;
    readonly cancel: string;
    /** After a lost connection: sending again is safe, it is stored once. */
    readonly resend: string;
    readonly problem: Readonly<Record<DraftProblem, string>>;
    readonly status: Readonly<Record<NoticeStatus, string>>;
    readonly today: string;
    readonly tomorrow: string;
    readonly range: (from: string, to: string) => string;
    readonly arriving: (time: string) => string;
    readonly celsius: (value: number) => string;
    readonly sentAt: (time: string) => string;
    readonly history: string;
    readonly noHistory: string;
  };
  /** Today's pickup plan (お迎え): the form, the card's line. */
  readonly pickup: {
    readonly title: string;
    readonly lead: string;
    /** The home button, and the card's own when the parent has several children. */
    readonly open: string;
    readonly openShort: string;
    readonly openFor: (name: string) => string;
    readonly day: (day: string) => string;
    readonly time: string;
    readonly person: string;
    readonly choose: string;
    /** A guardian on the list: 保護者 山田 太郎. */
    readonly guardian: string;
    readonly other: string;
    readonly otherName: string;
    readonly otherRelation: string;
    readonly otherRelationPlaceholder: string;
    /** Someone not on the list: staff check who comes. */
    readonly otherWarning: string;
    readonly loadingPeople: string;
    readonly note: string;
    readonly notePlaceholder: string;
    readonly replaces: string;
    readonly problem: Readonly<Record<PickupProblem, string>>;
    /** お迎え 17:30 祖母 山田 花子 */
    readonly cardTitle: string;
    readonly status: Readonly<Record<NoticeStatus, string>>;
    /** Shown once a plan is sent. */
    readonly sent: string;
  };
  /** The facility's notices to parents (園からのお知らせ). */
  readonly facilityNotices: {
    readonly title: string;
    readonly open: string;
    readonly unread: (count: number) => string;
    readonly empty: string;
    readonly loading: string;
    readonly confirm: string;
    readonly confirming: string;
    readonly readBadge: string;
    readonly unreadBadge: string;
    readonly back: string;
  };
  readonly push: {
    readonly label: string;
    readonly hint: string;
    readonly denied: string;
    readonly failed: string;
  };
  readonly status: Readonly<Record<RollcallStatus, string>>;
  readonly sessionEnded: string;
  readonly unreachable: string;
  readonly unsupported: string;
  readonly passkeyFailed: string;
  readonly tooMany: (seconds: number | null) => string;
  /** An error code's text (protocol/error-catalogue.ts), or the generic one. */
  readonly error: (code: string, params?: MessageParams) => string;
}

export const MESSAGES: Readonly<Record<Locale, Messages>> = {
  ja: {
    ...MESSAGES_JA,
    error: (code, params) => errorText('ja', code, params) ?? MESSAGES_JA.genericError(code),
  },
  en: {
    ...MESSAGES_EN,
    error: (code, params) => errorText('en', code, params) ?? MESSAGES_EN.genericError(code),
  },
};

/** A locale's own texts: everything but the catalogue's error wording. */
export type LocaleTexts = Omit<Messages, 'error'> & { readonly genericError: (code: string) => string };

/** What a failed call or passkey ceremony tells the parent. */
export function failureText(m: Messages, f: ApiFailure): string {
  switch (f.kind) {
    case 'network':
      return m.unreachable;
    case 'unsupported':
      return m.unsupported;
    case 'passkey':
      return m.passkeyFailed;
    case 'push':
      return f.reason === 'denied' ? m.push.denied : m.push.failed;
    case 'invalid':
      return m.error('invalid_answer');
    case 'http':
      return f.status === 429 ? m.tooMany(f.retryAfterSeconds) : m.error(f.code, f.params);
  }
}
