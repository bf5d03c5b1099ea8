import { TabletParentNoticeSchema, type TabletParentNotice } from '../../../protocol/parent-notices.ts';
import { TabletPickupPlanSchema, type TabletPickupPlan } from '../../../protocol/parent-pickups.ts';
import {
  SessionInfoSchema,
  TabletRollcallSchema,
  type SessionInfo,
  type SignInRequest,
  type TabletAction,
  type TabletDeviceRequest,
  type TabletRollcall,
} from '../../../protocol/tablet.ts';

import {
  done,
  isUnauthorized,
  parsed,
  request as send,
  type ApiFailure,
  type ApiResult,
} from '../../../ui/http-client.ts';

/** The hub's HTTP API as the tablet uses it (cookies are HttpOnly; see ui/http-client.ts). */
export { isUnauthorized, type ApiFailure, type ApiResult };

const TIMEOUT_MS = 10_000;

const request = (method: string, path: string, body?: unknown) =>
  send(method, path, body === undefined ? undefined : { json: body }, TIMEOUT_MS);

export async function setUpDevice(body: TabletDeviceRequest): Promise<ApiResult<null>> {
  return done(await request('POST', '/api/tablet/device', body));
}

export async function getSession(): Promise<ApiResult<SessionInfo>> {
  return parsed(await request('GET', '/api/session'), SessionInfoSchema);
}

export async function signIn(body: SignInRequest): Promise<ApiResult<SessionInfo>> {
  return parsed(await request('POST', '/api/session', body), SessionInfoSchema);
}

export async function signOut(): Promise<ApiResult<null>> {
  return done(await request('DELETE', '/api/session'));
}

export async function getRollcall(): Promise<ApiResult<TabletRollcall>> {
  return parsed(await request('GET', '/api/tablet/rollcall'), TabletRollcallSchema);
}

export async function postAction(action: TabletAction): Promise<ApiResult<null>> {
  return done(await request('POST', '/api/tablet/actions', action));
}

export async function putStaffOnDuty(classId: string, count: number): Promise<ApiResult<null>> {
  return done(await request('PUT', `/api/tablet/classes/${encodeURIComponent(classId)}/staff`, { count }));
}

/**
 * POST /api/tablet/notices/:id/read: the signed-in staff member confirms (確認) a parent's notice. The hub
 * answers the updated notice (200) or nothing (204); a second confirmation answers the same as the first.
 */
export async function confirmNotice(id: string): Promise<ApiResult<TabletParentNotice | null>> {
  const result = await request('POST', `/api/tablet/notices/${encodeURIComponent(id)}/read`);
  if (result.ok && result.value.status === 204) return { ok: true, value: null };
  return parsed(result, TabletParentNoticeSchema);
}

/**
 * POST /api/tablet/pickups/:id/read: the signed-in staff member confirms (確認) a parent's pickup plan. The
 * hub answers the updated plan; a second confirmation answers the same as the first.
 */
export async function confirmPickup(id: string): Promise<ApiResult<TabletPickupPlan>> {
  return parsed(
    await request('POST', `/api/tablet/pickups/${encodeURIComponent(id)}/read`),
    TabletPickupPlanSchema,
  );
}

/**
 * A v4 UUID for an action id. crypto.randomUUID exists only in secure contexts, and a hub on the LAN is
 * often plain http://192.168…, so fall back to getRandomValues (available everywhere).
 */
export function newActionId(): string {
  if (typeof crypto.randomUUID === 'function' && window.isSecureContext) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
