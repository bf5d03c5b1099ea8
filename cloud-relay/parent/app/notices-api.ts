import {
  ParentNoticeListSchema,
  ParentNoticeSchema,
  type ParentNotice,
  type ParentNoticeRequest,
} from '../../../protocol/parent-notices.ts';
import { parsed, request, type ApiResult } from './http.ts';

/** The parent's notices (covering today or later, and recent ones), newest first. */
export async function getNotices(): Promise<ApiResult<readonly ParentNotice[]>> {
  const list = await parsed(await request('GET', '/parent/api/notices'), ParentNoticeListSchema);
  return list.ok ? { ok: true, value: list.value.notices } : list;
}

/**
 * Sends a notice; the cloud answers the stored notice. A resend with the same request id (after a lost
 * answer) is stored once and answered the same.
 */
export async function sendNotice(notice: ParentNoticeRequest): Promise<ApiResult<ParentNotice>> {
  return parsed(await request('POST', '/parent/api/notices', notice), ParentNoticeSchema);
}
