import {
  AdminFacilityNoticesSchema,
  FacilityNoticeSchema,
  type AdminFacilityNotices,
  type FacilityNotice,
  type FacilityNoticeRequest,
} from '../../../protocol/facility-notices.ts';
import { parsed, request, type ApiResult } from '../../../ui/http-client.ts';

/** The facility notices' admin routes (edge-hub/admin/facility-notice-routes.ts) as the app calls them. */

const TIMEOUT_MS = 15_000;

export async function getFacilityNotices(): Promise<ApiResult<AdminFacilityNotices>> {
  return parsed(
    await request('GET', '/api/admin/facility-notices', undefined, TIMEOUT_MS),
    AdminFacilityNoticesSchema,
  );
}

export async function publishFacilityNotice(body: FacilityNoticeRequest): Promise<ApiResult<FacilityNotice>> {
  return parsed(
    await request('POST', '/api/admin/facility-notices', { json: body }, TIMEOUT_MS),
    FacilityNoticeSchema,
  );
}

export async function withdrawFacilityNotice(id: string): Promise<ApiResult<FacilityNotice>> {
  return parsed(
    await request(
      'POST',
      `/api/admin/facility-notices/${encodeURIComponent(id)}/withdraw`,
      { json: {} },
      TIMEOUT_MS,
    ),
    FacilityNoticeSchema,
  );
}
