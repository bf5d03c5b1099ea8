import { ValidationError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import type { Clock } from '../../common/time.ts';
import { ErrorCodes } from '../../protocol/index.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import type { StaffRow } from '../store/people.ts';

/** What the records' domain (corrections, open days, months) works with. */
export interface RecordsContext {
  store: StoreOf<'events' | 'corrections' | 'audit' | 'history' | 'people'> & Transactional;
  clock: Clock;
  /** The facility's zone: business days and local times. */
  timeZone: string;
  facilityId: string;
  logger: Logger;
}

/** How a records change came in: the admin bearer token (an integration) or the admin app's session. */
export type RecordsVia = 'api' | 'admin';

export { CORRECTIONS_DEVICE_ID } from '../access/devices.ts';

/** The staff member `actor` names; unknown_staff when there is none or the account is disabled. */
export function requireStaff(ctx: RecordsContext, actor: string): StaffRow {
  const staff = ctx.store.people.staff(actor);
  if (!staff || staff.disabled) {
    throw new ValidationError(ErrorCodes.unknownStaff, `no staff member ${actor} on this hub`, 'actor');
  }
  return staff;
}
