import {
  ParentPickupPeopleSchema,
  ParentPickupSchema,
  type ParentPickup,
  type ParentPickupPeople,
  type ParentPickupRequest,
} from '../../../protocol/parent-pickups.ts';
import { parsed, request, type ApiResult } from './http.ts';

/** Each of the parent's own children with its authorised pickup people, as the facility keeps them. */
export async function getPickupPeople(): Promise<ApiResult<ParentPickupPeople>> {
  return parsed(await request('GET', '/parent/api/pickup-people'), ParentPickupPeopleSchema);
}

/**
 * Sends today's pickup plan; the cloud answers the stored plan. A resend with the same request id (after
 * a lost answer) is stored once and answered the same.
 */
export async function sendPickup(pickup: ParentPickupRequest): Promise<ApiResult<ParentPickup>> {
  return parsed(await request('POST', '/parent/api/pickups', pickup), ParentPickupSchema);
}
