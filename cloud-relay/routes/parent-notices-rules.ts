import { ForbiddenError, ValidationError } from '../../common/errors.ts';
import { isValidDate } from '../../common/time.ts';
import { ErrorCodes } from '../../protocol/index.ts';
import {
  NOTICE_MAX_DAYS,
  NOTICE_MAX_DAYS_AHEAD,
  type ParentNoticeRequest,
  type ParentSettingsUpload,
} from '../../protocol/parent-notices.ts';
import { CloudErrorCodes } from '../errors.ts';

/*
 * The rules a parent notice must meet at the cloud (docs/parents.md "Absence and lateness notices"), as
 * pure functions of the request and what the route read: the guardian's children, today and the time in
 * the facility's zone, each child's class and the facility's cut-offs.
 */

/**
 * The cut-off while the hub has not uploaded its settings (PUT /v1/hub/parent-settings) yet: earlier than
 * the hub's own default (10:00), so that a facility that never uploaded errs on the side of a phone call.
 */
export const FALLBACK_CUTOFF = '09:30';

/** GET /parent/api/notices lists the notices that ended within this many days, as history. */
export const NOTICE_HISTORY_DAYS = 30;

const DAY_MS = 86_400_000;

/** The calendar date `days` after (or before, when negative) `date`. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Days from `from` to `to` (0 for the same day). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** The cut-off of a class: the facility's for that class, else its default, else FALLBACK_CUTOFF. */
export function cutoffOf(settings: ParentSettingsUpload | undefined, classId: string | undefined): string {
  if (settings === undefined) return FALLBACK_CUTOFF;
  return (classId === undefined ? undefined : settings.classCutoffs[classId]) ?? settings.defaultCutoff;
}

/** Every child of the notice is one of the guardian's own; nothing says whether another child exists. */
export function checkOwnChildren(request: ParentNoticeRequest, own: readonly string[]): void {
  const mine = new Set(own);
  if (!request.childIds.every((id) => mine.has(id))) {
    throw new ForbiddenError(CloudErrorCodes.notOwnChild, 'a notice may name only your own children');
  }
}

export interface NoticeClock {
  /** The facility's business day now (YYYY-MM-DD). */
  today: string;
  /** The facility's local time now (HH:MM). */
  now: string;
}

/**
 * The notice's days: real dates, `until` not before `date`, `date` not before today, at most
 * NOTICE_MAX_DAYS days; and when it covers today, sent before the cut-off of every child's class
 * (`classOf` from the snapshot in effect today).
 */
export function checkNoticeDays(
  request: ParentNoticeRequest,
  clock: NoticeClock,
  settings: ParentSettingsUpload | undefined,
  classOf: (childId: string) => string | undefined,
): void {
  const until = request.until ?? request.date;
  for (const [field, value] of [
    ['date', request.date],
    ['until', until],
  ] as const) {
    if (!isValidDate(value)) {
      throw new ValidationError(CloudErrorCodes.invalidDate, `${field} is not a calendar date`, field);
    }
  }
  if (until < request.date) {
    throw new ValidationError(ErrorCodes.badRequest, 'until is before date', 'until');
  }
  if (request.date < clock.today) {
    throw new ValidationError(CloudErrorCodes.noticeInPast, 'a notice starts today or later', 'date');
  }
  if (daysBetween(request.date, until) + 1 > NOTICE_MAX_DAYS) {
    throw new ValidationError(
      CloudErrorCodes.noticeTooLong,
      `a notice covers at most ${String(NOTICE_MAX_DAYS)} days`,
      'until',
      { max: NOTICE_MAX_DAYS },
    );
  }
  if (daysBetween(clock.today, until) > NOTICE_MAX_DAYS_AHEAD) {
    throw new ValidationError(
      CloudErrorCodes.noticeTooFar,
      `a notice reaches at most ${String(NOTICE_MAX_DAYS_AHEAD)} days ahead`,
      'until',
      { max: NOTICE_MAX_DAYS_AHEAD },
    );
  }
  if (request.date !== clock.today) return;
  // The earliest cut-off of the children's classes: a notice for two children is one message.
  const cutoff = request.childIds
    .map((id) => cutoffOf(settings, classOf(id)))
    .reduce((a, b) => (b < a ? b : a));
  if (clock.now >= cutoff) {
    throw new ValidationError(
      CloudErrorCodes.noticeAfterCutoff,
      `notices for today are taken until ${cutoff}`,
      'date',
      { cutoff },
    );
  }
}
