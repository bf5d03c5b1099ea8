import type { Locale } from './locales.ts';

/**
 * What a tap did, in words: "already recorded" with names and times, a held tap (reversal guard), and
 * what a change on the result screen did. Used by the screen (one language) and by the agent's output
 * lines (Japanese, then English). Imports nothing with Node, so the renderer can use it.
 */

export type TapChangeDirection = 'check_in' | 'check_out';

/** A change of a recorded tap, as the parent made it. */
export type TapChange =
  /** Events voided: a child left out, or the whole tap undone. */
  | { kind: 'cancelled'; names: readonly string[]; type: TapChangeDirection }
  /** Events recorded by a touch: a child put back, a sibling added, a held tap confirmed. */
  | { kind: 'recorded'; names: readonly string[]; type: TapChangeDirection }
  /** The direction changed. */
  | { kind: 'flipped'; names: readonly string[]; from: TapChangeDirection; to: TapChangeDirection };

/** A child's latest event, named, for "already recorded" and the reversal guard. */
export interface NamedEvent {
  name: string;
  type: TapChangeDirection;
  /** RFC 3339. */
  at: string;
}

const WORD: Readonly<Record<Locale, Readonly<Record<TapChangeDirection, string>>>> = {
  ja: { check_in: '登園', check_out: '降園' },
  en: { check_in: 'check-in', check_out: 'check-out' },
};

const PAST: Readonly<Record<TapChangeDirection, string>> = {
  check_in: 'checked in',
  check_out: 'checked out',
};

/** HH:MM in the facility's zone (the zone of the instant's own offset if the zone is unknown here). */
export function hhmm(at: string, timeZone: string): string {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) return at.slice(11, 16);
  try {
    return new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(ms);
  } catch {
    return at.slice(11, 16);
  }
}

function namesJa(names: readonly string[]): string {
  return names.map((n) => `${n}さん`).join('、');
}

function namesEn(names: readonly string[]): string {
  return names.join(', ');
}

export function changeText(change: TapChange, locale: Locale): string {
  const w = WORD[locale];
  if (locale === 'ja') {
    switch (change.kind) {
      case 'cancelled':
        return `${namesJa(change.names)}の${w[change.type]}を取り消しました`;
      case 'recorded':
        return `${namesJa(change.names)}の${w[change.type]}を記録しました`;
      case 'flipped':
        return `${namesJa(change.names)}の${w[change.from]}を取り消し、${w[change.to]}を記録しました`;
    }
  }
  switch (change.kind) {
    case 'cancelled':
      return `Cancelled the ${w[change.type]} of ${namesEn(change.names)}`;
    case 'recorded':
      return `Recorded the ${w[change.type]} of ${namesEn(change.names)}`;
    case 'flipped':
      return `Changed ${namesEn(change.names)} from ${w[change.from]} to ${w[change.to]}`;
  }
}

/** "Already recorded": who, what and when. */
export function alreadyRecordedText(events: readonly NamedEvent[], timeZone: string, locale: Locale): string {
  if (locale === 'ja') {
    return events.map((e) => `${e.name}さん：${hhmm(e.at, timeZone)} ${WORD.ja[e.type]}`).join('、');
  }
  return events.map((e) => `${e.name}: ${PAST[e.type]} at ${hhmm(e.at, timeZone)}`).join('; ');
}

/** The reversal guard's question: the earlier event, and what a touch would record. */
export function heldText(
  earlier: readonly NamedEvent[],
  next: TapChangeDirection,
  timeZone: string,
  locale: Locale,
): string {
  if (locale === 'ja') {
    const done = earlier.map((e) => `${e.name}さんは${hhmm(e.at, timeZone)}に${WORD.ja[e.type]}しました`);
    return `${done.join('。')}。${WORD.ja[next]}でよろしければ、お子さまを押してください。`;
  }
  const done = earlier.map((e) => `${e.name} ${PAST[e.type]} at ${hhmm(e.at, timeZone)}`);
  return `${done.join('; ')}. To record a ${WORD.en[next]}, touch the child.`;
}

/** A sibling not included because their own next step differs from the tap's. */
export function notIncludedText(names: readonly string[], type: TapChangeDirection, locale: Locale): string {
  return locale === 'ja'
    ? `${namesJa(names)}は含めていません（${WORD.ja[type]}する場合はお子さまを押してください）`
    : `${namesEn(names)} not included (touch to record a ${WORD.en[type]})`;
}

/** For output lines: Japanese, then English. */
export function bilingual(text: (locale: Locale) => string): string {
  return `${text('ja')} / ${text('en')}`;
}
