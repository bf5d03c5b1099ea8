import Fastify, {
  LogController,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerFactory,
} from 'fastify';
import { AuthError, ValidationError } from '../../common/errors.ts';
import { installErrorHandling } from '../../common/http-errors.ts';
import { isTabletPath, registerTabletApi, type TabletApiOptions } from '../tablet/api.ts';
import { adminSessionOf, isAdminPath, registerAdminApi, type AdminApiOptions } from '../admin/api.ts';
import { isRecordsPath, recordsSessionOf, registerRecordsApi } from './records-api.ts';
import type { Records } from '../records/service.ts';
import type { Logger } from '../../common/logger.ts';
import { formatRfc3339, isValidDate, localDate, type Clock } from '../../common/time.ts';
import {
  describeIssues,
  ErrorCodes,
  PairRequestSchema,
  type DailyLedger,
  type MonthlyLedger,
  type PairResponse,
} from '../../protocol/index.ts';
import { checkAdminToken } from '../access/devices.ts';
import {
  PairingCodeError,
  PairingRoleError,
  TooManyRequestsError,
  type PairingService,
} from '../access/pairing.ts';
import { rollcallOn, type RollcallLayout } from '../rollcall/rollcall.ts';
import { readSettings, updateSettings } from '../facility/settings.ts';
import { ledgerSource } from '../facility/history.ts';
import {
  ledgerDateOf,
  ledgerFile,
  ledgerMonthOf,
  ledgerOutputOf,
  ledgerSettingsOf,
} from '../../common/ledger-http.ts';
import type { LedgerSource } from '../../common/ledger/source.ts';
import { dailyLedger, monthlyLedger } from '../../common/ledger/engine.ts';
import { registerExtendedLedger } from './extended-ledger.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import type { RelayHealth } from '../../protocol/admin.ts';
import { renderHubMetrics } from './metrics.ts';
import { registerStaffingApi } from './staffing-api.ts';
import type { BrokerStats } from '../mqtt/device-login.ts';
import { RELAY_NOT_CONFIGURED, relayWarnings } from '../relay/health.ts';

export interface HttpApiOptions {
  store: StoreOf<
    'facility' | 'events' | 'roster' | 'audit' | 'settings' | 'history' | 'corrections' | 'people'
  > &
    Transactional;
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
  /**
   * The broker's ports, for the mqttUrl of a pairing answer: mqtts to a device that paired over HTTPS,
   * plain mqtt (when it listens) to one that paired over plain HTTP.
   */
  mqttPorts: { mqtts: number; mqtt?: number };
  /** The HTTP(S) servers (edge-hub/http/listeners.ts); fastify's own plain server without it (tests). */
  serverFactory?: FastifyServerFactory;
  /** Fastify's trustProxy: true (any peer) or the proxies' addresses; X-Forwarded-* believed from them. */
  trustProxy?: boolean | string;
  /** The staff tablet's routes (cookie-authenticated); absent in hubs built without them (tests). */
  tablet?: TabletApiOptions;
  /** The director's admin app's routes (cookie-authenticated, edge-hub/admin/api.ts). */
  admin?: AdminApiOptions;
  /** Told after the settings changed (the tablets' roll-call reads them). */
  settingsChanged?: () => void;
  /** The cloud relay's health (Relay.health); absent, or undefined, on a hub without a cloud. */
  relayHealth?: () => RelayHealth | undefined;
  /** How long parents' messages may fail to arrive before the warning (PARENT_MESSAGES_STALLED_SECONDS). */
  parentMessagesStalledSeconds?: number;
  /** The broker's counters of refused logins and dropped clients, shown on /metrics. */
  brokerStats?: () => BrokerStats;
  /** Past-day corrections, open days and month close (edge-hub/records); absent: not served. */
  records?: Records;
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

/** The broker address a device that paired with this request should use (see mqttHost). */
function mqttUrlFor(req: FastifyRequest, ports: HttpApiOptions['mqttPorts']): string {
  const host = mqttHost(req.headers.host, req.socket.localAddress);
  return req.protocol === 'https' || ports.mqtt === undefined
    ? `mqtts://${host}:${ports.mqtts}`
    : `mqtt://${host}:${ports.mqtt}`;
}

interface DateQuery {
  date?: unknown;
  format?: unknown;
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
    ...(options.serverFactory && { serverFactory: options.serverFactory }),
    ...(options.trustProxy !== undefined && { trustProxy: options.trustProxy }),
  });

  app.addHook('onRequest', async (req, _reply) => {
    const route = req.routeOptions.url;
    if (route !== undefined && PUBLIC_ROUTES.has(route)) return;
    // The tablet's own credentials are its cookies, checked by each of its routes.
    if (route !== undefined && options.tablet !== undefined && isTabletPath(route)) return;
    // Likewise the admin app's: its session cookie, checked by each of its routes.
    if (route !== undefined && options.admin !== undefined && isAdminPath(route)) return;
    // The records routes take an admin app session as well as the token (each route checks which).
    if (
      route !== undefined &&
      isRecordsPath(route) &&
      recordsSessionOf(options.admin?.auth, req) !== undefined
    ) {
      return;
    }
    // The director downloads ledgers and the staffing report from the admin app with its session instead
    // of the token (GET only: the cookie is SameSite=Strict, and a GET changes nothing).
    if (
      (route?.startsWith('/api/ledger/') === true || route?.startsWith('/api/staffing/') === true) &&
      req.method === 'GET' &&
      options.admin !== undefined &&
      adminSessionOf(options.admin.auth, req) !== undefined
    ) {
      return;
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const token = m?.[1];
    if (token === undefined || !checkAdminToken(token, options.adminTokenHash)) {
      throw new AuthError(
        ErrorCodes.unauthorized,
        token === undefined ? 'missing bearer token' : 'wrong admin token',
        'Bearer',
      );
    }
  });

  // API and ledger answers hold children's attendance, names and session verdicts: no browser, proxy or
  // shared PC keeps a copy. The app files set their own caching (web-app.ts), which this keeps.
  app.addHook('onSend', async (_req, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });

  installErrorHandling(app, {
    noRoute: () => 'no such route',
    // Refusals are the clients' business; only failures are logged.
    log: (req, answer, err) => {
      if (answer.status === 500) req.log.error({ err, url: req.url.split('?')[0] }, 'request failed');
    },
  });

  /** The business day asked for; today by default. */
  const dateOf = (query: DateQuery): string => {
    if (query.date === undefined) return localDate(clock.now(), timeZone);
    if (typeof query.date === 'string' && isValidDate(query.date)) return query.date;
    throw new ValidationError(
      ErrorCodes.badRequest,
      'date must be a calendar date written YYYY-MM-DD',
      'date',
    );
  };
  const rollcall = (date: string) =>
    rollcallOn(store, facilityId, options.layout(), date, formatRfc3339(clock.now(), timeZone));

  const relayHealth = (): RelayHealth => options.relayHealth?.() ?? RELAY_NOT_CONFIGURED;

  // Public, so counts and times only. `ok` says the process serves; what needs a look is in `warnings`.
  app.get('/healthz', () => {
    const relay = relayHealth();
    return {
      ok: true,
      relay,
      warnings: relayWarnings(relay, clock.now(), options.parentMessagesStalledSeconds),
    };
  });

  app.get('/metrics', (_req, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(
      renderHubMetrics({
        relay: relayHealth(),
        events: store.events.countEvents(),
        clockDoubtEvents: store.events.clockDoubtCount(),
        ...(options.brokerStats !== undefined && { broker: options.brokerStats() }),
      }),
    ),
  );

  // No bearer token: the one-time pairing code is the credential.
  app.post('/api/pair', { bodyLimit: PAIR_BODY_LIMIT }, async (req) => {
    const parsed = PairRequestSchema.safeParse(req.body);
    if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
    try {
      const paired = await options.pairing.pair(parsed.data, req.ip);
      req.log.info({ deviceId: paired.deviceId, role: paired.role }, 'device paired');
      const answer: PairResponse = {
        deviceId: paired.deviceId,
        facilityId,
        password: paired.password,
        mqttUrl: mqttUrlFor(req, options.mqttPorts),
      };
      return answer;
    } catch (err) {
      if (
        err instanceof PairingCodeError ||
        err instanceof PairingRoleError ||
        err instanceof TooManyRequestsError
      ) {
        // The device id only: the code is a secret, and the address is the limiter's business.
        req.log.warn({ deviceId: parsed.data.deviceId, code: err.code }, 'pairing refused');
      }
      throw err;
    }
  });

  if (options.tablet) registerTabletApi(app, options.tablet);
  if (options.admin) {
    const stalled = options.parentMessagesStalledSeconds;
    registerAdminApi(app, {
      ...options.admin,
      relayHealth,
      ...(stalled !== undefined && { parentMessagesStalledSeconds: stalled }),
    });
  }
  if (options.records) registerRecordsApi(app, { records: options.records, adminAuth: options.admin?.auth });
  registerStaffingApi(app, { store, clock, facilityId, timeZone });

  app.get('/api/settings', () => readSettings(store));

  app.patch('/api/settings', { bodyLimit: SETTINGS_BODY_LIMIT }, (req) => {
    const settings = updateSettings(store, req.body, { kind: 'api', id: null });
    req.log.info('settings changed');
    options.settingsChanged?.();
    return settings;
  });

  app.get<{ Querystring: DateQuery }>('/api/rollcall', (req) => rollcall(dateOf(req.query)));

  app.get<{ Querystring: DateQuery }>('/api/events', (req) => {
    const date = dateOf(req.query);
    return { date, events: store.events.eventsOn(date) };
  });

  // The ledgers (protocol/ledger.ts), built like the cloud's from the same snapshot versions and events:
  // each day from the snapshot in effect on it.
  const ledgerRoute = async (
    req: FastifyRequest<{ Querystring: Record<string, unknown> }>,
    reply: FastifyReply,
    build: () => { ledger: DailyLedger | MonthlyLedger; source: LedgerSource; lastDay: string },
  ) => {
    const output = ledgerOutputOf(req.query);
    const { ledger, source, lastDay } = build();
    if (output.format === 'json') return ledger;
    const settings = ledgerSettingsOf(source, lastDay, output.language);
    const file = await ledgerFile(ledger, output.format, output.encoding, settings);
    return reply.type(file.contentType).header('content-disposition', file.disposition).send(file.body);
  };
  const today = () => localDate(clock.now(), timeZone);

  app.get<{ Querystring: Record<string, unknown> }>('/api/ledger/daily', (req, reply) =>
    ledgerRoute(req, reply, () => {
      const date = ledgerDateOf(req.query, today());
      const source = ledgerSource(store, facilityId, timeZone, date, date);
      return {
        ledger: dailyLedger(source, date, store.events.ledgerEvents(date, date)),
        source,
        lastDay: date,
      };
    }),
  );

  app.get<{ Querystring: Record<string, unknown> }>('/api/ledger/monthly', (req, reply) =>
    ledgerRoute(req, reply, () => {
      const { month, from, to, classId } = ledgerMonthOf(req.query, today().slice(0, 7));
      // A class of any version in effect during the month; else the engine throws ValidationError
      // unknown_class (400), as this route did before.
      const source = ledgerSource(store, facilityId, timeZone, from, to);
      const ledger = monthlyLedger(source, month, store.events.ledgerEvents(from, to), classId);
      return { ledger, source, lastDay: to };
    }),
  );
  registerExtendedLedger(app, { store, facilityId, timeZone, today });

  return app;
}
