import {
  AdminAuditPageSchema,
  AdminChartSchema,
  AdminDevicesSchema,
  AdminGuardianQrSchema,
  AdminPairingSchema,
  AdminRecordsHealthSchema,
  AdminRosterSchema,
  AdminSessionInfoSchema,
  ImportJobSchema,
  ImportStartedSchema,
  type AdminAuditPage,
  type AdminChart,
  type AdminDevice,
  type AdminGuardianQr,
  type AdminPairingRequest,
  type AdminPairing,
  type AdminRecordsHealth,
  type AdminRoster,
  type AdminSessionInfo,
  type AdminSignInRequest,
  type ImportJob,
} from '../../../protocol/admin.ts';
import {
  FacilitySettingsSchema,
  type FacilitySettings,
  type SettingsPatch,
} from '../../../protocol/settings.ts';

import {
  done,
  parsed,
  request as send,
  type ApiFailure,
  type ApiResult,
  type Body,
} from '../../web/http-client.ts';

/** The hub's admin API as the app uses it (the session cookie is HttpOnly; see web/http-client.ts). */
export type { ApiFailure, ApiResult };

/** Roster files can be large: a longer timeout than the tablet's. */
const TIMEOUT_MS = 30_000;

const request = (method: string, path: string, body?: Body) => send(method, path, body, TIMEOUT_MS);

export async function getSession(): Promise<ApiResult<AdminSessionInfo>> {
  return parsed(await request('GET', '/api/admin/session'), AdminSessionInfoSchema);
}

export async function signIn(body: AdminSignInRequest): Promise<ApiResult<AdminSessionInfo>> {
  return parsed(await request('POST', '/api/admin/session', { json: body }), AdminSessionInfoSchema);
}

export async function signOut(): Promise<ApiResult<null>> {
  return done(await request('DELETE', '/api/admin/session'));
}

export async function startImport(csv: string, dryRun: boolean): Promise<ApiResult<{ jobId: string }>> {
  return parsed(
    await request('POST', `/api/admin/roster/imports?dryRun=${String(dryRun)}`, { csv }),
    ImportStartedSchema,
  );
}

export async function getImport(jobId: string): Promise<ApiResult<ImportJob>> {
  return parsed(
    await request('GET', `/api/admin/roster/imports/${encodeURIComponent(jobId)}`),
    ImportJobSchema,
  );
}

export async function getRoster(): Promise<ApiResult<AdminRoster>> {
  return parsed(await request('GET', '/api/admin/roster'), AdminRosterSchema);
}

export async function getSettings(): Promise<ApiResult<FacilitySettings>> {
  return parsed(await request('GET', '/api/admin/settings'), FacilitySettingsSchema);
}

export async function patchSettings(patch: SettingsPatch): Promise<ApiResult<FacilitySettings>> {
  return parsed(await request('PATCH', '/api/admin/settings', { json: patch }), FacilitySettingsSchema);
}

export async function getDevices(): Promise<ApiResult<{ devices: AdminDevice[] }>> {
  return parsed(await request('GET', '/api/admin/devices'), AdminDevicesSchema);
}

export async function issueGuardianQr(guardianId: string): Promise<ApiResult<AdminGuardianQr>> {
  return parsed(
    await request('POST', `/api/admin/guardians/${encodeURIComponent(guardianId)}/qr`, { json: {} }),
    AdminGuardianQrSchema,
  );
}

export async function pairDevice(body: AdminPairingRequest): Promise<ApiResult<AdminPairing>> {
  return parsed(await request('POST', '/api/admin/devices/pairing', { json: body }), AdminPairingSchema);
}

export async function getAudit(before: number | null): Promise<ApiResult<AdminAuditPage>> {
  const q = before === null ? '' : `?before=${String(before)}`;
  return parsed(await request('GET', `/api/admin/audit${q}`), AdminAuditPageSchema);
}

export async function getChart(date: string): Promise<ApiResult<AdminChart>> {
  return parsed(await request('GET', `/api/admin/chart?date=${encodeURIComponent(date)}`), AdminChartSchema);
}

export async function getRecordsHealth(): Promise<ApiResult<AdminRecordsHealth>> {
  return parsed(await request('GET', '/api/admin/records-health'), AdminRecordsHealthSchema);
}
