import { z } from 'zod';
import {
  AdminAuditNamedPageSchema,
  AdminTabletSessionsSchema,
  AdminTodaySchema,
  QR_SHEET_PATH,
  type AdminAuditNamedPage,
  type AdminTabletSessions,
  type AdminToday,
} from '../../../protocol/admin-dashboard.ts';
import {
  AdminCardRemovedSchema,
  AdminChartSchema,
  AdminDeviceRemovedSchema,
  AdminDevicesSchema,
  AdminGuardianCardsSchema,
  AdminGuardianPinSchema,
  AdminGuardianQrSchema,
  AdminPairingSchema,
  AdminQrRevokedSchema,
  AdminRecordsHealthSchema,
  AdminRosterSchema,
  AdminSessionInfoSchema,
  ImportJobSchema,
  ImportStartedSchema,
  type AdminCardRemoved,
  type AdminChart,
  type AdminDevice,
  type AdminDeviceRemoved,
  type AdminGuardianCards,
  type AdminGuardianPin,
  type AdminGuardianQr,
  type AdminPairingRequest,
  type AdminPairing,
  type AdminQrRevoked,
  type AdminRecordsHealth,
  type AdminRoster,
  type AdminSessionInfo,
  type AdminSignInRequest,
  type ImportJob,
} from '../../../protocol/admin.ts';
import {
  CorrectionResultSchema,
  MonthsSchema,
  MonthStateSchema,
  OpenDaysSchema,
  type CorrectionRequest,
  type CorrectionResult,
  type Months,
  type MonthState,
  type OpenDays,
} from '../../../protocol/history.ts';
import { ParentInviteResultSchema } from '../../../protocol/parents.ts';
import { ROLLCALL_STATUSES } from '../../../protocol/primitives.ts';
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
} from '../../../ui/http-client.ts';

/** The hub's admin API as the app uses it (the session cookie is HttpOnly; see ui/http-client.ts). */
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

/**
 * `file`: the roster file's bytes as chosen (the hub reads UTF-8, Shift_JIS and XLSX); `effective`: the
 * day the roster takes effect from (YYYY-MM-DD).
 */
export async function startImport(
  file: Blob,
  dryRun: boolean,
  effective: string,
): Promise<ApiResult<{ jobId: string }>> {
  const q = new URLSearchParams({ dryRun: String(dryRun), effective });
  return parsed(
    await request('POST', `/api/admin/roster/imports?${q.toString()}`, { file }),
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

/** Sets (pin: a string of 4–8 digits) or clears (null) a guardian's kiosk PIN. */
export async function setGuardianPin(
  guardianId: string,
  pin: string | null,
): Promise<ApiResult<AdminGuardianPin>> {
  const path = `/api/admin/guardians/${encodeURIComponent(guardianId)}/pin`;
  return parsed(
    await (pin === null ? request('DELETE', path) : request('PUT', path, { json: { pin } })),
    AdminGuardianPinSchema,
  );
}

/** Revokes every QR code issued to the guardian so far. */
export async function revokeGuardianQr(guardianId: string): Promise<ApiResult<AdminQrRevoked>> {
  return parsed(
    await request('POST', `/api/admin/guardians/${encodeURIComponent(guardianId)}/qr/revoke`, { json: {} }),
    AdminQrRevokedSchema,
  );
}

/** The guardian's cards, as keyed hashes. */
export async function getGuardianCards(guardianId: string): Promise<ApiResult<AdminGuardianCards>> {
  return parsed(
    await request('GET', `/api/admin/guardians/${encodeURIComponent(guardianId)}/cards`),
    AdminGuardianCardsSchema,
  );
}

/** POST /api/admin/guardians/G/parent-invite: the invitation link, its expiry and its QR code (SVG). */
const AdminParentInviteSchema = ParentInviteResultSchema.extend({ svg: z.string() });
export type AdminParentInvite = z.infer<typeof AdminParentInviteSchema>;

/** Invites a guardian to the parent app (a new invitation replaces the open one). */
export async function inviteParent(guardianId: string): Promise<ApiResult<AdminParentInvite>> {
  return parsed(
    await request('POST', `/api/admin/guardians/${encodeURIComponent(guardianId)}/parent-invite`, {
      json: {},
    }),
    AdminParentInviteSchema,
  );
}

/** Ends a guardian's access to the parent app (invitation, passkeys, sessions). */
export async function revokeParent(
  guardianId: string,
): Promise<ApiResult<{ guardianId: string; revoked: true }>> {
  return parsed(
    await request('POST', `/api/admin/guardians/${encodeURIComponent(guardianId)}/parent-revoke`, {
      json: {},
    }),
    z.strictObject({ guardianId: z.string(), revoked: z.literal(true) }),
  );
}

/** Removes one of the guardian's cards, named by its keyed hash. */
export async function removeGuardianCard(
  guardianId: string,
  credential: string,
): Promise<ApiResult<AdminCardRemoved>> {
  const path = `/api/admin/guardians/${encodeURIComponent(guardianId)}/cards/${encodeURIComponent(credential)}`;
  return parsed(await request('DELETE', path), AdminCardRemovedSchema);
}

/** Removes a device (a lost kiosk or tablet). */
export async function removeDevice(deviceId: string): Promise<ApiResult<AdminDeviceRemoved>> {
  return parsed(
    await request('DELETE', `/api/admin/devices/${encodeURIComponent(deviceId)}`),
    AdminDeviceRemovedSchema,
  );
}

export async function pairDevice(body: AdminPairingRequest): Promise<ApiResult<AdminPairing>> {
  return parsed(await request('POST', '/api/admin/devices/pairing', { json: body }), AdminPairingSchema);
}

/** The audit log, newest first, with the names the hub knows next to the ids. */
export async function getAudit(before: number | null): Promise<ApiResult<AdminAuditNamedPage>> {
  const q = before === null ? '' : `?before=${String(before)}`;
  return parsed(await request('GET', `/api/admin/audit${q}`), AdminAuditNamedPageSchema);
}

/** Today's numbers for the overview. */
export async function getToday(): Promise<ApiResult<AdminToday>> {
  return parsed(await request('GET', '/api/admin/today'), AdminTodaySchema);
}

/** Who is signed in on which tablet. */
export async function getTabletSessions(): Promise<ApiResult<AdminTabletSessions>> {
  return parsed(await request('GET', '/api/admin/tablet-sessions'), AdminTabletSessionsSchema);
}

/** Where the QR card sheet downloads from (a link: the browser saves the PDF); null: every class. */
export function qrSheetUrl(classId: string | null): string {
  return classId === null ? QR_SHEET_PATH : `${QR_SHEET_PATH}?class=${encodeURIComponent(classId)}`;
}

export async function getChart(date: string): Promise<ApiResult<AdminChart>> {
  return parsed(await request('GET', `/api/admin/chart?date=${encodeURIComponent(date)}`), AdminChartSchema);
}

export async function getRecordsHealth(): Promise<ApiResult<AdminRecordsHealth>> {
  return parsed(await request('GET', '/api/admin/records-health'), AdminRecordsHealthSchema);
}

export async function getOpenDays(month: string): Promise<ApiResult<OpenDays>> {
  return parsed(await request('GET', `/api/open-days?month=${encodeURIComponent(month)}`), OpenDaysSchema);
}

/** A correction of a past day; the signed-in director is its actor. */
export async function postCorrection(
  body: Omit<CorrectionRequest, 'actor'>,
): Promise<ApiResult<CorrectionResult>> {
  return parsed(await request('POST', '/api/corrections', { json: body }), CorrectionResultSchema);
}

export async function getMonths(): Promise<ApiResult<Months>> {
  return parsed(await request('GET', '/api/months'), MonthsSchema);
}

/** Closes a month; the signed-in director is who closed it. */
export async function closeMonth(month: string): Promise<ApiResult<MonthState>> {
  return parsed(
    await request('POST', `/api/months/${encodeURIComponent(month)}/close`, { json: {} }),
    MonthStateSchema,
  );
}

/**
 * What the pages read of the ledgers' JSON: names (also of children who have left since) and the recorded
 * times. Not strict: the ledgers carry more than this.
 */
const DailyRowsSchema = z.object({
  rows: z.array(
    z.object({
      class_name: z.string(),
      child_id: z.string(),
      child_name: z.string(),
      status: z.enum(ROLLCALL_STATUSES),
      check_in: z.string().nullable(),
      check_out: z.string().nullable(),
      note: z.string(),
    }),
  ),
});
export type DailyRows = z.infer<typeof DailyRowsSchema>;

const MonthlyRowsSchema = z.object({
  rows: z.array(
    z.object({
      class_name: z.string(),
      child_id: z.string(),
      child_name: z.string(),
      days: z.array(z.string()),
    }),
  ),
});
export type MonthlyRows = z.infer<typeof MonthlyRowsSchema>;

export async function getDailyLedger(date: string): Promise<ApiResult<DailyRows>> {
  return parsed(
    await request('GET', `/api/ledger/daily?date=${encodeURIComponent(date)}&format=json`),
    DailyRowsSchema,
  );
}

export async function getMonthlyLedger(month: string): Promise<ApiResult<MonthlyRows>> {
  return parsed(
    await request('GET', `/api/ledger/monthly?month=${encodeURIComponent(month)}&format=json`),
    MonthlyRowsSchema,
  );
}
