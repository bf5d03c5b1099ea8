import {
  ParentFacilityNoticesSchema,
  type ParentFacilityNotices,
} from '../../../protocol/facility-notices.ts';
import { done, parsed, request, type ApiResult } from './http.ts';

export type FacilityNoticeItem = ParentFacilityNotices['notices'][number];

/** The facility's notices for this parent, newest first, each with when this parent confirmed it. */
export async function getFacilityNotices(): Promise<ApiResult<readonly FacilityNoticeItem[]>> {
  const list = await parsed(
    await request('GET', '/parent/api/facility-notices'),
    ParentFacilityNoticesSchema,
  );
  return list.ok ? { ok: true, value: list.value.notices } : list;
}

/** 確認しました: the parent read the notice (idempotent at the cloud: the first read is kept). */
export async function markFacilityNoticeRead(id: string): Promise<ApiResult<null>> {
  return done(await request('POST', `/parent/api/facility-notices/${encodeURIComponent(id)}/read`));
}
