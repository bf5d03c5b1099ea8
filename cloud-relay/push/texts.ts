/*
 * The words of a push notification. The cloud does not know a guardian's language (the app's choice stays
 * in the browser), so notifications are sent in Japanese, the facility's language; English is kept beside
 * it for when a guardian's language is known.
 */

export type PushLanguage = 'ja' | 'en';

export interface PushTexts {
  /** The title when the facility's name is not known yet (no snapshot relayed). */
  untitled: string;
  /** How a child without a known name is called. */
  someChild: string;
  checkIn: (name: string, time: string) => string;
  checkOut: (name: string, time: string) => string;
}

export const PUSH_TEXTS: Readonly<Record<PushLanguage, PushTexts>> = {
  ja: {
    untitled: '園からのお知らせ',
    someChild: 'お子さま',
    checkIn: (name, time) => `${name}が登園しました ${time}`,
    checkOut: (name, time) => `${name}が降園しました ${time}`,
  },
  en: {
    untitled: 'News from the nursery',
    someChild: 'Your child',
    checkIn: (name, time) => `${name} arrived at ${time}`,
    checkOut: (name, time) => `${name} left at ${time}`,
  },
};

/** A child's name as the notification says it: 〇〇さん in Japanese. */
export function childCalled(language: PushLanguage, name: string | undefined): string {
  const texts = PUSH_TEXTS[language];
  if (name === undefined || name.trim() === '') return texts.someChild;
  return language === 'ja' ? `${name}さん` : name;
}
