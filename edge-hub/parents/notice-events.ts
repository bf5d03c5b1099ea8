import { absenceNote } from '../../common/attendance.ts';
import { formatRfc3339, localDate } from '../../common/time.ts';
import { NOTE_MAX, type AttendanceEvent } from '../../protocol/index.ts';
import type { ParentNotice } from '../../protocol/parent-notices.ts';
import { PARENT_DEVICE_ID } from '../access/devices.ts';
import { derivedUuid } from '../tablet/absence-range.ts';
import { localInstant } from '../tablet/view.ts';

/**
 * The `absent` events a parent's absence notice stands for: one per child and day, recorded by the hub
 * as device `parent-app` with method `parent` and the guardian as actor. Pure: the fetcher records them.
 */

/**
 * The id of the absent event of one child on one day of a notice: a UUID version 8 (RFC 9562) of
 * SHA-256(`parent-notice/${noticeId lower-cased}/${childId}/${date}`) (tablet/absence-range.ts
 * derivedUuid), so that a notice fetched again makes the same ids and each day is stored once.
 */
export function parentAbsenceEventId(noticeId: string, childId: string, date: string): string {
  return derivedUuid(`parent-notice/${noticeId.toLowerCase()}/${childId}/${date}`);
}

/** Control characters and line breaks (the validity rule refuses them in a note): each run one space. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]+/g;
/** UTF-16 halves without their partner. */
const LONE_SURROGATE_RE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The absent event's note: `REASON` or `REASON: details` as the tablet writes it (common/attendance.ts
 * absenceNote), the details language-neutral for the tablet and the ledgers to show, e.g.
 * `sick: fever, cough; 38.2℃; the parent's note`. Cleaned and cut to NOTE_MAX so that the event is valid.
 */
export function parentAbsenceNote(notice: ParentNotice): string {
  const parts: string[] = [];
  if (notice.symptoms !== undefined && notice.symptoms.length > 0) parts.push(notice.symptoms.join(', '));
  if (notice.temperature !== undefined) parts.push(`${notice.temperature.toFixed(1)}℃`);
  const text = notice.note?.replace(CONTROL_RE, ' ').replace(LONE_SURROGATE_RE, '\ufffd').trim();
  if (text !== undefined && text !== '') parts.push(text);
  const note = absenceNote(notice.reason, parts.length === 0 ? undefined : parts.join('; '));
  if (note.length <= NOTE_MAX) return note;
  const cut = note.slice(0, NOTE_MAX - 1);
  // Not half of a character written as two UTF-16 units.
  return `${/[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
}

/**
 * The absent event of `childId` on `date` for an absence notice, given the parent-app's next sequence
 * number. Filed under its day as the tablet files an absence: now for today, the day's first minute for
 * another day.
 */
export function parentAbsenceEvent(
  notice: ParentNotice,
  childId: string,
  date: string,
  at: { now: Date; timeZone: string; seq: number },
): AttendanceEvent {
  const instant = date === localDate(at.now, at.timeZone) ? at.now : localInstant(date, '00:00', at.timeZone);
  return {
    id: parentAbsenceEventId(notice.id, childId, date),
    deviceId: PARENT_DEVICE_ID,
    seq: at.seq,
    type: 'absent',
    childId,
    occurredAt: formatRfc3339(instant, at.timeZone),
    method: 'parent',
    actor: notice.guardianId,
    note: parentAbsenceNote(notice),
  };
}
