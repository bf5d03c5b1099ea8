import { QR_REFUSAL_MESSAGES } from '../common/messages.ts';
import { alreadyRecordedText } from '../common/tap-messages.ts';
import type { GuardianChoice, Locale, TapView } from '../common/ui-api.ts';
import { searchKey } from '../../ui/search-key.ts';
import type { Messages } from './messages.ts';
import type { SkewParts } from './staff-messages.ts';

/** Pure helpers of the screen: no DOM, so they are unit-tested with the reducer. */

/**
 * Avatar colours: all dark enough for white text at ≥ 4.5:1 (WCAG AA), and far enough apart in hue
 * that two classes side by side look different.
 */
export const AVATAR_COLOURS = [
  '#1d6b3a',
  '#1f5596',
  '#7b3f8c',
  '#a3402a',
  '#0e6a70',
  '#8a4d12',
  '#a12c5e',
  '#4a4fa3',
  '#5b6b12',
] as const;

/** FNV-1a: stable across runs and platforms, so a class keeps its colour on every kiosk. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function avatarColour(classId: string): string {
  return AVATAR_COLOURS[hash(classId) % AVATAR_COLOURS.length] ?? AVATAR_COLOURS[0];
}

/** The first character (a whole code point, not half a surrogate pair) of the given name. */
export function initialOf(name: string): string {
  // Siblings share the family name: the given name (after the space) tells them apart at a glance.
  const parts = name.trim().split(/[\s\u3000]+/);
  const given = parts.length > 1 ? parts[parts.length - 1] : parts[0];
  return Array.from(given ?? '')[0] ?? '?';
}

export type NoticeTone = 'refusal' | 'info';

/** Title and explanation of a result that is not a recorded tap. */
export function noticeOf(
  tap: Exclude<TapView, { result: 'ok' }>,
  m: Messages,
  locale: Locale,
  timeZone = 'Asia/Tokyo',
): { title: string; body: string; tone: NoticeTone } {
  switch (tap.result) {
    case 'unknown_credential':
      return { ...m.unknownCredential[tap.kind], tone: 'refusal' };
    case 'refused_qr':
      return { title: m.refusedQrTitle, body: QR_REFUSAL_MESSAGES[tap.reason][locale], tone: 'refusal' };
    case 'debounced':
      // Who and when, so the parent sees it is done rather than wonder whether the tap counted.
      return tap.children && tap.children.length > 0
        ? {
            title: m.tap.alreadyTitle,
            body: alreadyRecordedText(tap.children, timeZone, locale),
            tone: 'info',
          }
        : { ...m.debounced, tone: 'info' };
    case 'no_children':
      return { title: m.noChildrenTitle, body: m.noChildrenBody(tap.guardian.name), tone: 'refusal' };
    case 'no_roster':
      return { ...m.noRoster, tone: 'refusal' };
    case 'error':
      return { ...m.error, tone: 'refusal' };
  }
}

export interface ClockText {
  readonly time: string;
  readonly date: string;
}

function formatIn(now: number, intlLocale: string, timeZone: string): ClockText {
  const time = new Intl.DateTimeFormat(intlLocale, {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(now);
  const date = new Intl.DateTimeFormat(intlLocale, {
    timeZone,
    month: 'long',
    day: 'numeric',
    weekday: intlLocale.startsWith('ja') ? 'short' : 'long',
  }).format(now);
  return { time, date };
}

/** HH:MM and the date with weekday in the facility's zone (Asia/Tokyo if the zone is unknown here). */
export function clockText(now: number, intlLocale: string, timeZone: string): ClockText {
  try {
    return formatIn(now, intlLocale, timeZone);
  } catch {
    return formatIn(now, intlLocale, 'Asia/Tokyo');
  }
}

/**
 * Skews below this are not measurable: the hub's time sample a kiosk gets at connect may be one publish
 * period (15 s) old.
 */
export const SKEW_RESOLUTION_MS = 15_000;

/**
 * Splits a skew (hub minus kiosk, ms) for the maintenance screen: to the nearest minute from an hour on,
 * to the second below, none under SKEW_RESOLUTION_MS.
 */
export function skewParts(skewMs: number): SkewParts {
  const size = Math.abs(skewMs);
  const behind = skewMs > 0;
  if (size < SKEW_RESOLUTION_MS) return { hours: 0, minutes: 0, seconds: 0, behind };
  // 2 h 59 min 58 s is three hours off: seconds would only show how old the sample was.
  if (size >= 3_600_000) {
    const minutes = Math.round(size / 60_000);
    return { hours: Math.floor(minutes / 60), minutes: minutes % 60, seconds: 0, behind };
  }
  const seconds = Math.round(size / 1000);
  return { hours: 0, minutes: Math.floor(seconds / 60), seconds: seconds % 60, behind };
}

/** Guardians whose name, or a child's name or kana, contains the query; all of them for an empty one. */
export function filterGuardians(guardians: readonly GuardianChoice[], query: string): GuardianChoice[] {
  const q = searchKey(query);
  if (q === '') return [...guardians];
  return guardians.filter((g) =>
    [g.name, ...g.children.flatMap((c) => [c.name, c.kana])].some((text) => searchKey(text).includes(q)),
  );
}
