import { z } from 'zod';
import { PickupPersonSchema, type PickupPerson } from '../../../protocol/parent-pickups.ts';
import { done, parsed, request, type ApiResult } from '../../../ui/http-client.ts';

/** The admin routes of a child's pickup people (edge-hub/admin/pickup-routes.ts). */

const TIMEOUT_MS = 30_000;

export async function getPickupPeople(childId: string): Promise<ApiResult<PickupPerson[]>> {
  const result = await parsed(
    await request(
      'GET',
      `/api/admin/children/${encodeURIComponent(childId)}/pickup-people`,
      undefined,
      TIMEOUT_MS,
    ),
    z.strictObject({ people: z.array(PickupPersonSchema) }),
  );
  return result.ok ? { ok: true, value: result.value.people } : result;
}

/** `photo`: a data URL (JPEG after pickup-photo.ts scaled it), or none. */
export async function addPickupPerson(
  childId: string,
  body: { name: string; relation: string; photo?: string },
): Promise<ApiResult<PickupPerson>> {
  return parsed(
    await request(
      'POST',
      `/api/admin/children/${encodeURIComponent(childId)}/pickup-people`,
      { json: body },
      TIMEOUT_MS,
    ),
    PickupPersonSchema,
  );
}

export async function removePickupPerson(id: string): Promise<ApiResult<null>> {
  return done(
    await request('DELETE', `/api/admin/pickup-people/${encodeURIComponent(id)}`, undefined, TIMEOUT_MS),
  );
}

/** The photo's address for an <img> (the session cookie goes with it). */
export const pickupPhotoUrl = (id: string): string =>
  `/api/admin/pickup-people/${encodeURIComponent(id)}/photo`;
