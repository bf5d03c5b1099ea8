import type { Locale } from './messages.ts';

const KEY = 'genkan-parent-locale';

/** The language the parent chose on this device earlier; Japanese until they choose. */
export function savedLocale(): Locale {
  try {
    return window.localStorage.getItem(KEY) === 'en' ? 'en' : 'ja';
  } catch {
    // Storage blocked (a private window's settings): the default.
    return 'ja';
  }
}

export function saveLocale(locale: Locale): void {
  try {
    window.localStorage.setItem(KEY, locale);
  } catch {
    // Not kept: the next visit starts in Japanese again.
  }
}
