import type { Logger } from '../common/logger.ts';
import { formatRfc3339, localTime } from '../common/time.ts';
import type { TabletRollcall } from '../protocol/index.ts';
import { AdminAuth } from './admin/auth.ts';
import { DeviceStatusTracker } from './mqtt/device-status.ts';
import type { HubBus } from './events-bus.ts';
import type { HubContext, OnShutdown } from './hub.ts';
import { Ingest, type IngestRoster } from './mqtt/ingest.ts';
import { PairingService } from './access/pairing.ts';
import { Records } from './records/service.ts';
import { ParentMessageFetcher } from './parents/message-fetcher.ts';
import { NoticeApplier } from './parents/notice-apply.ts';
import { NoticeConfirmations } from './parents/notice-confirm.ts';
import { PickupConfirmations } from './parents/pickup-confirm.ts';
import { CloudCatchUp } from './relay/catch-up.ts';
import { parentFetchFailure, parentMessagesStalled } from './relay/health.ts';
import { backoffDelay, Relay } from './relay/relay.ts';
import { DeviceRequests } from './mqtt/requests.ts';
import { RollcallService } from './rollcall/rollcall.ts';
import { RosterJobs } from './facility/roster-job.ts';
import { SHORT_ADMIN_PIN_WARNING } from './access/staff-accounts.ts';
import { StaffAuth } from './access/staff.ts';
import type { StoreOf } from './store/hub-store.ts';
import type { RosterData } from './store/roster.ts';
import { TabletActions } from './tablet/actions.ts';
import { TabletPush } from './tablet/push.ts';
import { buildTabletRollcall } from './tablet/view.ts';

/**
 * The hub's copy of the roster, which ingest checks events against. Reloaded when the stored roster's
 * version moved: an import by `genkan roster import` (another process, seen by the poll or by an unknown
 * child), or a change made here (a card enrolment, an import from the admin app).
 */
export class HubRoster implements IngestRoster {
  private readonly store: StoreOf<'roster'>;
  private readonly bus: HubBus;
  private readonly logger: Logger;
  private version: number;
  private roster: RosterData;
  private childIds: Set<string>;
  private guardianships: Set<string>;
  private handedOn: Promise<void> = Promise.resolve();

  constructor(options: { store: StoreOf<'roster'>; bus: HubBus; logger: Logger }) {
    this.store = options.store;
    this.bus = options.bus;
    this.logger = options.logger;
    this.version = this.store.roster.rosterVersion();
    this.roster = this.store.roster.read();
    this.childIds = childIdsOf(this.roster);
    this.guardianships = guardianPairs(this.roster);
  }

  get current(): RosterData {
    return this.roster;
  }

  /** Settles once the listeners of the latest change are done with it (the kiosks were sent it). */
  get published(): Promise<void> {
    return this.handedOn;
  }

  hasChild(childId: string): boolean {
    return this.childIds.has(childId);
  }

  isGuardianOf(guardianId: string, childId: string): boolean {
    return this.guardianships.has(`${guardianId}/${childId}`);
  }

  refresh(): void {
    const version = this.store.roster.rosterVersion();
    if (version === this.version) return;
    this.version = version;
    this.roster = this.store.roster.read();
    this.childIds = childIdsOf(this.roster);
    this.guardianships = guardianPairs(this.roster);
    this.logger.info({ version, children: this.childIds.size }, 'roster changed');
    this.handedOn = this.bus.publishAndWait('roster.changed', { roster: this.roster, version });
  }
}

function childIdsOf(roster: RosterData): Set<string> {
  return new Set(roster.children.map((c) => c.id));
}

/** guardianId/childId of every guardianship on the roster: what a kiosk's events are checked against. */
function guardianPairs(roster: RosterData): Set<string> {
  return new Set(roster.guardians.flatMap((g) => g.childIds.map((c) => `${g.id}/${c}`)));
}

/** The hub's services, built before anything listens; they tell each other things over the bus. */
export interface HubServices {
  roster: HubRoster;
  rollcall: RollcallService;
  /** Only with a cloud; constructed (its options checked) here, started once the hub is up. */
  relay: Relay | undefined;
  /** Only with a cloud: fetches parents' notices (long-poll), started with the relay. */
  parentMessages: ParentMessageFetcher | undefined;
  /** Staff's confirmations (確認) of parents' notices on the tablets. */
  noticeConfirmations: NoticeConfirmations;
  /** Staff's confirmations (確認) of parents' pickup plans on the tablets. */
  pickupConfirmations: PickupConfirmations;
  ingest: Ingest;
  requests: DeviceRequests;
  /** What the broker hears of each device, for the admin app's device list. */
  deviceStatus: DeviceStatusTracker;
  /**
   * Pairing codes are read from the database on every request: `genkan device pair` (another process)
   * writes them while the hub runs, and nothing needs to be told.
   */
  pairing: PairingService;
  staffAuth: StaffAuth;
  adminAuth: AdminAuth;
  tabletView: () => TabletRollcall;
  tabletPush: TabletPush;
  tabletActions: TabletActions;
  rosterJobs: RosterJobs;
  /** Past-day corrections, open days and month close (edge-hub/records). */
  records: Records;
}

/** A restored hub's catch-up from the cloud, before its relay sends anything (edge-hub/relay/catch-up.ts). */
function restoredHubCatchUp(
  ctx: HubContext,
  cloud: { url: string; token: string },
  onShutdown: OnShutdown,
): CloudCatchUp {
  const stopping = new AbortController();
  // A step before 'relay': relay.close() waits for the catch-up in flight, so aborting it in the same
  // step (run after the close, registered earlier) held the shutdown until the request's timeout.
  onShutdown('jobs', () => {
    stopping.abort();
  });
  return new CloudCatchUp({
    baseUrl: cloud.url.replace(/\/+$/, ''),
    token: cloud.token,
    facilityId: ctx.facilityId,
    timeZone: ctx.timeZone,
    dataDir: ctx.options.dataDir,
    store: ctx.store,
    logger: ctx.logger.child({ ns: 'hub.catch-up' }),
    clock: ctx.clock,
    timeoutMs: ctx.options.tuning?.relay?.timeoutMs ?? 15_000,
    onStored: (stored) => {
      ctx.bus.publish('events.stored', stored);
    },
    stopping: stopping.signal,
  });
}

/** The fetch of parents' notices from the cloud (edge-hub/parents), backing off like the relay. */
function parentMessageFetcher(
  ctx: HubContext,
  cloud: { url: string; token: string },
  wiring: { ingest: Ingest; onStored: () => void; onPickups: () => void; ready?: () => boolean },
): ParentMessageFetcher {
  const { store, clock, logger, timeZone } = ctx;
  const relayTuning = ctx.options.tuning?.relay;
  const baseMs = relayTuning?.baseDelayMs ?? 500;
  const maxMs = relayTuning?.maxDelayMs ?? 30_000;
  const applier = new NoticeApplier({
    store,
    ingest: wiring.ingest,
    clock,
    timeZone,
    logger: logger.child({ ns: 'hub.parents' }),
    onStored: wiring.onStored,
    onPickups: wiring.onPickups,
  });
  return new ParentMessageFetcher({
    baseUrl: cloud.url.replace(/\/+$/, ''),
    token: cloud.token,
    store,
    apply: (page) => {
      applier.apply(page);
    },
    logger: logger.child({ ns: 'hub.parents' }),
    clock,
    backoff: (attempt) => Math.max(1, backoffDelay(attempt, baseMs, maxMs, Math.random)),
    configErrorDelayMs: relayTuning?.configErrorDelayMs ?? 60_000,
    ...(wiring.ready !== undefined && { ready: wiring.ready }),
    ...ctx.options.tuning?.parentMessages,
  });
}

/** Builds the services and subscribes each to what it reacts to. */
export function buildServices(ctx: HubContext, onShutdown: OnShutdown): HubServices {
  const { options, store, bus, clock, logger, facilityId, timeZone } = ctx;
  const tuning = options.tuning;
  const format = (d: Date) => formatRfc3339(d, timeZone);

  const roster = new HubRoster({ store, bus, logger });

  const rollcall = new RollcallService({
    store,
    clock,
    logger: logger.child({ ns: 'hub.rollcall' }),
    facilityId,
    timeZone,
    roster: roster.current,
    publish: (r) => {
      bus.publish('rollcall.changed', r);
    },
    ...(tuning?.rollcallThrottleMs !== undefined && { throttleMs: tuning.rollcallThrottleMs }),
  });
  onShutdown('rollcall', () => {
    rollcall.close();
  });

  const catchUp =
    options.cloud && CloudCatchUp.pending(options.dataDir)
      ? restoredHubCatchUp(ctx, options.cloud, onShutdown)
      : undefined;
  const relay =
    options.cloud &&
    new Relay({
      url: options.cloud.url,
      token: options.cloud.token,
      facilityId,
      timeZone,
      store,
      logger: logger.child({ ns: 'hub.relay' }),
      clock,
      ...tuning?.relay,
      ...(catchUp !== undefined && { catchUp }),
    });

  const ingest = new Ingest({
    store,
    clock,
    logger: logger.child({ ns: 'hub.ingest' }),
    roster,
    undoWindowMs: () => store.settings.facilitySettings().undoWindowMinutes * 60_000,
    publishAck: (deviceId, ack) => {
      bus.publish('events.acked', { deviceId, ack });
    },
    onCommitted: (stored) => {
      bus.publish('events.stored', stored);
    },
  });
  onShutdown('ingest', () => {
    ingest.close();
  });

  const requests = new DeviceRequests({
    store,
    clock,
    logger: logger.child({ ns: 'hub.requests' }),
    publishResponse: (deviceId, response) => {
      bus.publish('request.answered', { deviceId, response });
    },
    onRosterChanged: () => {
      roster.refresh();
      return roster.published;
    },
  });
  onShutdown('requests', () => {
    requests.close();
  });

  const parentMessages =
    options.cloud &&
    parentMessageFetcher(ctx, options.cloud, {
      ingest,
      ...(catchUp !== undefined && { ready: () => catchUp.done }),
      // New notices show on the tablets at once (absences through events.stored too); started after this.
      onStored: () => {
        tabletPush.changed();
      },
      // Pickup plans: the kiosks' retained plans of the day (hub-listeners.ts).
      onPickups: () => {
        bus.publish('pickups.changed');
      },
    });

  // Since when parents' messages have failed to arrive, once that is past the warning's threshold.
  const parentsStalledSince = (): Date | null => {
    const since = parentMessages?.lastError()?.since;
    if (!since || !parentMessagesStalled(since, clock.now(), tuning?.parentMessagesStalledSeconds))
      return null;
    return parentFetchFailure(parentMessages, store.parentAccess) === null ? null : since;
  };

  const staffAuth = new StaffAuth({ store, clock, format });
  const viewSource = {
    store,
    clock,
    facilityId,
    // Read each time: the name is a setting (PATCH /api/settings) and may change while the hub runs.
    get facilityName() {
      return store.facility.meta().facilityName ?? ctx.facilityName;
    },
    timeZone,
    roster: () => roster.current,
    parentMessagesStalledSince: parentsStalledSince,
  };
  const tabletView = () => buildTabletRollcall(viewSource);
  const tabletPush = new TabletPush({
    logger: logger.child({ ns: 'hub.tablet' }),
    build: tabletView,
    sessionLive: (tokenHash) => staffAuth.stillLive(tokenHash),
    // The minute, and parents' messages stalling or arriving again: each changes what the tablets show.
    timeKey: () => `${localTime(clock.now(), timeZone)} ${parentsStalledSince()?.toISOString() ?? ''}`,
    ...tuning?.tabletPush,
  });
  onShutdown('tablet-push', () => {
    tabletPush.close();
  });

  const deviceStatus = new DeviceStatusTracker({ clock });

  // Who reacts to what, in the order the listeners run.
  bus.on('events.stored', (stored) => {
    rollcall.onCommitted(stored);
  });
  if (relay) {
    bus.on('events.stored', () => {
      relay.notify();
    });
  }
  bus.on('roster.changed', (change) => {
    rollcall.setRoster(change.roster);
  });
  for (const name of ['roster.changed', 'rollcall.changed', 'settings.changed'] as const) {
    bus.on(name, () => {
      tabletPush.changed();
    });
  }
  bus.on('device.status', (signal) => {
    deviceStatus.apply(signal);
  });

  // A confirmation of a notice or a pickup plan: every tablet shows it, and the parent is to see it within
  // seconds, not at the relay's next look.
  const confirmed = (): void => {
    tabletPush.changed();
    relay?.notify();
  };

  return {
    roster,
    rollcall,
    relay,
    parentMessages,
    noticeConfirmations: new NoticeConfirmations({
      store,
      roster: () => roster.current,
      logger: logger.child({ ns: 'hub.tablet' }),
      onConfirmed: confirmed,
    }),
    pickupConfirmations: new PickupConfirmations({
      store,
      roster: () => roster.current,
      logger: logger.child({ ns: 'hub.tablet' }),
      onConfirmed: confirmed,
    }),
    ingest,
    requests,
    deviceStatus,
    pairing: new PairingService({ store, clock }),
    staffAuth,
    adminAuth: new AdminAuth({
      store,
      clock,
      format,
      onShortAdminPin: (staffId) => {
        logger.warn({ staffId }, SHORT_ADMIN_PIN_WARNING);
      },
    }),
    tabletView,
    tabletPush,
    tabletActions: new TabletActions({
      store,
      clock,
      timeZone,
      ingest,
      logger: logger.child({ ns: 'hub.tablet' }),
    }),
    records: new Records({
      store,
      clock,
      timeZone,
      facilityId,
      logger: logger.child({ ns: 'hub.records' }),
      // Like ingest's commits: the roll-call, the tablets and the relay see the corrections' events.
      onCommitted: (stored) => {
        bus.publish('events.stored', stored);
      },
    }),
    rosterJobs: new RosterJobs({
      store,
      logger: logger.child({ ns: 'hub.admin' }),
      // Picked up at once rather than at the next roster poll.
      onImported: () => {
        roster.refresh();
      },
    }),
  };
}
