import type { AdminAuditPage } from '../../protocol/admin.ts';
import { directorCookie, startAdminTestHub, type AdminTestHub } from './hub.ts';
import { capturingLogger } from './logs.ts';

/** Shared by the in-process admin route tests (edge-hub/admin/*-routes.test.ts). */

/** The `error.code` of an HTTP error answer. */
export const errorCode = async (res: Response): Promise<string> =>
  ((await res.json()) as { error: { code: string } }).error.code;

/** An admin test hub with the director's session cookie. */
export interface AdminRoutesHub extends AdminTestHub {
  cookie: string;
}

/**
 * startAdminTestHub (with `setup`) logging at trace level into `logLines`, for the tests that look for
 * names, PINs or tokens in the log, and the director signed in.
 */
export async function startAdminRoutesHub(
  logLines: string[],
  setup: NonNullable<Parameters<typeof startAdminTestHub>[0]> = {},
): Promise<AdminRoutesHub> {
  const t = await startAdminTestHub({
    ...setup,
    options: { ...setup.options, logger: capturingLogger('trace', logLines).logger },
  });
  return { ...t, cookie: await directorCookie(t.base) };
}

/** The last 200 entries of the audit log, as the director reads them. */
export async function adminAudit(base: string, cookie: string): Promise<AdminAuditPage['entries']> {
  const res = await fetch(`${base}/api/admin/audit?limit=200`, { headers: { cookie } });
  return ((await res.json()) as AdminAuditPage).entries;
}
