import { localDate, localTime } from '../../common/time.ts';
import type { AttendanceEvent } from '../../protocol/index.ts';
import type { FacilitySnapshot } from '../../protocol/ledger.ts';
import type { ParentPushPayload } from '../../protocol/parent-push.ts';
import { childCalled, PUSH_TEXTS, type PushLanguage } from './texts.ts';

/** The events a parent is told of at once. */
export type NewsEvent = AttendanceEvent & { type: 'check_in' | 'check_out' };

export function isNews(event: AttendanceEvent): event is NewsEvent {
  return event.type === 'check_in' || event.type === 'check_out';
}

/**
 * The events of a batch worth a push: check-ins and check-outs not voided in the same batch (a hub that was
 * offline relays a mistaken tap and its correction together). A void itself is no news.
 */
export function newsOf(events: readonly AttendanceEvent[]): NewsEvent[] {
  const voided = new Set(
    events.flatMap((e) => (e.type === 'void' && e.voids !== undefined ? [e.voids] : [])),
  );
  return events.filter(isNews).filter((e) => !voided.has(e.id));
}

/** Whether the event's business day is `today` in the facility's zone: older news is not pushed. */
export function isToday(event: AttendanceEvent, today: string, timeZone: string): boolean {
  return localDate(event.occurredAt, timeZone) === today;
}

/**
 * The notification of a check-in or check-out: titled with the facility's name, the child named as in the
 * snapshot in effect today, the local time without a leading zero (8:05). Opens the parent app; tagged
 * with the child's id, so that a check-out replaces the morning's check-in on the phone.
 */
export function pushPayload(
  event: NewsEvent,
  snapshot: FacilitySnapshot | undefined,
  timeZone: string,
  language: PushLanguage = 'ja',
): ParentPushPayload {
  const texts = PUSH_TEXTS[language];
  const name = snapshot?.children.find((c) => c.id === event.childId)?.name;
  const who = childCalled(language, name);
  const time = localTime(event.occurredAt, timeZone).replace(/^0(?=\d:)/, '');
  const facilityName = snapshot?.facilityName ?? '';
  return {
    title: facilityName === '' ? texts.untitled : facilityName,
    body: event.type === 'check_in' ? texts.checkIn(who, time) : texts.checkOut(who, time),
    url: '/parent/',
    tag: event.childId,
  };
}
