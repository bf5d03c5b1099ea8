import type { Logger } from '../common/logger.ts';
import { ValidationError } from '../common/errors.ts';
import { inEffect } from '../common/ledger/timeline.ts';
import { systemClock, type Clock } from '../common/time.ts';
import { hashAdminToken, newAdminToken } from './access/devices.ts';
import { SHORT_ADMIN_PIN_WARNING } from './access/staff-accounts.ts';
import { createHubBus, type HubBus } from './events-bus.ts';
import { RetentionJob } from './facility/retention.ts';
import { applySnapshotChange, namePatchOf, RosterCalendar } from './facility/history.ts';
import { startHttp, startMqtt, type HubMqtt } from './hub-listeners.ts';
import { buildServices, type HubServices } from './hub-services.ts';
import type { MessageFetcherOptions } from './parents/message-fetcher.ts';
import type { RelayOptions } from './relay/relay.ts';
import { HubStore } from './store/hub-store.ts';
import type { TabletPushOptions } from './tablet/push.ts';
import { ensureHubTls, loadTlsFiles, type HubTls, type TlsFiles } from './tls/hub-tls.ts';

export interface HubOptions {
  dataDir: string;
  /** Claimed on first start (default "demo"); a later start naming another facility fails. */
  facilityId?: string;
  facilityName?: string;
  /** Interface to bind (default 0.0.0.0). */
  host?: string;
  /** MQTT over TLS, MQTT over secure WebSocket, HTTPS: 0 (default) picks a free port (see the result). */
  mqttsPort?: number;
  wssPort?: number;
  httpsPort?: number;
  /**
   * Plain MQTT, MQTT over WebSocket and HTTP, each started only when its port is given (`--plain`): for
   * legacy devices on a trusted network, since everything on them is readable on the LAN.
   */
  mqttPort?: number;
  wsPort?: number;
  httpPort?: number;
  /** The operator's certificate; by default the hub's own CA and certificate under `<data>/tls/`. */
  tlsFiles?: TlsFiles;
  /** Behind a reverse proxy: X-Forwarded-* believed from any peer (true) or from these addresses. */
  trustProxy?: boolean | string;
  cloud?: { url: string; token: string };
  /** Admin token for the HTTP API; without one the stored token is kept, or one is generated. */
  adminToken?: string;
  logger: Logger;
  clock?: Clock;
  /**
   * Folder of a staff tablet app (index.html + main.tsx) to bundle at start and serve at /tablet; by
   * default the built app (dist/web/tablet; from sources, edge-hub/tablet/app bundled at start), and the hub
   * does not start without it. null: no app (GET /tablet answers 503), for tests that do not need it.
   */
  tabletAppDir?: string | null;
  /** Folder of the admin app, like tabletAppDir; default edge-hub/admin/app, or null when tabletAppDir is null. */
  adminAppDir?: string | null;
  /** Timings, for tests. */
  tuning?: {
    rosterPollMs?: number;
    rollcallThrottleMs?: number;
    /** How often the hub's time is republished on genkan/v1/F/time (15 s). */
    timeIntervalMs?: number;
    /** See BrokerOptions.takeoverGraceMs. */
    takeoverGraceMs?: number;
    /** Tablet push timings (see TabletPushOptions). */
    tabletPush?: Partial<
      Pick<
        TabletPushOptions,
        'coalesceMs' | 'maxBufferedBytes' | 'stuckMs' | 'drainPollMs' | 'sessionCheckMs'
      >
    >;
    relay?: Partial<
      Pick<RelayOptions, 'timeoutMs' | 'baseDelayMs' | 'maxDelayMs' | 'configErrorDelayMs' | 'pollIntervalMs'>
    >;
    /** The fetch of parents' notices (its back-off is the relay's). */
    parentMessages?: Partial<Pick<MessageFetcherOptions, 'waitS' | 'minIntervalMs'>>;
    /** How long that fetch may fail before staff and the director are warned (PARENT_MESSAGES_STALLED_SECONDS). */
    parentMessagesStalledSeconds?: number;
  };
}

/** The listeners' ports: the TLS ones always, the plain ones when their port options were given. */
export interface HubPorts extends Partial<PlainPorts> {
  mqtts: number;
  wss: number;
  https: number;
}
export interface PlainPorts {
  mqtt: number;
  ws: number;
  http: number;
}
/** The ports a start with these options has: the plain ones typed as there when all three were given. */
export type HubPortsOf<O> = O extends { mqttPort: number; wsPort: number; httpPort: number }
  ? HubPorts & PlainPorts
  : HubPorts;

export interface RunningHub<Ports extends HubPorts = HubPorts> {
  ports: Ports;
  /** The CA file clients trust (absolute path) and its fingerprint, which pairing codes carry. */
  tls: { caFile: string; fingerprint: string };
  facilityId: string;
  /** Set only when this start generated the admin token: show it once, it is stored hashed. */
  generatedAdminToken?: string;
  /** Stops the listeners, commits what is queued, closes the database. */
  close(): Promise<void>;
}

/** A hub started with its plain listeners too (mqttPort, wsPort and httpPort given): in-process tests. */
export type RunningHubWithPlain = RunningHub<HubPorts & PlainPorts>;

/** What every step of the start-up shares: the options, the opened store and facility, and the bus. */
export interface HubContext {
  options: HubOptions;
  store: HubStore;
  bus: HubBus;
  clock: Clock;
  logger: Logger;
  /** Interface the listeners bind. */
  host: string;
  facilityId: string;
  facilityName: string;
  timeZone: string;
  /** What the TLS listeners serve. */
  tls: HubTls;
}

/** The order the hub stops in, whatever order the start-up started things in. */
export const SHUTDOWN_ORDER = [
  /** The roster poll, the time publish and the retention job. */
  'jobs',
  'relay',
  /** Before the HTTP server: upgraded push sockets would keep it waiting. */
  'tablet-push',
  'http',
  /** Before the broker: what is queued is committed and acked. */
  'ingest',
  /** Before the broker: a request not yet handled is dropped unanswered (the device resends). */
  'requests',
  'broker',
  'rollcall',
  'store',
] as const;

export type ShutdownStep = (typeof SHUTDOWN_ORDER)[number];

/** Registers how to stop something the start-up started, under its step of SHUTDOWN_ORDER. */
export type OnShutdown = (step: ShutdownStep, stop: () => Promise<void> | void) => void;

/** Stops what was started, in SHUTDOWN_ORDER (the last registered first within a step), once. */
class HubShutdown {
  private readonly stops = new Map<ShutdownStep, (() => Promise<void> | void)[]>();
  private readonly logger: Logger;
  private done: Promise<void> | undefined;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  readonly add: OnShutdown = (step, stop) => {
    this.stops.set(step, [...(this.stops.get(step) ?? []), stop]);
  };

  run(): Promise<void> {
    return (this.done ??= this.stopAll());
  }

  private async stopAll(): Promise<void> {
    for (const step of SHUTDOWN_ORDER) {
      for (const stop of (this.stops.get(step) ?? []).reverse()) {
        try {
          await stop();
        } catch (err) {
          this.logger.error({ err, step }, 'error while stopping the hub');
        }
      }
    }
    this.stops.clear();
  }
}

/**
 * Starts the edge hub: store, TLS material, MQTT broker (TLS and secure WebSocket; plain ones if asked),
 * ingest, roll-call, HTTPS API (and plain HTTP if asked), cloud relay.
 */
export async function startHub<O extends HubOptions>(options: O): Promise<RunningHub<HubPortsOf<O>>> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger;
  if (options.adminToken?.trim() === '') {
    throw new ValidationError('bad_admin_token', 'the admin token must not be empty', 'adminToken');
  }

  const store = HubStore.open(options.dataDir, { clock });
  const shutdown = new HubShutdown(logger);
  shutdown.add('store', () => {
    store.close();
  });
  try {
    const facility = openFacility(store, options);
    // Admin PINs set before the 6-digit rule still sign in; the director is told here and by `staff list`.
    for (const staffId of store.signInLimits.adminsWithShortPin()) {
      logger.warn({ staffId }, SHORT_ADMIN_PIN_WARNING);
    }
    const tls =
      options.tlsFiles === undefined
        ? await ensureHubTls({ dataDir: options.dataDir, facilityId: facility.facilityId, logger })
        : loadTlsFiles(options.tlsFiles);
    const ctx: HubContext = {
      options,
      tls,
      store,
      bus: createHubBus(logger.child({ ns: 'hub.bus' })),
      clock,
      logger,
      host: options.host ?? '0.0.0.0',
      facilityId: facility.facilityId,
      facilityName: facility.facilityName,
      timeZone: facility.timeZone,
    };
    const services = buildServices(ctx, shutdown.add);
    // Parents' invitation links point to this cloud by default (edge-hub/parents/invite.ts); stored once
    // the relay has checked the URL.
    if (options.cloud !== undefined) store.parentAccess.rememberCloudUrl(options.cloud.url);
    const mqtt = await startMqtt(ctx, services, shutdown.add);
    const httpPorts = await startHttp(ctx, services, facility.adminTokenHash, mqtt, shutdown.add);
    startBackgroundJobs(ctx, services, mqtt, shutdown.add);

    const ports = { ...mqtt.ports, ...httpPorts };
    logger.info({ facilityId: ctx.facilityId, ...ports, relay: services.relay !== undefined }, 'hub ready');
    const running: RunningHub<HubPortsOf<O>> = {
      // The plain ports are there exactly when their options were given (HubPortsOf).
      ports: ports as HubPortsOf<O>,
      tls: { caFile: tls.caFile, fingerprint: tls.fingerprint },
      facilityId: ctx.facilityId,
      close: () => shutdown.run(),
    };
    if (facility.generatedAdminToken !== undefined) {
      running.generatedAdminToken = facility.generatedAdminToken;
    }
    return running;
  } catch (err) {
    await shutdown.run();
    throw err;
  }
}

/** Claims the facility (or checks it is the one claimed) and settles the admin token. */
function openFacility(
  store: HubStore,
  options: HubOptions,
): {
  facilityId: string;
  facilityName: string;
  timeZone: string;
  adminTokenHash: string;
  generatedAdminToken?: string;
} {
  const facilityId = store.facility.claimFacility(options.facilityId, options.facilityName);
  const meta = store.facility.meta();
  followFacility(store, meta.facilityName);
  const facility = { facilityId, facilityName: meta.facilityName ?? facilityId, timeZone: meta.timeZone };
  if (options.adminToken !== undefined) {
    const adminTokenHash = hashAdminToken(options.adminToken);
    if (adminTokenHash !== meta.adminTokenHash) store.facility.setAdminTokenHash(adminTokenHash);
    return { ...facility, adminTokenHash };
  }
  if (meta.adminTokenHash !== null) return { ...facility, adminTokenHash: meta.adminTokenHash };
  // Shown once by the caller; only its hash is stored.
  const generatedAdminToken = newAdminToken();
  const adminTokenHash = hashAdminToken(generatedAdminToken);
  store.facility.setAdminTokenHash(adminTokenHash);
  return { ...facility, adminTokenHash, generatedAdminToken };
}

/**
 * The dated history follows the facility (issue 13): its name from today on when it was renamed, and the
 * live roster on today's import (before the services read it).
 */
function followFacility(store: HubStore, facilityName: string | null): void {
  store.transaction(() => {
    const today = store.history.today();
    const current = inEffect(store.history.versions(), today)?.content.facilityName ?? null;
    if (facilityName !== null && facilityName !== current) {
      applySnapshotChange(store, today, namePatchOf(facilityName));
    }
  });
  new RosterCalendar(store).follow();
}

/** Once everything listens: the relay, the first retained publishes, and the timers. */
function startBackgroundJobs(
  ctx: HubContext,
  services: HubServices,
  mqtt: HubMqtt,
  onShutdown: OnShutdown,
): void {
  const { options, logger } = ctx;
  const { relay, parentMessages, roster, rollcall } = services;
  if (relay) {
    onShutdown('relay', () => relay.close());
    relay.start();
  }
  // Parents' notices: fetched from the cloud (the hub opens the connection), stopped with the relay.
  if (parentMessages) {
    onShutdown('relay', () => parentMessages.close());
    parentMessages.start();
  }

  void mqtt.publishRoster(roster.current);
  rollcall.publishNow();
  // Retained, so a kiosk has the hub's time at connect, and fresh every 15 s.
  mqtt.publishTime();
  const timeTimer = setInterval(mqtt.publishTime, options.tuning?.timeIntervalMs ?? 15_000);
  onShutdown('jobs', () => {
    clearInterval(timeTimer);
  });
  // Picks up a roster imported by `genkan roster import` (another process) while the hub runs, and one
  // that takes effect today (a scheduled import at midnight, a child's last day past).
  const calendar = new RosterCalendar(ctx.store);
  const poll = setInterval(() => {
    try {
      calendar.follow();
      roster.refresh();
      rollcall.checkDay();
      // A parent invited or revoked by the CLI (another process): relay it now, not at the relay's next
      // look (a revoked parent is to be signed out within seconds).
      if (relay !== undefined && ctx.store.parentAccess.unrelayed(1).length > 0) relay.notify();
    } catch (err) {
      logger.error({ err }, 'roster poll failed');
    }
  }, options.tuning?.rosterPollMs ?? 2000);
  onShutdown('jobs', () => {
    clearInterval(poll);
  });
  // Deletes what is past the retention (docs/admin.md): now, then hourly; a run does nothing until the
  // cutoff moves (April 1, or the setting retention.years changes).
  const retention = new RetentionJob({
    store: ctx.store,
    timeZone: ctx.timeZone,
    clock: ctx.clock,
    logger: logger.child({ ns: 'hub.retention' }),
    relay: relay !== undefined,
  });
  retention.tick();
  const retentionTimer = setInterval(() => {
    retention.tick();
  }, 3_600_000);
  onShutdown('jobs', () => {
    clearInterval(retentionTimer);
  });
}
