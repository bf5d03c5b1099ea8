import { DailyStaffingReportSchema, type DailyStaffingReport } from '../../../protocol/staffing.ts';
import { parsed, request, type ApiResult } from '../../../ui/http-client.ts';

/** GET /api/staffing/daily with the admin session (see edge-hub/staffing/routes.ts). */

export function staffingReportUrl(date: string, format: 'json' | 'csv', lang?: 'ja' | 'en'): string {
  const q = new URLSearchParams({ date, format });
  if (lang !== undefined) q.set('lang', lang);
  return `/api/staffing/daily?${q.toString()}`;
}

export async function getStaffingReport(date: string): Promise<ApiResult<DailyStaffingReport>> {
  return parsed(
    await request('GET', staffingReportUrl(date, 'json'), undefined, 15_000),
    DailyStaffingReportSchema,
  );
}
