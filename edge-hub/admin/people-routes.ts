import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ForbiddenError, GenkanError, NotFoundError, ValidationError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { formatRfc3339, type Clock } from '../../common/time.ts';
import {
  QR_SHEET_PATH,
  type AdminAuditNamedPage,
  type AdminTabletSessions,
  type AdminToday,
} from '../../protocol/admin-dashboard.ts';
import type { RelayHealth } from '../../protocol/admin.ts';
import { ErrorCodes } from '../../protocol/index.ts';
import { IdSchema } from '../../protocol/primitives.ts';
import { SESSION_IDLE_MS } from '../access/staff.ts';
import { MAX_QR_DAYS } from '../facility/qr-card.ts';
import { issueQrSheet } from '../facility/qr-sheet.ts';
import type { AdminContext } from './auth.ts';
import { nameAuditEntries, type AuditNamesStore } from './audit-names.ts';
import { todayNumbers, type TodayStore } from './today.ts';
import { contentDisposition, fileNamePart } from '../../common/content-disposition.ts';

export interface PeopleRoutesOptions {
  store: TodayStore & StoreWithQr & AuditNamesStore;
  clock: Clock;
  timeZone: string;
  logger: Logger;
  /** The request's signed-in admin; throws not_signed_in (401) without one. */
  adminOf: (req: FastifyRequest) => AdminContext;
  relayHealth: () => RelayHealth;
}

type StoreWithQr = Parameters<typeof issueQrSheet>[0];

/** Most audit entries in one page of GET /api/admin/audit. */
export const AUDIT_PAGE_MAX = 200;

/** A query value given once, or undefined; a repeated one is refused. */
function single(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ValidationError(ErrorCodes.badRequest, `give ${name} once`, name);
  return value;
}

/**
 * The admin app's views for people (registered by edge-hub/admin/api.ts): the audit log with names, today's
 * numbers for the overview, the tablets in use for the devices page, and the QR card sheet of `genkan qr sheet` as a download. Logs
 * and audit entries carry ids and counts only.
 */
export function registerPeopleRoutes(
  app: FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>,
  options: PeopleRoutesOptions,
): void {
  const { store, clock, timeZone, adminOf } = options;

  // Newest first; names next to the ids, for the page only: the log itself keeps ids.
  app.get<{ Querystring: { before?: string; limit?: string } }>('/api/admin/audit', (req, reply) => {
    adminOf(req);
    const before = req.query.before === undefined ? undefined : Number(req.query.before);
    const limit = req.query.limit === undefined ? 50 : Number(req.query.limit);
    if (
      (before !== undefined && !Number.isSafeInteger(before)) ||
      !Number.isInteger(limit) ||
      limit < 1 ||
      limit > AUDIT_PAGE_MAX
    ) {
      throw new ValidationError(ErrorCodes.badRequest, `before must be an id and limit 1–${AUDIT_PAGE_MAX}`);
    }
    const entries = store.audit.page(before, limit);
    const last = entries[entries.length - 1];
    const page: AdminAuditNamedPage = {
      entries: nameAuditEntries(store, entries),
      nextBefore: entries.length === limit && last ? last.id : null,
    };
    return reply.send(page);
  });

  app.get('/api/admin/today', (req, reply) => {
    adminOf(req);
    const answer: AdminToday = todayNumbers(store, {
      clock,
      timeZone,
      logger: options.logger,
      relay: options.relayHealth(),
    });
    return reply.send(answer);
  });

  // Live sessions only, by the tablets' own rule (edge-hub/access/staff.ts): idle for an hour, past their
  // end, or of a disabled account, a session is over even before it is pruned.
  app.get('/api/admin/tablet-sessions', (req, reply) => {
    adminOf(req);
    const now = clock.now();
    const names = store.people.staffNames();
    const sessions = store.people.tabletSessions().filter((s) => {
      const end = Math.min(Date.parse(s.lastSeenAt) + SESSION_IDLE_MS, Date.parse(s.expiresAt));
      const staff = store.people.staff(s.staffId);
      return now.getTime() < end && staff !== undefined && !staff.disabled;
    });
    const answer: AdminTabletSessions = {
      now: formatRfc3339(now, timeZone),
      sessions: sessions.map((s) => ({
        deviceId: s.deviceId,
        staffId: s.staffId,
        staffName: names.get(s.staffId) ?? null,
        since: formatRfc3339(new Date(s.createdAt), timeZone),
        lastSeen: formatRfc3339(new Date(s.lastSeenAt), timeZone),
      })),
    };
    return reply.send(answer);
  });

  // A GET, so that the browser downloads it as a file. It signs codes and audits them: a request another
  // site started is refused (the SameSite=Strict cookie already keeps most of them out).
  app.get<{ Querystring: Record<string, unknown> }>(QR_SHEET_PATH, async (req, reply) => {
    const site = req.headers['sec-fetch-site'];
    if (site === 'cross-site' || site === 'same-site') {
      throw new ForbiddenError(ErrorCodes.forbidden, 'request from another origin');
    }
    const ctx = adminOf(req);
    const classId = single(req.query['class'], 'class');
    if (classId !== undefined && !IdSchema.safeParse(classId).success) {
      throw new ValidationError(ErrorCodes.badRequest, 'class must be a class id', 'class');
    }
    const daysText = single(req.query['days'], 'days');
    const days = daysText === undefined ? undefined : Number(daysText);
    if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > MAX_QR_DAYS)) {
      throw new ValidationError(
        ErrorCodes.badRequest,
        `days must be a whole number from 1 to ${String(MAX_QR_DAYS)}`,
        'days',
      );
    }
    let sheet;
    try {
      sheet = await issueQrSheet(store, {
        clock,
        ...(classId !== undefined && { classId }),
        ...(days !== undefined && { days }),
        auditor: { actorKind: 'staff', actorId: ctx.staffId, action: 'admin.qr_sheet' },
      });
    } catch (err) {
      // Nothing to print is the director's to know, not a failure of the hub.
      if (err instanceof GenkanError && err.code === 'no_guardians') {
        throw new NotFoundError('no_guardians', err.message);
      }
      throw err;
    }
    req.log.info(
      { staffId: ctx.staffId, classId: classId ?? null, cards: sheet.cards, pages: sheet.pages },
      'QR sheet issued',
    );
    const meta = store.facility.meta();
    const facility = meta.facilityName ?? meta.facilityId ?? '';
    const className =
      classId === undefined ? undefined : store.roster.read().classes.find((c) => c.id === classId)?.name;
    const name = ['QRカード', facility, className]
      .map((p) => fileNamePart(p ?? ''))
      .filter((p) => p !== '')
      .join('_');
    return reply
      .type('application/pdf')
      .header(
        'content-disposition',
        contentDisposition(classId === undefined ? 'qr-cards.pdf' : `qr-cards-${classId}.pdf`, `${name}.pdf`),
      )
      .send(sheet.pdf);
  });
}
