import Fastify, { LogController } from 'fastify';
import { GenkanError, ValidationError } from '../common/errors.ts';
import { ApiError } from './api-error.ts';
import { authErrorStatus } from './staff.ts';
import { isTabletPath, registerTabletApi, type TabletApiOptions } from './tablet-api.ts';
import type { Logger } from '../common/logger.ts';
import { formatRfc3339, isValidDate, localDate, localTime, type Clock } from '../common/time.ts';
import {
  describeIssues,
  ErrorCodes,
  PairRequestSchema,
  type HttpErrorBody,
  type PairResponse,
  type AttendanceEvent,
  type Rollcall,
} from '../protocol/index.ts';
import { checkAdminToken } from './devices.ts';
import { PairingCodeError, TooManyRequestsError, type PairingService } from './pairing.ts';
import { rollcallOn, type RollcallLayout } from './rollcall.ts';
import { readSettings, updateSettings } from './settings.ts';
import type { HubStore } from './store.ts';

export interface HttpApiOptions {
  store: HubStore;
  logger: Logger;
  clock: Clock;
  facilityId: string;
  timeZone: string;
  /** SHA-256 of the admin token (hashAdminToken). */
  adminTokenHash: string;
  /** The current roster's roll-call layout (it changes when a roster is imported). */
  layout: () => RollcallLayout;
  /** Serves POST /api/pair. */
  pairing: PairingService;
  /** The broker's MQTT (TCP) port, for the mqttUrl of a pairing answer. */
  mqttPort: number;
  /** The staff tablet's routes (cookie-authenticated); absent in hubs built without them (tests). */
  tablet?: TabletApiOptions;
  /** Told after the settings changed (the tablets' roll-call reads them). */
  settingsChanged?: () => void;
}

/** Largest PATCH /api/settings body: a facility of 100 classes fits many times over. */
export const SETTINGS_BODY_LIMIT = 64 * 1024;

/** Largest POST /api/pair body: the request is two short strings. */
export const PAIR_BODY_LIMIT = 1024;

/** Routes answered without the admin token. */
const PUBLIC_ROUTES = new Set(['/healthz', '/api/pair']);

/**
 * The host of `mqtt://HOST:PORT` from the Host header the device used to reach the hub (it reaches the
 * broker at the same address), or the local address of the connection without one. IPv6 in brackets.
 */
export function mqttHost(hostHeader: string | undefined, localAddress: string | undefined): string {
  let host: string | undefined;
  const header = hostHeader?.trim() ?? '';
  const v6 = /^\[([0-9A-Fa-f:.]+)\](?::\d+)?$/.exec(header);
  if (v6) host = v6[1];
  else if (/^[A-Za-z0-9.-]+(?::\d+)?$/.test(header)) host = header.replace(/:\d+$/, '');
  host ??= (localAddress ?? '127.0.0.1').replace(/^::ffff:(?=\d+\.)/, '');
  return host.includes(':') ? `[${host}]` : host;
}

export const LEDGER_COLUMNS = [
  'class_name',
  'child_id',
  'child_name',
  'status',
  'check_in',
  'check_out',
  /** `true` when staff corrected the child's day (a void, a manual entry, an absence): see the tablet. */
  'corrected',
] as const;
export type LedgerRow = Record<(typeof LEDGER_COLUMNS)[number], string | null>;

interface DateQuery {
  date?: unknown;
  format?: unknown;
}

export { ApiError };

/**
 * A cell as a spreadsheet will not execute it: text starting with = + - @ tab CR or LF is a formula to
 * Excel, so it gets a leading apostrophe; then ordinary CSV quoting.
 */
export function csvCell(value: string | null): string {
  let v = value ?? '';
  if (/^[=+\-@\t\r\n]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** UTF-8 with BOM (so that Excel reads the Japanese names) and CRLF line ends. */
export function ledgerCsv(rows: readonly LedgerRow[]): string {
  const lines = [
    LEDGER_COLUMNS.join(','),
    ...rows.map((r) => LEDGER_COLUMNS.map((c) => csvCell(r[c])).join(',')),
  ];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

function isClientError(err: unknown): err is { statusCode: number; message: string } {
  return (
    typeof err === 'object' &&
    err !== null &&
    'statusCode' in err &&
    typeof err.statusCode === 'number' &&
    err.statusCode >= 400 &&
    err.statusCode < 500 &&
    'message' in err &&
    typeof err.message === 'string'
  );
}

/** Children whose day has a staff entry or a void among `events`: their ledger rows say `corrected`. */
export function correctedChildren(events: readonly AttendanceEvent[]): Set<string> {
  return new Set(events.filter((e) => e.method === 'staff' || e.type === 'void').map((e) => e.childId));
}

export function ledgerRows(
  rollcall: Rollcall,
  timeZone: string,
  corrected: ReadonlySet<string> = new Set(),
): LedgerRow[] {
  return rollcall.classes.flatMap((c) =>
    c.children.map((child) => ({
      class_name: c.name,
      child_id: child.id,
      child_name: child.name,
      status: child.status,
      check_in: child.checkInAt === null ? null : localTime(child.checkInAt, timeZone),
      check_out: child.checkOutAt === null ? null : localTime(child.checkOutAt, timeZone),
      corrected: corrected.has(child.id) ? 'true' : 'false',
    })),
  );
}

/**
 * The hub's admin API. Everything but /healthz needs `Authorization: Bearer <admin token>`. Errors are
 * {"error":{"code","message"}}.
 */
export function buildHttpApi(options: HttpApiOptions) {
  const { store, clock, facilityId, timeZone } = options;
  const app = Fastify({
    loggerInstance: options.logger,
    // Request lines would only repeat the URL; errors are logged by the error handler below.
    logController: new LogController({ disableRequestLogging: true }),
  });

  app.addHook('onRequest', async (req, reply) => {
    const route = req.routeOptions.url;
    if (route !== undefined && PUBLIC_ROUTES.has(route)) return;
    // The tablet's own credentials are its cookies, checked by each of its routes.
    if (route !== undefined && options.tablet !== undefined && isTabletPath(route)) return;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const token = m?.[1];
    if (token === undefined || !checkAdminToken(token, options.adminTokenHash)) {
      reply.header('www-authenticate', 'Bearer');
      throw new ApiError(
        401,
        ErrorCodes.unauthorized,
        token === undefined ? 'missing bearer token' : 'wrong admin token',
      );
    }
  });

  app.setNotFoundHandler(() => {
    throw new ApiError(404, ErrorCodes.notFound, 'no such route');
  });

  app.setErrorHandler((err: unknown, req, reply) => {
    let status = 500;
    let body: HttpErrorBody = { error: { code: ErrorCodes.internal, message: 'internal error' } };
    if (err instanceof ApiError) {
      status = err.status;
      body = { error: { code: err.code, message: err.message } };
    } else if (err instanceof TooManyRequestsError) {
      status = 429;
      reply.header('retry-after', String(err.retryAfterSeconds));
      body = { error: { code: err.code, message: err.message } };
    } else if (authErrorStatus(err) !== undefined && err instanceof GenkanError) {
      status = authErrorStatus(err) ?? 401;
      body = { error: { code: err.code, message: err.message } };
    } else if (err instanceof PairingCodeError) {
      status = 401;
      body = { error: { code: err.code, message: err.message } };
    } else if (isClientError(err) && err.statusCode === 415) {
      status = 415;
      body = { error: { code: ErrorCodes.unsupportedMediaType, message: err.message } };
    } else if (isClientError(err) && err.statusCode === 413) {
      status = 413;
      body = { error: { code: ErrorCodes.payloadTooLarge, message: err.message } };
    } else if (isClientError(err)) {
      // fastify's own 4xx (unreadable request and the like)
      status = err.statusCode;
      body = { error: { code: ErrorCodes.badRequest, message: err.message } };
    } else {
      req.log.error({ err, url: req.url.split('?')[0] }, 'request failed');
    }
    return reply.code(status).send(body);
  });

  /** The business day asked for; today by default. */
  const dateOf = (query: DateQuery): string => {
    if (query.date === undefined) return localDate(clock.now(), timeZone);
    if (typeof query.date === 'string' && isValidDate(query.date)) return query.date;
    throw new ApiError(400, ErrorCodes.badRequest, 'date must be a calendar date written YYYY-MM-DD');
  };
  const rollcall = (date: string) =>
    rollcallOn(store, facilityId, options.layout(), date, formatRfc3339(clock.now(), timeZone));

  app.get('/healthz', () => ({ ok: true }));

  // No bearer token: the one-time pairing code is the credential.
  app.post('/api/pair', { bodyLimit: PAIR_BODY_LIMIT }, async (req) => {
    const parsed = PairRequestSchema.safeParse(req.body);
    if (!parsed.success) throw new ApiError(400, ErrorCodes.badRequest, describeIssues(parsed.error));
    try {
      const paired = await options.pairing.pair(parsed.data, req.ip);
      req.log.info({ deviceId: paired.deviceId, role: paired.role }, 'device paired');
      const answer: PairResponse = {
        deviceId: paired.deviceId,
        facilityId,
        password: paired.password,
        mqttUrl: `mqtt://${mqttHost(req.headers.host, req.socket.localAddress)}:${options.mqttPort}`,
      };
      return answer;
    } catch (err) {
      if (err instanceof PairingCodeError || err instanceof TooManyRequestsError) {
        // The device id only: the code is a secret, and the address is the limiter's business.
        req.log.warn({ deviceId: parsed.data.deviceId, code: err.code }, 'pairing refused');
      }
      throw err;
    }
  });

  if (options.tablet) registerTabletApi(app, options.tablet);
  app.get('/api/settings', () => readSettings(store));

  app.patch('/api/settings', { bodyLimit: SETTINGS_BODY_LIMIT }, (req) => {
    try {
      const settings = updateSettings(store, req.body, { kind: 'api', id: null });
      req.log.info('settings changed');
      options.settingsChanged?.();
      return settings;
    } catch (err) {
      if (err instanceof ValidationError) {
        throw new ApiError(400, err.code, err.message);
      }
      throw err;
    }
  });

  app.get<{ Querystring: DateQuery }>('/api/rollcall', (req) => rollcall(dateOf(req.query)));

  app.get<{ Querystring: DateQuery }>('/api/events', (req) => {
    const date = dateOf(req.query);
    return { date, events: store.eventsOn(date) };
  });

  app.get<{ Querystring: DateQuery }>('/api/ledger/daily', (req, reply) => {
    const format = req.query.format ?? 'json';
    if (format !== 'json' && format !== 'csv') {
      throw new ApiError(400, ErrorCodes.badRequest, 'format must be json or csv');
    }
    const date = dateOf(req.query);
    const rows = ledgerRows(rollcall(date), timeZone, correctedChildren(store.eventsOn(date)));
    if (format === 'json') return { date, rows };
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="ledger-${date}.csv"`)
      .send(ledgerCsv(rows));
  });

  return app;
}
