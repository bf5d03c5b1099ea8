import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { GenkanError, ValidationError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import { formatRfc3339, localTime, systemClock, type Clock } from '../common/time.ts';
import { bundleWebApp, type WebBundle } from '../common/web-bundle.ts';
import { topics, type Ack } from '../protocol/index.ts';
import { AdminAuth } from './admin-auth.ts';
import { startBroker, type HubBroker } from './broker.ts';
import { DeviceStatusTracker } from './device-status.ts';
import { hashAdminToken, newAdminToken, verifyDevice } from './devices.ts';
import { buildHttpApi } from './http.ts';
import { facilitySnapshot, snapshotKey } from './snapshot.ts';
import { Ingest } from './ingest.ts';
import { PairingService } from './pairing.ts';
import { Relay, type RelayOptions } from './relay.ts';
import { RosterJobs } from './roster-job.ts';
import { DeviceRequests } from './requests.ts';
import { RollcallService } from './rollcall.ts';
import { rosterMessage } from './roster.ts';
import { StaffAuth } from './staff.ts';
import { HubStore, type RosterData } from './store.ts';
import { TabletActions } from './tablet-actions.ts';
import { TabletPush, type TabletPushOptions } from './tablet-push.ts';
import { buildTabletRollcall } from './tablet-view.ts';

/** Where the staff tablet app's sources are (bundled at start). */
export const DEFAULT_TABLET_APP_DIR = join(import.meta.dirname, 'tablet');
/** Where the director's admin app's sources are (bundled at start, served at /admin). */
export const DEFAULT_ADMIN_APP_DIR = join(import.meta.dirname, 'admin');

export interface HubOptions {
  dataDir: string;
  /** Claimed on first start (default "demo"); a later start naming another facility fails. */
  facilityId?: string;
  facilityName?: string;
  /** Interface to bind (default 0.0.0.0). */
  host?: string;
  /** 0 picks a free port; the chosen ports are in the result. */
  mqttPort: number;
  wsPort: number;
  httpPort: number;
  cloud?: { url: string; token: string };
  /** Admin token for the HTTP API; without one the stored token is kept, or one is generated. */
  adminToken?: string;
  logger: Logger;
  clock?: Clock;
  /**
   * Folder of the staff tablet app (index.html + main.tsx), bundled at start and served at /tablet;
   * default edge-hub/tablet (the hub does not start without it). null: no app (GET /tablet answers 503),
   * for tests that do not need it.
   */
  tabletAppDir?: string | null;
  /** Folder of the admin app, like tabletAppDir; default edge-hub/admin, or null when tabletAppDir is null. */
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
  };
}

export interface RunningHub {
  ports: { mqtt: number; ws: number; http: number };
  facilityId: string;
  /** Set only when this start generated the admin token: show it once, it is stored hashed. */
  generatedAdminToken?: string;
  /** Stops the listeners, commits what is queued, closes the database. */
  close(): Promise<void>;
}

/** Starts the edge hub: store, MQTT broker (TCP + WebSocket), ingest, roll-call, HTTP API, cloud relay. */
export async function startHub(options: HubOptions): Promise<RunningHub> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger;
  const host = options.host ?? '0.0.0.0';
  if (options.adminToken?.trim() === '') {
    throw new ValidationError('bad_admin_token', 'the admin token must not be empty', 'adminToken');
  }

  const store = HubStore.open(options.dataDir, { clock });
  const cleanups: (() => Promise<void> | void)[] = [
    () => {
      store.close();
    },
  ];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        logger.error({ err }, 'error while stopping the hub');
      }
    }
    cleanups.length = 0;
  };

  try {
    const facilityId = store.claimFacility(options.facilityId, options.facilityName);
    const meta = store.meta();
    const { timeZone } = meta;

    let generatedAdminToken: string | undefined;
    let adminTokenHash = meta.adminTokenHash;
    if (options.adminToken !== undefined) {
      adminTokenHash = hashAdminToken(options.adminToken);
      if (adminTokenHash !== meta.adminTokenHash) store.setAdminTokenHash(adminTokenHash);
    } else if (adminTokenHash === null) {
      generatedAdminToken = newAdminToken();
      adminTokenHash = hashAdminToken(generatedAdminToken);
      store.setAdminTokenHash(adminTokenHash);
    }

    // The broker is created after ingest but ingest publishes through it: late-bound.
    let broker: HubBroker | undefined = undefined;
    const publish = (topic: string, payload: string, retain: boolean) => {
      broker?.publish(topic, payload, retain);
    };
    /** Resolves once the message is handed to the subscribers (or dropped at shutdown). */
    const publishInOrder = (topic: string, payload: string, retain: boolean) =>
      new Promise<void>((resolve) => {
        if (broker) broker.publish(topic, payload, retain, resolve);
        else resolve();
      });

    let rosterVersion = store.rosterVersion();
    let roster: RosterData = store.roster();
    let childIds = new Set(roster.children.map((c) => c.id));
    let guardianships = guardianPairs(roster);
    /** The latest roster publish, which an enrolment's answer waits for. */
    let rosterPublished: Promise<void> = Promise.resolve();
    const publishRoster = () => {
      rosterPublished = publishInOrder(
        topics.roster(facilityId),
        JSON.stringify(rosterMessage(facilityId, store.meta(), roster)),
        true,
      );
    };

    // Late-bound like the broker: the roll-call service tells the tablets after each publish.
    let tabletPush: TabletPush | undefined = undefined;

    const rollcall = new RollcallService({
      store,
      clock,
      logger: logger.child({ ns: 'hub.rollcall' }),
      facilityId,
      timeZone,
      roster,
      publish: (r) => {
        publish(topics.rollcall(facilityId), JSON.stringify(r), true);
        tabletPush?.changed();
      },
      ...(options.tuning?.rollcallThrottleMs !== undefined && {
        throttleMs: options.tuning.rollcallThrottleMs,
      }),
    });
    cleanups.push(() => {
      rollcall.close();
    });

    /**
     * Picks up a roster imported by `genkan roster import` (another process) while the hub runs, or
     * changed here by a card enrolment.
     */
    const refreshRoster = () => {
      const version = store.rosterVersion();
      if (version === rosterVersion) return;
      rosterVersion = version;
      roster = store.roster();
      childIds = new Set(roster.children.map((c) => c.id));
      guardianships = guardianPairs(roster);
      logger.info({ version, children: childIds.size }, 'roster changed');
      rollcall.setRoster(roster);
      tabletPush?.changed();
      publishRoster();
    };

    // Constructed (and its options checked) before anything listens; started once the hub is up.
    const relay =
      options.cloud &&
      new Relay({
        url: options.cloud.url,
        token: options.cloud.token,
        facilityId,
        store,
        logger: logger.child({ ns: 'hub.relay' }),
        clock,
        snapshot: { key: () => snapshotKey(store), build: () => facilitySnapshot(store, facilityId) },
        ...options.tuning?.relay,
      });

    const ingest = new Ingest({
      store,
      clock,
      logger: logger.child({ ns: 'hub.ingest' }),
      roster: {
        hasChild: (id) => childIds.has(id),
        isGuardianOf: (guardianId, childId) => guardianships.has(`${guardianId}/${childId}`),
        refresh: refreshRoster,
      },
      undoWindowMs: () => store.facilitySettings().undoWindowMinutes * 60_000,
      publishAck: (deviceId: string, ack: Ack) => {
        publish(topics.acks(facilityId, deviceId), JSON.stringify(ack), false);
      },
      onCommitted: (stored) => {
        rollcall.onCommitted(stored);
        relay?.notify();
      },
    });

    const requests = new DeviceRequests({
      store,
      clock,
      logger: logger.child({ ns: 'hub.requests' }),
      publishResponse: (deviceId, response) => {
        publish(topics.responses(facilityId, deviceId), JSON.stringify(response), false);
      },
      onRosterChanged: () => {
        refreshRoster();
        return rosterPublished;
      },
    });

    // What the broker hears of each device, for the admin app's device list.
    const deviceStatus = new DeviceStatusTracker({ clock });
    const started = await startBroker({
      host,
      mqttPort: options.mqttPort,
      wsPort: options.wsPort,
      facilityId,
      logger: logger.child({ ns: 'hub.broker' }),
      ...(options.tuning?.takeoverGraceMs !== undefined && {
        takeoverGraceMs: options.tuning.takeoverGraceMs,
      }),
      authenticate: (deviceId, password) => verifyDevice(store, deviceId, password),
      roleOf: (deviceId) => store.deviceRole(deviceId),
      onEvents: (deviceId, payload) => {
        deviceStatus.active(deviceId);
        ingest.submit(deviceId, payload);
      },
      onRequest: (deviceId, payload) => {
        deviceStatus.active(deviceId);
        requests.submit(deviceId, payload);
      },
      onStatus: (deviceId, payload) => {
        deviceStatus.status(deviceId, payload);
      },
      onConnection: (deviceId, online) => {
        if (online) deviceStatus.connected(deviceId);
        else deviceStatus.disconnected(deviceId);
      },
    });
    broker = started;
    cleanups.push(() => started.close());
    // Runs before the broker closes: a request not yet handled is dropped unanswered (the device resends).
    cleanups.push(() => {
      requests.close();
    });
    // Cleanups run in reverse: what is queued is committed and acked before the broker closes.
    cleanups.push(() => {
      ingest.close();
    });

    const appDir = options.tabletAppDir === undefined ? DEFAULT_TABLET_APP_DIR : options.tabletAppDir;
    let tabletApp: WebBundle | undefined;
    if (appDir !== null) {
      if (!existsSync(join(appDir, 'main.tsx'))) {
        throw new GenkanError('tablet_app_missing', `the tablet app is missing: no main.tsx in ${appDir}`);
      }
      tabletApp = await bundleWebApp(appDir);
    }
    const adminDir =
      options.adminAppDir === undefined
        ? appDir === null
          ? null
          : DEFAULT_ADMIN_APP_DIR
        : options.adminAppDir;
    let adminApp: WebBundle | undefined;
    if (adminDir !== null) {
      if (!existsSync(join(adminDir, 'main.tsx'))) {
        throw new GenkanError('admin_app_missing', `the admin app is missing: no main.tsx in ${adminDir}`);
      }
      adminApp = await bundleWebApp(adminDir);
    }
    const viewSource = {
      store,
      clock,
      facilityId,
      facilityName: meta.facilityName ?? facilityId,
      timeZone,
      roster: () => roster,
    };
    const view = () => buildTabletRollcall(viewSource);
    const auth = new StaffAuth({ store, clock, format: (d) => formatRfc3339(d, timeZone) });
    const push = new TabletPush({
      logger: logger.child({ ns: 'hub.tablet' }),
      build: view,
      sessionLive: (tokenHash) => auth.stillLive(tokenHash),
      timeKey: () => localTime(clock.now(), timeZone),
      ...options.tuning?.tabletPush,
    });
    tabletPush = push;

    const http = buildHttpApi({
      store,
      logger: logger.child({ ns: 'hub.http' }),
      clock,
      facilityId,
      timeZone,
      adminTokenHash,
      layout: () => rollcall.layoutNow,
      // Pairing codes are read from the database on every request: `genkan device pair` (another process)
      // writes them while the hub runs, and nothing needs to be told.
      pairing: new PairingService({ store, clock }),
      mqttPort: started.ports.mqtt,
      relayHealth: () => relay?.health(),
      tablet: {
        store,
        clock,
        timeZone,
        logger: logger.child({ ns: 'hub.tablet' }),
        auth,
        actions: new TabletActions({
          store,
          clock,
          timeZone,
          ingest,
          logger: logger.child({ ns: 'hub.tablet' }),
        }),
        push,
        view,
        hasClass: (classId) => roster.classes.some((c) => c.id === classId),
        app: tabletApp,
      },
      settingsChanged: () => {
        push.changed();
      },
      admin: {
        store,
        clock,
        timeZone,
        logger: logger.child({ ns: 'hub.admin' }),
        auth: new AdminAuth({ store, clock, format: (d) => formatRfc3339(d, timeZone) }),
        jobs: new RosterJobs({
          store,
          logger: logger.child({ ns: 'hub.admin' }),
          // Picked up at once rather than at the next roster poll.
          onImported: refreshRoster,
        }),
        devices: deviceStatus,
        settingsChanged: () => {
          push.changed();
        },
        app: adminApp,
      },
    });
    cleanups.push(() => http.close());
    // Runs before the HTTP server closes: upgraded push sockets would keep it waiting.
    cleanups.push(() => {
      push.close();
    });
    await http.listen({ host, port: options.httpPort });
    const httpPort = (http.server.address() as AddressInfo).port;

    if (relay) {
      cleanups.push(() => relay.close());
      relay.start();
    }

    publishRoster();
    rollcall.publishNow();
    // The hub's clock for the kiosks (protocol/schemas.ts HubTimeSchema): retained, so a kiosk has it at
    // connect, and fresh every 15 s.
    const publishTime = () => {
      publish(topics.time(facilityId), JSON.stringify({ now: formatRfc3339(clock.now(), timeZone) }), true);
    };
    publishTime();
    const timeTimer = setInterval(publishTime, options.tuning?.timeIntervalMs ?? 15_000);
    cleanups.push(() => {
      clearInterval(timeTimer);
    });
    const poll = setInterval(() => {
      try {
        refreshRoster();
        rollcall.checkDay();
      } catch (err) {
        logger.error({ err }, 'roster poll failed');
      }
    }, options.tuning?.rosterPollMs ?? 2000);
    cleanups.push(() => {
      clearInterval(poll);
    });

    const ports = { ...started.ports, http: httpPort };
    logger.info({ facilityId, ...ports, relay: relay !== undefined }, 'hub ready');
    let closing: Promise<void> | undefined;
    const running: RunningHub = {
      ports,
      facilityId,
      close: () => (closing ??= cleanup()),
    };
    if (generatedAdminToken !== undefined) running.generatedAdminToken = generatedAdminToken;
    return running;
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** guardianId/childId of every guardianship on the roster: what a kiosk's events are checked against. */
function guardianPairs(roster: RosterData): Set<string> {
  return new Set(roster.guardians.flatMap((g) => g.childIds.map((c) => `${g.id}/${c}`)));
}
