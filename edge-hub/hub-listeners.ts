import { formatRfc3339, localDate } from '../common/time.ts';
import { bundleWebApp, loadWebApp, type WebBundle } from '../common/web-bundle.ts';
import { topics } from '../protocol/index.ts';
import { startBroker } from './mqtt/broker.ts';
import type { BrokerStats } from './mqtt/device-login.ts';
import { verifyDevice } from './access/devices.ts';
import type { HubContext, OnShutdown } from './hub.ts';
import type { HubServices } from './hub-services.ts';
import { parentFetchFailure, withParentFetch } from './relay/health.ts';
import { buildHttpApi } from './http/api.ts';
import { httpListeners } from './http/listeners.ts';
import { rosterMessage } from './facility/roster.ts';
import { kioskPickups } from './parents/pickup-view.ts';
import { RestoreResync } from './restore-resync.ts';
import type { RosterData } from './store/roster.ts';

/** The started broker, as the rest of the start-up uses it. */
export interface HubMqtt {
  ports: { mqtts: number; wss: number; mqtt?: number; ws?: number };
  /** Publishes the roster (retained); settles once it is handed to the subscribers (or dropped at shutdown). */
  publishRoster: (roster: RosterData) => Promise<void>;
  /** The hub's clock for the kiosks (protocol/schemas.ts HubTimeSchema), retained so a kiosk has it at connect. */
  publishTime: () => void;
  /** The broker's counters of refused logins and dropped clients (for /metrics). */
  stats: () => BrokerStats;
}

/**
 * Starts the MQTT broker (TLS and secure WebSocket; plain TCP and WebSocket when their ports are given):
 * what devices publish goes to ingest, the request handler and the bus (device.status); what the hub
 * tells the devices comes from the bus.
 */
export async function startMqtt(
  ctx: HubContext,
  services: HubServices,
  onShutdown: OnShutdown,
): Promise<HubMqtt> {
  const { options, store, bus, clock, logger, facilityId, timeZone } = ctx;
  const { ingest, requests } = services;
  const active = (deviceId: string) => {
    bus.publish('device.status', { deviceId, kind: 'active' });
  };
  const broker = await startBroker({
    host: ctx.host,
    tls: { cert: ctx.tls.cert, key: ctx.tls.key },
    mqttsPort: options.mqttsPort ?? 0,
    wssPort: options.wssPort ?? 0,
    ...(options.mqttPort !== undefined && { mqttPort: options.mqttPort }),
    ...(options.wsPort !== undefined && { wsPort: options.wsPort }),
    facilityId,
    logger: logger.child({ ns: 'hub.broker' }),
    ...(options.tuning?.takeoverGraceMs !== undefined && { takeoverGraceMs: options.tuning.takeoverGraceMs }),
    authenticate: (deviceId, password) => verifyDevice(store, deviceId, password),
    roleOf: (deviceId) => store.devices.deviceRole(deviceId),
    onEvents: (deviceId, payload) => {
      active(deviceId);
      ingest.submit(deviceId, payload);
    },
    onRequest: (deviceId, payload) => {
      active(deviceId);
      requests.submit(deviceId, payload);
    },
    onStatus: (deviceId, payload) => {
      bus.publish('device.status', { deviceId, kind: 'status', payload });
    },
    onConnection: (deviceId, online) => {
      bus.publish('device.status', { deviceId, kind: online ? 'connected' : 'disconnected' });
    },
  });
  onShutdown('broker', () => broker.close());

  const publish = (topic: string, payload: string, retain: boolean) => {
    broker.publish(topic, payload, retain);
  };
  const publishRoster = (roster: RosterData) => {
    const message = JSON.stringify({
      ...rosterMessage(
        facilityId,
        store.facility.meta(),
        roster,
        store.guardianPins.all(),
        store.revocations.qrGenerations(),
      ),
      // The kiosks' reversal guard travels with the roster, so a kiosk has it offline too.
      reversalGuardMinutes: store.settings.facilitySettings().reversalGuardMinutes,
    });
    return new Promise<void>((resolve) => {
      broker.publish(topics.roster(facilityId), message, true, resolve);
    });
  };

  // A device removed (`genkan device remove` in another process, or the admin app) loses its connection at
  // the next look, and its next login is refused (its password is gone).
  const dropRemoved = setInterval(() => {
    try {
      for (const id of broker.connectedDevices()) {
        if (store.devices.deviceRole(id) === undefined) broker.disconnect(id);
      }
    } catch (err) {
      logger.error({ err }, 'removed-device check failed');
    }
  }, options.tuning?.rosterPollMs ?? 2000);
  onShutdown('broker', () => {
    clearInterval(dropRemoved);
  });

  bus.on('events.acked', ({ deviceId, ack }) => {
    publish(topics.acks(facilityId, deviceId), JSON.stringify(ack), false);
  });
  bus.on('request.answered', ({ deviceId, response }) => {
    publish(topics.responses(facilityId, deviceId), JSON.stringify(response), false);
  });
  bus.on('rollcall.changed', (rollcall) => {
    publish(topics.rollcall(facilityId), JSON.stringify(rollcall), true);
  });
  // An enrolment's answer waits for this (HubRoster.published): the kiosk gets its card before the "ok".
  bus.on('roster.changed', ({ roster }) => publishRoster(roster));
  // A changed reversal guard reaches the kiosks in the roster they hold (same version, new content).
  bus.on('settings.changed', () => publishRoster(services.roster.current));
  // Today's pickup plans for the kiosks (retained): at start, when plans arrive, and when the day changes
  // (the roll-call is published again then).
  let pickupsDate: string | undefined;
  const publishPickups = () => {
    const date = localDate(clock.now(), timeZone);
    pickupsDate = date;
    publish(topics.pickups(facilityId), JSON.stringify(kioskPickups(store, date)), true);
  };
  publishPickups();
  bus.on('pickups.changed', publishPickups);
  bus.on('rollcall.changed', () => {
    if (localDate(clock.now(), timeZone) !== pickupsDate) publishPickups();
  });
  // A restored hub asks the kiosks to resend what they hold since the backup (retained until served).
  const resync = new RestoreResync({
    dataDir: options.dataDir,
    facilityId,
    store,
    bus,
    publish,
    clock,
    logger: logger.child({ ns: 'hub.resync' }),
  });
  resync.start();
  onShutdown('jobs', () => {
    resync.close();
  });

  return {
    ports: broker.ports,
    stats: () => broker.stats(),
    publishRoster,
    publishTime: () => {
      publish(topics.time(facilityId), JSON.stringify({ now: formatRfc3339(clock.now(), timeZone) }), true);
    },
  };
}

/** A browser app the hub serves: the built one by default, one bundled from `dir`, or none (null). */
function loadHubWebApp(
  name: 'tablet' | 'admin',
  dir: string | null | undefined,
): Promise<WebBundle | undefined> {
  if (dir === null) return Promise.resolve(undefined);
  return dir === undefined ? loadWebApp(name) : bundleWebApp(dir);
}

/**
 * Loads the browser apps and starts the HTTP API (admin token, tablet and admin apps) on HTTPS, and on
 * plain HTTP when its port is given; returns the ports.
 */
export async function startHttp(
  ctx: HubContext,
  services: HubServices,
  adminTokenHash: string,
  mqtt: Pick<HubMqtt, 'ports' | 'stats'>,
  onShutdown: OnShutdown,
): Promise<{ https: number; http?: number }> {
  const { options, store, bus, clock, logger, facilityId, timeZone } = ctx;
  const { roster, rollcall, relay } = services;
  const tabletApp = await loadHubWebApp('tablet', options.tabletAppDir);
  // Without a tablet app (tests), no admin app either unless one is named.
  const adminApp = await loadHubWebApp(
    'admin',
    options.adminAppDir === undefined && options.tabletAppDir === null ? null : options.adminAppDir,
  );
  const settingsChanged = () => {
    // A new facility name moved the roster version: the kiosks are sent it now, not at the next poll.
    roster.refresh();
    bus.publish('settings.changed');
  };

  const listeners = httpListeners({
    tls: { cert: ctx.tls.cert, key: ctx.tls.key },
    httpsPort: options.httpsPort ?? 0,
    ...(options.httpPort !== undefined && { httpPort: options.httpPort }),
  });
  const http = buildHttpApi({
    store,
    logger: logger.child({ ns: 'hub.http' }),
    clock,
    facilityId,
    timeZone,
    adminTokenHash,
    layout: () => rollcall.layoutNow,
    pairing: services.pairing,
    mqttPorts: mqtt.ports,
    brokerStats: mqtt.stats,
    serverFactory: listeners.serverFactory,
    ...(options.trustProxy !== undefined && { trustProxy: options.trustProxy }),
    relayHealth: () => {
      const health = relay?.health();
      return (
        health &&
        withParentFetch(health, parentFetchFailure(services.parentMessages, store.parentAccess), timeZone)
      );
    },
    ...(options.tuning?.parentMessagesStalledSeconds !== undefined && {
      parentMessagesStalledSeconds: options.tuning.parentMessagesStalledSeconds,
    }),
    records: services.records,
    tablet: {
      store,
      clock,
      timeZone,
      logger: logger.child({ ns: 'hub.tablet' }),
      auth: services.staffAuth,
      actions: services.tabletActions,
      notices: services.noticeConfirmations,
      pickups: services.pickupConfirmations,
      push: services.tabletPush,
      view: services.tabletView,
      hasClass: (classId) => roster.current.classes.some((c) => c.id === classId),
      app: tabletApp,
    },
    settingsChanged,
    admin: {
      store,
      clock,
      timeZone,
      logger: logger.child({ ns: 'hub.admin' }),
      auth: services.adminAuth,
      jobs: services.rosterJobs,
      devices: services.deviceStatus,
      settingsChanged,
      app: adminApp,
      tlsFingerprint: ctx.tls.fingerprint,
    },
  });
  onShutdown('http', async () => {
    await http.close();
    await listeners.closePlain();
  });
  return listeners.listen(http, ctx.host);
}
