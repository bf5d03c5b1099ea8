import { errorText, type MessageParams } from '../../../protocol/error-catalogue.ts';
import type { RollcallStatus } from '../../../protocol/primitives.ts';
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
    case 'invalid':
      return m.error('invalid_answer');
    case 'http':
      return f.status === 429 ? m.tooMany(f.retryAfterSeconds) : m.error(f.code, f.params);
  }
}
