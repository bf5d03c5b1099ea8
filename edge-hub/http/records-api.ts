import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuthError, ForbiddenError, ValidationError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import {
  CorrectionRequestSchema,
  describeIssues,
  ErrorCodes,
  IdSchema,
  MonthCloseRequestSchema,
  MonthSchema,
  type Months,
} from '../../protocol/index.ts';
import { adminSessionOf } from '../admin/api.ts';
import type { AdminAuth, AdminContext } from '../admin/auth.ts';
import { requireSameOrigin } from './web-app.ts';
import type { RecordsVia } from '../records/context.ts';
import type { Records } from '../records/service.ts';

/** Largest body of a records request: a correction is a few short fields. */
export const RECORDS_BODY_LIMIT = 16 * 1024;

/**
 * The same bodies from the admin app's session: `actor` may be left out (it is the signed-in staff
 * member), and when given must be them.
 */
export const SessionCorrectionRequestSchema = CorrectionRequestSchema.extend({ actor: IdSchema.optional() });
export const SessionMonthCloseRequestSchema = MonthCloseRequestSchema.extend({ actor: IdSchema.optional() });

/** Routes that take the admin bearer token or an admin app session (checked by each route). */
export function isRecordsPath(url: string): boolean {
  return (
    url === '/api/corrections' ||
    url === '/api/open-days' ||
    url === '/api/months' ||
    url.startsWith('/api/months/')
  );
}

/**
 * The admin session a records request comes with instead of the bearer token: only without an
 * Authorization header, so that a wrong token is refused whatever the cookie.
 */
export function recordsSessionOf(auth: AdminAuth | undefined, req: FastifyRequest): AdminContext | undefined {
  if (auth === undefined || req.headers.authorization !== undefined) return undefined;
  return adminSessionOf(auth, req);
}

type Caller = { via: 'api' } | { via: 'admin'; staffId: string };

export interface RecordsApiOptions {
  records: Records;
  /** The admin app's sessions; undefined on a hub without the admin app (token only). */
  adminAuth: AdminAuth | undefined;
}

/**
 * POST /api/corrections, GET /api/open-days, GET /api/months, POST /api/months/M/close. The hub's hook
 * lets a request through with the admin token, or without an Authorization header with a live admin
 * session (recordsSessionOf); a session's writes must come from the admin app's origin.
 */
export function registerRecordsApi(
  app: FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>,
  options: RecordsApiOptions,
): void {
  const { records, adminAuth } = options;

  const callerOf = (req: FastifyRequest, writes: boolean): Caller => {
    if (req.headers.authorization !== undefined) return { via: 'api' }; // checked by the hook
    const session = recordsSessionOf(adminAuth, req);
    // The session ended between the hook and here.
    if (!session) throw new AuthError(ErrorCodes.unauthorized, 'missing bearer token', 'Bearer');
    if (writes) requireSameOrigin(req);
    return { via: 'admin', staffId: session.staffId };
  };
  /** The actor of a session's request: the signed-in staff member, whom `actor` may only repeat. */
  const sessionActor = (caller: Caller & { via: 'admin' }, actor: string | undefined): string => {
    if (actor !== undefined && actor !== caller.staffId) {
      throw new ForbiddenError(ErrorCodes.forbidden, 'actor must be the signed-in staff member');
    }
    return caller.staffId;
  };
  const bad = (message: string, field?: string) => new ValidationError(ErrorCodes.badRequest, message, field);

  app.post('/api/corrections', { bodyLimit: RECORDS_BODY_LIMIT }, (req) => {
    const caller = callerOf(req, true);
    const via: RecordsVia = caller.via;
    if (caller.via === 'api') {
      const parsed = CorrectionRequestSchema.safeParse(req.body);
      if (!parsed.success) throw bad(describeIssues(parsed.error));
      return records.correct(parsed.data, via);
    }
    const parsed = SessionCorrectionRequestSchema.safeParse(req.body);
    if (!parsed.success) throw bad(describeIssues(parsed.error));
    return records.correct({ ...parsed.data, actor: sessionActor(caller, parsed.data.actor) }, via);
  });

  app.get<{ Querystring: { month?: unknown } }>('/api/open-days', (req) => {
    callerOf(req, false);
    const month = req.query.month ?? records.today().slice(0, 7);
    const parsed = MonthSchema.safeParse(month);
    if (!parsed.success) throw bad('month must be a month written YYYY-MM', 'month');
    return records.openDays(parsed.data);
  });

  app.get('/api/months', (req): Months => {
    callerOf(req, false);
    return { months: records.months() };
  });

  app.post<{ Params: { month: string } }>(
    '/api/months/:month/close',
    { bodyLimit: RECORDS_BODY_LIMIT },
    (req) => {
      const caller = callerOf(req, true);
      const month = MonthSchema.safeParse(req.params.month);
      if (!month.success) throw bad('the month must be written YYYY-MM', 'month');
      const body: unknown = req.body ?? {};
      if (caller.via === 'api') {
        const parsed = MonthCloseRequestSchema.safeParse(body);
        if (!parsed.success) throw bad(describeIssues(parsed.error));
        return records.closeMonth(month.data, parsed.data.actor, caller.via);
      }
      const parsed = SessionMonthCloseRequestSchema.safeParse(body);
      if (!parsed.success) throw bad(describeIssues(parsed.error));
      return records.closeMonth(month.data, sessionActor(caller, parsed.data.actor), caller.via);
    },
  );
}
