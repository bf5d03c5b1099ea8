import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFoundError, UnsupportedFormatError, ValidationError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { formatRfc3339, isValidDate, localDate, localTime, type Clock } from '../../common/time.ts';
import type { WebBundle } from '../../common/web-bundle.ts';
import { compareTimed, NOT_ARRIVED, step, timed, voidedIds, type ChildDay } from '../../common/attendance.ts';
import {
  ADMIN_COOKIE,
  AdminPairingRequestSchema,
  AdminSignInRequestSchema,
  CHART_BUCKET_MINUTES,
  RECORDS_HEALTH_LIST_MAX,
  type AdminChart,
  type AdminPairing,
  type AdminRecordsHealth,
  type AdminRoster,
  type RelayHealth,
} from '../../protocol/admin.ts';
import { describeIssues, ErrorCodes, type AttendanceEvent } from '../../protocol/index.ts';
import type { AdminAuth, AdminContext } from './auth.ts';
import { registerDeviceRoutes } from './device-routes.ts';
import { registerGuardianRoutes } from './guardian-routes.ts';
import { registerFacilityNoticeRoutes } from './facility-notice-routes.ts';
import { registerParentRoutes } from './parent-routes.ts';
import { registerPeopleRoutes } from './people-routes.ts';
import { registerPickupRoutes } from './pickup-routes.ts';
import type { DeviceStatusTracker } from '../mqtt/device-status.ts';
import { issuePairingCode } from '../access/pairing.ts';
import { RELAY_NOT_CONFIGURED, relayWarnings } from '../relay/health.ts';
import { qrMatrix } from '../facility/qr-card.ts';
import type { RosterJobs } from '../facility/roster-job.ts';
import { readSettings, updateSettings } from '../facility/settings.ts';
import { NotSignedInError, tabletPairingUrl } from '../access/staff.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import { parseCookies, requireSameOrigin, serveWebApp } from '../http/web-app.ts';
import { isSecureRequest } from '../http/listeners.ts';

export interface AdminApiOptions {
  store: StoreOf<
    | 'facility'
    | 'events'
    | 'outbox'
    | 'roster'
    | 'devices'
    | 'audit'
    | 'settings'
    | 'history'
    | 'corrections'
    | 'guardianPins'
    | 'revocations'
    | 'people'
    | 'parentAccess'
    | 'pickups'
    | 'facilityNotices'
  > &
    Transactional;
  clock: Clock;
  timeZone: string;
  logger: Logger;
  auth: AdminAuth;
  jobs: RosterJobs;
  devices: DeviceStatusTracker;
  /** Told after the settings changed (the tablets' roll-call reads them). */
  settingsChanged: () => void;
  /** The bundled admin app; undefined when the hub was built without it (GET /admin answers 503). */
  app: WebBundle | undefined;
  /** The cloud relay's health (edge-hub/http/api.ts passes it on); absent: not configured. */
  relayHealth?: () => RelayHealth;
  /** How long parents' messages may fail to arrive before the warning (PARENT_MESSAGES_STALLED_SECONDS). */
  parentMessagesStalledSeconds?: number;
  /** The hub's CA fingerprint, carried by pairing codes issued over HTTPS (protocol/pairing.ts). */
  tlsFingerprint?: string;
}

/** Largest roster file: tens of thousands of rows fit. */
export const ROSTER_BODY_LIMIT = 5 * 1024 * 1024;
/** A roster file's types: CSV (any encoding decodeRosterFile reads) or an XLSX workbook. */
const ROSTER_CONTENT_TYPES = [
  'text/csv',
  'application/octet-stream',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
];
/** Largest JSON body of an admin request (settings of 100 classes fit many times over). */
export const ADMIN_BODY_LIMIT = 64 * 1024;

/** Paths the admin cookie authenticates (not the admin bearer token). */
export function isAdminPath(url: string): boolean {
  return url === '/admin' || url.startsWith('/admin/') || url.startsWith('/api/admin/');
}

/** The live admin session of a request's `genkan_admin` cookie (touching it), or undefined. */
export function adminSessionOf(auth: AdminAuth, req: FastifyRequest): AdminContext | undefined {
  return auth.session(parseCookies(req.headers.cookie).get(ADMIN_COOKIE));
}

function cookie(value: string, maxAgeS: number, secure: boolean): string {
  return `${ADMIN_COOKIE}=${value}; Max-Age=${maxAgeS}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** The QR symbol of `text` as a standalone SVG (one path, four modules of quiet zone). */
export function qrSvg(text: string, moduleSize = 6): string {
  const { size, dark } = qrMatrix(text);
  const quiet = 4;
  const full = (size + quiet * 2) * moduleSize;
  let d = '';
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      if (dark(r, c))
        d += `M${(c + quiet) * moduleSize} ${(r + quiet) * moduleSize}h${moduleSize}v${moduleSize}h-${moduleSize}z`;
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${full}" height="${full}" viewBox="0 0 ${full} ${full}"><rect width="100%" height="100%" fill="#fff"/><path fill="#000" d="${d}"/></svg>`;
}

/**
 * Arrivals per 15 minutes (each child's first check-in of the day that is not voided) and the children
 * present at the end of each 15 minutes, from the day's events with voids applied (the roll-call fold).
 * For today the series stop at the current quarter hour.
 */
export function attendanceChart(
  events: readonly AttendanceEvent[],
  options: { date: string; timeZone: string; expected: number; now: Date },
): AdminChart {
  const buckets = (24 * 60) / CHART_BUCKET_MINUTES;
  const today = localDate(options.now, options.timeZone);
  const minuteOf = (instant: string | Date) => {
    const [h, m] = localTime(instant, options.timeZone).split(':').map(Number);
    return (h ?? 0) * 60 + (m ?? 0);
  };
  const length =
    options.date > today
      ? 0
      : options.date < today
        ? buckets
        : Math.floor(minuteOf(options.now) / CHART_BUCKET_MINUTES) + 1;
  const arrivals = new Array<number>(length).fill(0);
  const present = new Array<number>(length).fill(0);
  const byChild = new Map<string, AttendanceEvent[]>();
  for (const e of events) {
    const list = byChild.get(e.childId);
    if (list) list.push(e);
    else byChild.set(e.childId, [e]);
  }
  for (const list of byChild.values()) {
    const sorted = list.map(timed).sort(compareTimed);
    // The fold's own void rule (a voided void brings its target back).
    const removed = voidedIds(list);
    let day: ChildDay = NOT_ARRIVED;
    let b = 0;
    for (const t of sorted) {
      if (
        t.e.type === 'void' ||
        removed.has(t.e.id) ||
        localDate(t.e.occurredAt, options.timeZone) !== options.date
      )
        continue;
      const bucket = Math.floor(minuteOf(t.e.occurredAt) / CHART_BUCKET_MINUTES);
      for (; b < bucket && b < length; b++) if (day.status === 'present') present[b] = (present[b] ?? 0) + 1;
      const before = day;
      day = step(day, t.e);
      if (before.checkInAt === null && day.checkInAt !== null && bucket < length) {
        arrivals[bucket] = (arrivals[bucket] ?? 0) + 1;
      }
    }
    for (; b < length; b++) if (day.status === 'present') present[b] = (present[b] ?? 0) + 1;
  }
  return {
    date: options.date,
    bucketMinutes: CHART_BUCKET_MINUTES,
    arrivals,
    present,
    expected: options.expected,
  };
}

/** Registers the admin app's routes (cookie-authenticated) and its pages on the hub's HTTP server. */
export function registerAdminApi(
  app: FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>,
  options: AdminApiOptions,
): void {
  const { auth, store, clock, timeZone } = options;
  const format = (d: Date) => formatRfc3339(d, timeZone);

  const adminOf = (req: FastifyRequest): AdminContext => {
    const ctx = adminSessionOf(auth, req);
    if (!ctx) throw new NotSignedInError();
    return ctx;
  };
  const checkOrigin = requireSameOrigin;
  // Over HTTPS (here or, with --trust-proxy, at the proxy) the cookies never travel in clear.
  const secure = (req: FastifyRequest) => isSecureRequest(req);

  // Roster files as bytes: decodeRosterFile tells UTF-8 from Shift_JIS and reads XLSX workbooks.
  app.addContentTypeParser(
    ROSTER_CONTENT_TYPES,
    { parseAs: 'buffer', bodyLimit: ROSTER_BODY_LIMIT },
    (_req, body, done) => {
      done(null, body);
    },
  );

  app.post('/api/admin/session', { bodyLimit: ADMIN_BODY_LIMIT }, async (req, reply) => {
    checkOrigin(req);
    const parsed = AdminSignInRequestSchema.safeParse(req.body);
    if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
    const signed = await auth.signIn(parsed.data, req.ip);
    req.log.info({ staffId: signed.info.staff.id }, 'admin signed in');
    return reply.header('set-cookie', cookie(signed.token, 8 * 60 * 60, secure(req))).send(signed.info);
  });

  app.get('/api/admin/session', (req, reply) => reply.send(adminOf(req).info));

  app.delete('/api/admin/session', (req, reply) => {
    checkOrigin(req);
    const cookieValue = parseCookies(req.headers.cookie).get(ADMIN_COOKIE);
    const ctx = auth.session(cookieValue, false);
    if (ctx) auth.signOut(ctx);
    return reply
      .header('set-cookie', cookie('', 0, secure(req)))
      .code(204)
      .send();
  });

  app.post<{ Querystring: { dryRun?: string; effective?: string | string[] } }>(
    '/api/admin/roster/imports',
    { bodyLimit: ROSTER_BODY_LIMIT },
    (req, reply) => {
      checkOrigin(req);
      const ctx = adminOf(req);
      if (!(req.body instanceof Uint8Array)) {
        throw new UnsupportedFormatError(
          ErrorCodes.unsupportedMediaType,
          `send the roster file as one of ${ROSTER_CONTENT_TYPES.join(', ')}`,
        );
      }
      const dryRun = req.query.dryRun !== 'false';
      // The day the roster takes effect from (default today); a bad or closed one is refused (400, 409).
      const { effective } = req.query;
      const { jobId } = options.jobs.start(
        req.body,
        dryRun,
        ctx.staffId,
        Array.isArray(effective) ? effective.join(',') : effective,
      );
      return reply.code(202).send({ jobId });
    },
  );

  app.get<{ Params: { jobId: string } }>('/api/admin/roster/imports/:jobId', (req, reply) => {
    adminOf(req);
    const job = options.jobs.get(req.params.jobId);
    if (!job) throw new NotFoundError(ErrorCodes.notFound, 'no such import job');
    return reply.send(job);
  });

  app.get('/api/admin/roster', (req, reply) => {
    adminOf(req);
    const roster = store.roster.read();
    const pins = store.guardianPins.all();
    const perClass = new Map<string, number>();
    for (const c of roster.children) perClass.set(c.classId, (perClass.get(c.classId) ?? 0) + 1);
    const answer: AdminRoster = {
      version: store.roster.rosterVersion(),
      classes: roster.classes.map((c) => ({ id: c.id, name: c.name, children: perClass.get(c.id) ?? 0 })),
      children: roster.children.map((c) => ({
        id: c.id,
        name: c.name,
        kana: c.kana,
        classId: c.classId,
        careType: c.careType,
      })),
      // How many cards, never which: card ids are personal data the app does not need.
      guardians: roster.guardians.map((g) => ({
        id: g.id,
        name: g.name,
        childIds: g.childIds,
        cards: g.credentials.length,
        pin: pins.has(g.id),
      })),
    };
    return reply.send(answer);
  });

  app.get('/api/admin/settings', (req, reply) => {
    adminOf(req);
    return reply.send(readSettings(store));
  });

  app.patch('/api/admin/settings', { bodyLimit: ADMIN_BODY_LIMIT }, (req, reply) => {
    checkOrigin(req);
    const ctx = adminOf(req);
    const settings = updateSettings(store, req.body, { kind: 'staff', id: ctx.staffId });
    req.log.info({ staffId: ctx.staffId }, 'settings changed');
    options.settingsChanged();
    return reply.send(settings);
  });

  app.get('/api/admin/devices', (req, reply) => {
    adminOf(req);
    return reply.send({ devices: options.devices.list(store.devices.deviceList(), format) });
  });

  registerGuardianRoutes(app, { store, clock, adminOf, bodyLimit: ADMIN_BODY_LIMIT });
  registerParentRoutes(app, { store, clock, adminOf, bodyLimit: ADMIN_BODY_LIMIT });
  registerPickupRoutes(app, { store, adminOf });
  registerFacilityNoticeRoutes(app, { store, adminOf, bodyLimit: ADMIN_BODY_LIMIT });
  registerDeviceRoutes(app, { store, adminOf });
  registerPeopleRoutes(app, {
    store,
    clock,
    timeZone,
    logger: options.logger,
    adminOf,
    relayHealth: () => options.relayHealth?.() ?? RELAY_NOT_CONFIGURED,
  });

  app.post('/api/admin/devices/pairing', { bodyLimit: ADMIN_BODY_LIMIT }, async (req, reply) => {
    checkOrigin(req);
    const ctx = adminOf(req);
    const parsed = AdminPairingRequestSchema.safeParse(req.body);
    if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
    const host = req.headers.host ?? '';
    if (!/^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$/.test(host)) {
      throw new ValidationError(ErrorCodes.badRequest, 'the Host header is not an address devices can reach');
    }
    const hubUrl = `${req.protocol}://${host}`;
    const issued = await issuePairingCode(store, parsed.data.deviceId, {
      hubUrl,
      role: parsed.data.role,
      clock,
      ...(options.tlsFingerprint !== undefined && { tls: options.tlsFingerprint }),
    });
    store.audit.append({
      actorKind: 'staff',
      actorId: ctx.staffId,
      action: 'admin.device_pairing',
      subject: `device:${issued.deviceId}`,
      outcome: 'ok',
      after: { role: issued.role },
    });
    const qrText = issued.role === 'tablet' ? tabletPairingUrl(hubUrl, issued.payload) : issued.payload;
    const answer: AdminPairing = {
      deviceId: issued.deviceId,
      role: issued.role,
      expiresAt: issued.expires,
      qrText,
      svg: qrSvg(qrText),
    };
    return reply.send(answer);
  });

  app.get<{ Querystring: { date?: string } }>('/api/admin/chart', (req, reply) => {
    adminOf(req);
    const date = req.query.date ?? localDate(clock.now(), timeZone);
    if (!isValidDate(date)) throw new ValidationError(ErrorCodes.badRequest, 'date must be YYYY-MM-DD');
    const chart = attendanceChart(store.events.rollcallEventsOn(date), {
      date,
      timeZone,
      expected: store.roster.read().children.length,
      now: clock.now(),
    });
    return reply.send(chart);
  });

  // What needs the director's eye about the records: the relay's backlog, the events the cloud refused
  // (kept here, never resent) and the events stamped while a kiosk's clock was in doubt.
  app.get('/api/admin/records-health', (req, reply) => {
    adminOf(req);
    const relay = options.relayHealth?.() ?? RELAY_NOT_CONFIGURED;
    const names = new Map(store.roster.read().children.map((c) => [c.id, c.name]));
    const nameOf = (childId: string) => names.get(childId) ?? null;
    const answer: AdminRecordsHealth = {
      relay,
      warnings: relayWarnings(relay, clock.now(), options.parentMessagesStalledSeconds),
      rejected: {
        total: store.outbox.relayRejectCount(),
        events: store.outbox
          .rejectedEvents(RECORDS_HEALTH_LIST_MAX)
          .map((r) => ({ ...r, childName: nameOf(r.childId) })),
      },
      clockDoubt: {
        total: store.events.clockDoubtCount(),
        events: store.events
          .clockDoubtEvents(RECORDS_HEALTH_LIST_MAX)
          .map((e) => ({ ...e, childName: nameOf(e.childId) })),
      },
    };
    return reply.send(answer);
  });

  serveWebApp(app, '/admin', options.app, 'admin_app_unavailable');
}
