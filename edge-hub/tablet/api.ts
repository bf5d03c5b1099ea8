import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { WebSocketServer } from 'ws';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { localDate, type Clock } from '../../common/time.ts';
import type { WebBundle } from '../../common/web-bundle.ts';
import { originOk, parseCookies, requireSameOrigin, serveWebApp } from '../http/web-app.ts';
import { isSecureRequest } from '../http/listeners.ts';
import {
  describeIssues,
  DEVICE_COOKIE,
  ErrorCodes,
  IdSchema,
  SESSION_COOKIE,
  SignInRequestSchema,
  StaffOnDutySchema,
  TabletActionSchema,
  TabletDeviceRequestSchema,
  type TabletRollcall,
} from '../../protocol/index.ts';
import {
  DEVICE_COOKIE_MAX_AGE_S,
  NotSignedInError,
  SESSION_MAX_MS,
  type SessionContext,
  type StaffAuth,
} from '../access/staff.ts';
import type { NoticeConfirmations } from '../parents/notice-confirm.ts';
import type { PickupConfirmations } from '../parents/pickup-confirm.ts';
import { sendPickupPhoto } from '../http/pickup-photo.ts';
import type { TabletActions } from './actions.ts';
import type { TabletPush } from './push.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';

export interface TabletApiOptions {
  store: StoreOf<'people' | 'audit' | 'pickups'> & Transactional;
  clock: Clock;
  timeZone: string;
  logger: Logger;
  auth: StaffAuth;
  actions: TabletActions;
  /** Staff's confirmations (確認) of parents' notices. */
  notices: NoticeConfirmations;
  /** Staff's confirmations (確認) of parents' pickup plans. */
  pickups: PickupConfirmations;
  push: TabletPush;
  view: () => TabletRollcall;
  /** Class ids on the current roster. */
  hasClass: (classId: string) => boolean;
  /** The bundled tablet app; undefined while it is not there (GET /tablet answers 503). */
  app: WebBundle | undefined;
}

/** Largest body of a tablet request: a staff action with a 500-character note, and then some. */
export const TABLET_BODY_LIMIT = 16 * 1024;

/** Paths the tablet cookies authenticate (not the admin bearer token). */
export function isTabletPath(url: string): boolean {
  return (
    url === '/api/session' ||
    url.startsWith('/api/tablet/') ||
    url === '/tablet' ||
    url.startsWith('/tablet/')
  );
}

function cookie(name: string, value: string, maxAgeS: number, secure: boolean): string {
  return `${name}=${value}; Max-Age=${maxAgeS}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** Registers the tablet's routes and its WebSocket on the hub's HTTP server. */
export function registerTabletApi(
  app: FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>,
  options: TabletApiOptions,
): void {
  const { auth, store, clock, timeZone } = options;
  const logger = options.logger;

  const deviceOf = (req: FastifyRequest): string =>
    auth.device(parseCookies(req.headers.cookie).get(DEVICE_COOKIE));

  /** Both cookies, or a 401 that says nothing about the roll-call. */
  const sessionOf = (req: FastifyRequest): SessionContext => {
    const deviceId = deviceOf(req);
    const ctx = auth.session(deviceId, parseCookies(req.headers.cookie).get(SESSION_COOKIE));
    if (!ctx) throw new NotSignedInError();
    return ctx;
  };

  const checkOrigin = requireSameOrigin;

  // Over HTTPS (here or, with --trust-proxy, at the proxy) the cookies never travel in clear.
  const secure = (req: FastifyRequest) => isSecureRequest(req);

  app.post('/api/tablet/device', { bodyLimit: TABLET_BODY_LIMIT }, (req, reply) => {
    checkOrigin(req);
    const parsed = TabletDeviceRequestSchema.safeParse(req.body);
    if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
    try {
      const token = auth.setUpDevice(parsed.data, req.ip);
      req.log.info({ deviceId: parsed.data.deviceId }, 'tablet set up');
      return reply
        .header('set-cookie', cookie(DEVICE_COOKIE, token, DEVICE_COOKIE_MAX_AGE_S, secure(req)))
        .code(204)
        .send();
    } catch (err) {
      req.log.warn(
        { deviceId: parsed.data.deviceId, code: (err as { code?: unknown }).code },
        'tablet set-up refused',
      );
      throw err;
    }
  });

  app.post('/api/session', { bodyLimit: TABLET_BODY_LIMIT }, async (req, reply) => {
    checkOrigin(req);
    const deviceId = deviceOf(req);
    const parsed = SignInRequestSchema.safeParse(req.body);
    if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
    const signed = await auth.signIn(deviceId, parsed.data);
    req.log.info({ deviceId, staffId: signed.info.staff.id }, 'staff signed in');
    return reply
      .header('set-cookie', cookie(SESSION_COOKIE, signed.token, SESSION_MAX_MS / 1000, secure(req)))
      .header('cache-control', 'no-store')
      .send(signed.info);
  });

  app.get('/api/session', (req, reply) => {
    const ctx = sessionOf(req);
    return reply.header('cache-control', 'no-store').send(ctx.info);
  });

  app.delete('/api/session', (req, reply) => {
    checkOrigin(req);
    const ctx = sessionOf(req);
    auth.signOut(ctx);
    options.push.endSession(ctx.tokenHash);
    return reply
      .header('set-cookie', cookie(SESSION_COOKIE, '', 0, secure(req)))
      .code(204)
      .send();
  });

  app.get('/api/tablet/rollcall', (req, reply) => {
    sessionOf(req);
    return reply.header('cache-control', 'no-store').send(options.view());
  });

  app.post('/api/tablet/actions', { bodyLimit: TABLET_BODY_LIMIT }, (req, reply) => {
    checkOrigin(req);
    const ctx = sessionOf(req);
    const parsed = TabletActionSchema.safeParse(req.body);
    if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
    const result = options.actions.perform({ staffId: ctx.staff.id, deviceId: ctx.deviceId }, parsed.data);
    // An absence with `until` answers every day's event too.
    const range = parsed.data.op === 'absent' && parsed.data.until !== undefined;
    return reply
      .header('cache-control', 'no-store')
      .send(range ? { event: result.event, events: result.events } : { event: result.event });
  });

  // 確認 of a parent's notice; confirming it again answers the same (the first confirmation is kept).
  app.post<{ Params: { id: string } }>('/api/tablet/notices/:id/read', (req, reply) => {
    checkOrigin(req);
    const ctx = sessionOf(req);
    const id = z.uuid().safeParse(req.params.id);
    if (!id.success) throw new NotFoundError('unknown_notice', 'no such parent notice');
    const notice = options.notices.confirm({ staffId: ctx.staff.id, deviceId: ctx.deviceId }, id.data);
    return reply.header('cache-control', 'no-store').send(notice);
  });

  // 確認 of a parent's pickup plan, as of a notice (every child of the plan at once).
  app.post<{ Params: { id: string } }>('/api/tablet/pickups/:id/read', (req, reply) => {
    checkOrigin(req);
    const ctx = sessionOf(req);
    const id = z.uuid().safeParse(req.params.id);
    if (!id.success) throw new ValidationError(ErrorCodes.badRequest, 'a pickup plan id is a UUID');
    const plan = options.pickups.confirm({ staffId: ctx.staff.id, deviceId: ctx.deviceId }, id.data);
    return reply.header('cache-control', 'no-store').send(plan);
  });

  // The photo of a pickup person the admin added (staff check who comes); it never leaves the hub.
  app.get<{ Params: { id: string } }>('/api/tablet/pickup-people/:id/photo', (req, reply) => {
    sessionOf(req);
    return sendPickupPhoto(store.pickups, req.params.id, reply);
  });

  app.put<{ Params: { classId: string } }>(
    '/api/tablet/classes/:classId/staff',
    { bodyLimit: TABLET_BODY_LIMIT },
    (req, reply) => {
      checkOrigin(req);
      const ctx = sessionOf(req);
      const classId = IdSchema.safeParse(req.params.classId);
      if (!classId.success || !options.hasClass(classId.data)) {
        throw new NotFoundError(ErrorCodes.unknownClass, 'no such class on the roster');
      }
      const parsed = StaffOnDutySchema.safeParse(req.body);
      if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
      const date = localDate(clock.now(), timeZone);
      store.transaction(() => {
        const before = store.people.setStaffOnDuty(classId.data, date, parsed.data.count, ctx.staff.id);
        store.audit.append({
          actorKind: 'staff',
          actorId: ctx.staff.id,
          action: 'tablet.staff_on_duty',
          subject: `class:${classId.data}`,
          deviceId: ctx.deviceId,
          outcome: 'ok',
          before: before === undefined ? null : { date, count: before },
          after: { date, count: parsed.data.count },
        });
      });
      options.push.changed();
      return reply.code(204).send();
    },
  );

  serveWebApp(app, '/tablet', options.app, 'tablet_app_unavailable');

  // The push channel: upgraded here, outside fastify's routing (ws, noServer).
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const refuse = (status: number, why: string): void => {
      logger.warn({ status }, 'tablet push connection refused');
      socket.end(`HTTP/1.1 ${status} ${why}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if ((req.url ?? '').split('?')[0] !== '/tablet/ws') {
      refuse(404, 'Not Found');
      return;
    }
    if (!originOk(req.headers.origin, req.headers.host, true)) {
      refuse(403, 'Forbidden');
      return;
    }
    let ctx: SessionContext | undefined;
    try {
      const cookies = parseCookies(req.headers.cookie);
      ctx = auth.session(auth.device(cookies.get(DEVICE_COOKIE)), cookies.get(SESSION_COOKIE));
    } catch {
      ctx = undefined;
    }
    if (!ctx) {
      refuse(401, 'Unauthorized');
      return;
    }
    const tokenHash = ctx.tokenHash;
    sockets.handleUpgrade(req, socket, head, (ws) => {
      const remove = options.push.add(ws, tokenHash);
      // The tablet sends nothing on this channel; anything it sends is ignored.
      ws.on('close', remove);
      ws.on('error', (err) => {
        logger.warn({ err }, 'tablet push connection failed');
      });
    });
  };
  app.server.on('upgrade', onUpgrade);
  app.addHook('onClose', () => {
    app.server.off('upgrade', onUpgrade);
    sockets.close();
  });
}
