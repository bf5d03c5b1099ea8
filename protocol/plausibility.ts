import { ErrorCodes } from './errors.ts';
import { NOTE_MAX } from './primitives.ts';

/**
 * The one validity rule for what may enter the record, beyond the schema: plausible times and clean text.
 * The hub's MQTT ingest, the events the hub makes itself (tablet and admin actions) and the cloud's batches
 * all apply it, so a hub never stores what a cloud will refuse. Free of Node APIs (browser apps import it).
 */

/** How far an event may lie ahead of, or behind, the receiver's clock. */
export interface TimeWindow {
  aheadMs: number;
  behindMs: number;
  /** An absence is announced for a coming day (filed under that day's first minute): its own bound ahead. */
  absenceAheadMs: number;
  /**
   * How far behind a staff entry (method `staff`) may be, when more than behindMs: a past-day correction
   * reaches back as far as records are kept (retention.years, at most 100, after the fiscal year).
   */
  staffBehindMs?: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * The hub's window: 5 minutes ahead (kiosk clocks drift), 400 days behind (a year's corrections); an
 * absence up to 62 days ahead (a family trip planned two months out).
 */
export const HUB_TIME_WINDOW: TimeWindow = {
  aheadMs: 5 * MINUTE,
  behindMs: 400 * DAY,
  absenceAheadMs: 62 * DAY,
};

/**
 * The cloud's window: the hub's, widened by what lies between a hub's acceptance and the cloud's check
 * (an hour of skew between their clocks, a hub offline for up to 35 days), so that what a hub accepted
 * is never refused for its time. Anything outside it cannot have come from a hub following the rule.
 */
export const CLOUD_TIME_WINDOW: TimeWindow = {
  aheadMs: HUB_TIME_WINDOW.aheadMs + 60 * MINUTE,
  behindMs: HUB_TIME_WINDOW.behindMs + 35 * DAY,
  absenceAheadMs: HUB_TIME_WINDOW.absenceAheadMs + 60 * MINUTE,
  // The hub records corrections of any kept day itself (edge-hub/records), outside its own window.
  staffBehindMs: 102 * 366 * DAY,
};

/** UTC offsets in use on Earth run from −12:00 to +14:00; ±14:00 is the bound either way. */
export const MAX_OFFSET_MINUTES = 14 * 60;

/** C0 and C1 control characters (NUL, ESC, DEL, CSI …) and UTF-16 halves without their partner. */
const BAD_TEXT_RE =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What is wrong with a text field, or undefined when it is clean and within `max` characters. */
export function textProblem(value: string, max: number): string | undefined {
  if (value.length > max) return `longer than ${max} characters`;
  const m = BAD_TEXT_RE.exec(value);
  if (m) {
    const code = m[0].charCodeAt(0);
    return code >= 0xd800 && code <= 0xdfff
      ? `contains a broken character (at position ${m.index + 1})`
      : `contains a control character or line break (U+${code.toString(16).toUpperCase().padStart(4, '0')} at position ${m.index + 1})`;
  }
  return undefined;
}

const OFFSET_RE = /(?:Z|([+-])(\d{2}):(\d{2}))$/i;

/**
 * Why an RFC 3339 instant (already schema-checked) is implausible at `now`, or undefined when it is
 * within the window (`aheadMs` is the bound ahead to use) and its offset within ±14:00.
 */
export function timeProblem(
  occurredAt: string,
  now: Date,
  window: { aheadMs: number; behindMs: number },
): string | undefined {
  const m = OFFSET_RE.exec(occurredAt);
  if (!m) return 'has no UTC offset';
  if (m[1] !== undefined) {
    const minutes = Number(m[2]) * 60 + Number(m[3]);
    if (minutes > MAX_OFFSET_MINUTES || Number(m[3]) > 59) return 'has a UTC offset beyond ±14:00';
  }
  const at = Date.parse(occurredAt);
  if (!Number.isFinite(at)) return 'is not a valid instant';
  const diff = at - now.getTime();
  if (diff > window.aheadMs) {
    return `is ${formatSpan(diff)} ahead of the receiver's clock (at most ${formatSpan(window.aheadMs)})`;
  }
  if (-diff > window.behindMs) {
    return `is ${formatSpan(-diff)} behind the receiver's clock (at most ${formatSpan(window.behindMs)})`;
  }
  return undefined;
}

function formatSpan(ms: number): string {
  if (ms >= 2 * DAY) return `${Math.floor(ms / DAY)} days`;
  if (ms >= 2 * 60 * MINUTE) return `${Math.floor(ms / (60 * MINUTE))} hours`;
  return `${Math.max(1, Math.floor(ms / MINUTE))} min`;
}

/** The fields of an event the rule reads. */
export interface PlausibleEventFields {
  type: string;
  method?: string;
  occurredAt: string;
  note?: string | undefined;
}

export interface PlausibilityRejection {
  code: typeof ErrorCodes.implausibleTime | typeof ErrorCodes.badText;
  message: string;
}

/** The rule for one schema-valid event at the receiver's `now`; undefined when it may be stored. */
export function eventPlausibility(
  event: PlausibleEventFields,
  now: Date,
  window: TimeWindow,
): PlausibilityRejection | undefined {
  if (event.note !== undefined) {
    const problem = textProblem(event.note, NOTE_MAX);
    if (problem !== undefined) return { code: ErrorCodes.badText, message: `note ${problem}` };
  }
  const ahead = event.type === 'absent' ? Math.max(window.aheadMs, window.absenceAheadMs) : window.aheadMs;
  const behind =
    event.method === 'staff' ? Math.max(window.behindMs, window.staffBehindMs ?? 0) : window.behindMs;
  const problem = timeProblem(event.occurredAt, now, { aheadMs: ahead, behindMs: behind });
  if (problem !== undefined) return { code: ErrorCodes.implausibleTime, message: `occurredAt ${problem}` };
  return undefined;
}
