import { randomUUID } from 'node:crypto';
import { NotFoundError, ValidationError } from '../../common/errors.ts';
import type { FacilityNotice, FacilityNoticeRequest } from '../../protocol/facility-notices.ts';
import { ErrorCodes } from '../../protocol/index.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import { audienceOf, readersOf } from './facility-notice-audience.ts';

/**
 * Publishing and withdrawing the facility's notices (issue 17) at the hub: stored with their recipients
 * and audited in one transaction; the relay uploads them (facility-notice-relay.ts). The audit entry
 * carries the classes and the number of recipients, never the text or names.
 */

export type FacilityNoticePublishStore = StoreOf<'roster' | 'parentAccess' | 'facilityNotices' | 'audit'> &
  Transactional;

/** Publishes a notice by `staffId`. Throws unknown_class for a class not on today's roster. */
export function publishFacilityNotice(
  store: FacilityNoticePublishStore,
  request: FacilityNoticeRequest,
  staffId: string,
): { notice: FacilityNotice; recipients: number } {
  const classIds =
    request.classIds === undefined || request.classIds.length === 0 ? null : [...new Set(request.classIds)];
  return store.transaction(() => {
    const roster = store.roster.read();
    const known = new Set(roster.classes.map((c) => c.id));
    const unknown = classIds?.find((id) => !known.has(id));
    if (unknown !== undefined) {
      throw new ValidationError(ErrorCodes.unknownClass, `class ${unknown} is not on the roster`, 'classIds');
    }
    const recipients = readersOf(audienceOf(roster, classIds), store.parentAccess.all());
    const record = store.facilityNotices.insert({
      id: randomUUID(),
      title: request.title,
      body: request.body,
      classIds,
      publishedBy: staffId,
      recipients,
    });
    store.audit.append({
      actorKind: 'staff',
      actorId: staffId,
      action: 'facility_notice.publish',
      subject: `facility_notice:${record.notice.id}`,
      outcome: 'ok',
      after: { classIds, recipients: recipients.length },
    });
    return { notice: record.notice, recipients: recipients.length };
  });
}

/** Withdraws a notice (a second withdrawal changes nothing). Throws unknown_facility_notice. */
export function withdrawFacilityNotice(
  store: FacilityNoticePublishStore,
  id: string,
  staffId: string,
): FacilityNotice {
  return store.transaction(() => {
    const done = store.facilityNotices.withdraw(id);
    if (done === undefined) {
      throw new NotFoundError('unknown_facility_notice', `no facility notice ${id}`);
    }
    if (done.first) {
      store.audit.append({
        actorKind: 'staff',
        actorId: staffId,
        action: 'facility_notice.withdraw',
        subject: `facility_notice:${id}`,
        outcome: 'ok',
      });
    }
    return done.record.notice;
  });
}
