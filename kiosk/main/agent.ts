import type { Readable, Writable } from 'node:stream';
import { ID_RE, type Credential } from '../../protocol/index.ts';
import type { Logger } from '../../common/logger.ts';
import { systemClock, type Clock } from '../../common/time.ts';
import type { CredentialReader } from '../../hardware/reader.ts';
import type { KioskOutputLine, ReadyLine, TapLine } from '../common/output.ts';
import type { EnrollmentView, FamilyChoice, ReaderView, UiReply } from '../common/ui-api.ts';
import { KIOSK_DEFAULTS } from './defaults.ts';
import { KioskError } from './errors.ts';
import { HubLink } from './hub-link.ts';
import type { ClockState, KioskClock } from './kiosk-clock.ts';
import { KioskStore } from './store/kiosk-store.ts';
import type { OutboxCounts } from './store/outbox.ts';
import { OutboxSender } from './sender.ts';
import { StaffPin } from './staff-pin.ts';
import { CardEnrolment } from './agent/enrolment.ts';
import { FacilityState, resolveFacility } from './agent/facility.ts';
import { GuardianPins } from './agent/guardian-pin.ts';
import { HubMessages } from './agent/hub-messages.ts';
import { KioskResync } from './agent/resync.ts';
import { KioskLifecycle } from './agent/lifecycle.ts';
import { Maintenance, type MaintenanceInfo } from './agent/maintenance.ts';
import { OpenTaps, type AmendCommand, type OpenTapView } from './agent/open-taps.ts';
import { KioskOutput } from './agent/output.ts';
import { ReaderEvents, ReaderSet, resolveReaders } from './agent/readers.ts';
import { StatusPublisher } from './agent/status.ts';
import { API_READER, Taps } from './agent/taps.ts';
import { createKioskClock } from './agent/time.ts';

export { API_READER } from './agent/taps.ts';

/** The reader name of tap lines from the family chooser's PIN pad. */
export const PIN_READER = 'pin';
export { RECENT_EVENTS, type MaintenanceInfo } from './agent/maintenance.ts';
export type { AmendCommand, OpenTapView } from './agent/open-taps.ts';

export interface KioskOptions {
  /** Directory of kiosk.sqlite (created if missing). */
  dataDir: string;
  /** mqtts://HOST:PORT of the hub's broker (mqtt:// for a --plain hub). */
  hubUrl: string;
  deviceId: string;
  password: string;
  /** PEM of the hub's CA, pinned at pairing or given as --hub-ca: the only CA trusted for the link. */
  hubCa?: string;
  /** Reader objects, or specs for createReader (`stdin`, `sim`, `sim:FILE`). */
  readers: readonly (CredentialReader | string)[];
  /** The same credential again within this window is ignored; 0 turns debouncing off. */
  debounceMs?: number;
  /**
   * Overrides the facility's reversal guard (the roster's reversalGuardMinutes) in ms; 0 turns it off
   * (load tests that tap the same card again and again). Absent: the roster's, else 10 minutes.
   */
  reversalGuardMs?: number;
  /** Bind to this facility instead of learning it from the first roster. */
  facilityId?: string;
  logger: Logger;
  clock?: Clock;
  /** Receives every output line (the CLI prints them as JSON lines on stdout). */
  output: (line: KioskOutputLine) => void;
  /** Input and menu streams of readers created from specs (process.stdin / process.stderr by default). */
  readerInput?: Readable;
  readerOutput?: Writable;
  /** MQTT reconnect period; ~1 s by default. */
  reconnectPeriodMs?: number;
  connectTimeoutMs?: number;
  keepaliveSeconds?: number;
  /** An event unacknowledged this long on a live connection is sent again; 10 s by default. */
  ackTimeoutMs?: number;
  /** Events per MQTT message (100) and unacknowledged events in flight at most (500). */
  batchSize?: number;
  maxInFlight?: number;
  /** Outbox depth is published in the status at most this often; 1 s by default. */
  statusIntervalMs?: number;
  /** A recorded tap can be amended (undo, change direction, leave a child out) this long after its last
   * change; 20 s by default. */
  amendWindowMs?: number;
  /** Extra fields of the ready line (the screen's address in browser mode). */
  readyInfo?: Pick<ReadyLine, 'ui'>;
  /** The software version, reported in the device status (the admin app's device list). */
  version?: string;
  /** A card enrolment the hub has not answered this long after the card was read fails; 10 s by default. */
  enrollTimeoutMs?: number;
  /**
   * Events the hub acknowledged (or rejected) are deleted from the outbox after this many days, so a
   * kiosk's disk does not fill over the years; 30 by default. Unacknowledged events are never deleted.
   */
  retentionDays?: number;
}

export interface KioskState {
  online: boolean;
  facilityId: string | undefined;
  facilityName: string | undefined;
  /** The roster's time zone, once a roster is held. */
  timeZone: string | undefined;
  readers: ReaderView[];
  rosterVersion: number | undefined;
  ready: boolean;
  outbox: OutboxCounts;
  /** Events sent on the current connection and not yet acknowledged. */
  inFlight: number;
  /** The kiosk's clock against the hub's (as in the device status). */
  clock: ClockState;
}

export interface Kiosk {
  readonly deviceId: string;
  /** Resolves with the ready line once it has been output. */
  readonly ready: Promise<ReadyLine>;
  /**
   * A tap, as if a reader had read the credential; returns the line it output. `reader` is the name the
   * line carries (API_READER by default). No reader feedback is given: there is no reader to give it.
   * Resolves after the taps before it: a card's hash is computed off the event loop.
   */
  tap(credential: Credential, reader?: string): Promise<TapLine>;
  state(): KioskState;
  /** Amends a recorded tap from its result screen; refused once the tap is closed or too old. */
  amend(command: AmendCommand): UiReply;
  /** The tap as its result screen shows it; undefined when unknown or long gone. */
  tapView(tapId: string): OpenTapView | undefined;
  /** Checks the staff PIN of the maintenance screen: ok, or bad_pin / locked_out / no_pin. */
  verifyStaffPin(pin: string): UiReply;
  maintenanceInfo(): MaintenanceInfo;
  /** Card enrolment progress (idle unless staff started one). */
  enrollment(): EnrollmentView;
  /**
   * The next card read by any card reader becomes this guardian's new card: it is sent to the hub as a
   * keyed hash instead of being taken as a tap. Refused while offline, or while a card is being sent.
   */
  startEnrollment(guardianId: string): UiReply;
  /** Back to idle: card taps are check-ins again. A card already sent may still be stored by the hub. */
  cancelEnrollment(): UiReply;
  /** The "no card" family chooser's guardians (empty without a roster). */
  families(): FamilyChoice[];
  /**
   * A guardian's PIN from the family chooser, checked offline: right → a tap with method `pin` (its line
   * is output as any tap's) and ok; else bad_pin, locked_out, no_pin, unknown_guardian or no_roster.
   */
  guardianPinTap(guardianId: string, pin: string): UiReply;
  /** Every output line, as `output` gets them; returns an unsubscribe. */
  subscribe(listener: (line: KioskOutputLine) => void): () => void;
  /** Stops the readers, says goodbye to the hub (retained offline status) and closes the store. */
  close(): Promise<void>;
}

/**
 * Starts the kiosk agent: readers → tap decision → durable outbox → hub. Resolves once the store is open
 * and the readers are reading; the hub connection is made in the background and never awaited, so a
 * kiosk with a cached roster works (and becomes ready) while the hub is down.
 */
export async function startKiosk(options: KioskOptions): Promise<Kiosk> {
  const agent = new KioskAgent(options);
  try {
    await agent.start();
  } catch (err) {
    await agent.close();
    throw err;
  }
  return agent;
}

/**
 * The facade other code uses: it builds the parts (taps, open taps, hub messages, enrolment, status,
 * maintenance) around one store and one hub link, and delegates to them.
 */
class KioskAgent implements Kiosk {
  readonly deviceId: string;
  readonly ready: Promise<ReadyLine>;
  readonly #options: KioskOptions;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #output: KioskOutput;
  readonly #store: KioskStore;
  readonly #facility: FacilityState;
  /** The time of stamps, QR expiry and the business day: local, or corrected by the hub's time. */
  readonly #time: KioskClock;
  readonly #lifecycle: KioskLifecycle;
  readonly #readers = new ReaderSet();
  readonly #sender: OutboxSender;
  readonly #link: HubLink;
  readonly #status: StatusPublisher;
  readonly #enrolment: CardEnrolment;
  readonly #hub: HubMessages;
  readonly #openTaps: OpenTaps;
  readonly #taps: Taps;
  readonly #readerEvents: ReaderEvents;
  readonly #maintenance: Maintenance;
  readonly #guardianPins: GuardianPins;
  #closing: Promise<void> | undefined;

  constructor(options: KioskOptions) {
    if (!ID_RE.test(options.deviceId)) {
      throw new KioskError('bad_device_id', 'device id must be 1–64 letters, digits, _ or -');
    }
    if (options.facilityId !== undefined && !ID_RE.test(options.facilityId)) {
      throw new KioskError('bad_facility_id', 'facility id must be 1–64 letters, digits, _ or -');
    }
    const deviceId = options.deviceId;
    this.deviceId = deviceId;
    this.#options = options;
    const logger = options.logger.child({ ns: 'kiosk', deviceId });
    const clock = options.clock ?? systemClock;
    this.#logger = logger;
    this.#clock = clock;
    const output = new KioskOutput(options.output, logger);
    this.#output = output;
    const store = KioskStore.open(options.dataDir);
    this.#store = store;
    try {
      store.identity.bindDevice(deviceId);
      this.#facility = new FacilityState(resolveFacility(store, options.facilityId, logger));
    } catch (err) {
      store.close();
      throw err;
    }
    const facility = this.#facility;
    const time = createKioskClock(store, clock, logger);
    this.#time = time;
    const lifecycle = new KioskLifecycle({
      deviceId,
      readyInfo: options.readyInfo,
      facility,
      store,
      output,
    });
    this.#lifecycle = lifecycle;
    this.ready = lifecycle.ready;
    // The link calls back into parts that need the link themselves: its handlers (and the sender's
    // publish) reach them through this facade, built in full before the link starts in start().
    const sender = new OutboxSender({
      store,
      publish: (payload) => {
        this.#link.publishEvents(payload);
      },
      logger: logger.child({ ns: 'kiosk.sender' }),
      ...(options.batchSize !== undefined && { batchSize: options.batchSize }),
      ...(options.maxInFlight !== undefined && { maxInFlight: options.maxInFlight }),
      ...(options.ackTimeoutMs !== undefined && { ackTimeoutMs: options.ackTimeoutMs }),
    });
    this.#sender = sender;
    const link = new HubLink(
      {
        url: options.hubUrl,
        ...(options.hubCa !== undefined && { ca: options.hubCa }),
        deviceId,
        password: options.password,
        logger: logger.child({ ns: 'kiosk.link' }),
        reconnectPeriodMs: options.reconnectPeriodMs ?? KIOSK_DEFAULTS.reconnectPeriodMs,
        connectTimeoutMs: options.connectTimeoutMs ?? KIOSK_DEFAULTS.connectTimeoutMs,
        keepaliveSeconds: options.keepaliveSeconds ?? KIOSK_DEFAULTS.keepaliveSeconds,
      },
      {
        online: () => {
          output.emit({ type: 'connection', online: true });
          sender.connected();
        },
        offline: () => {
          sender.disconnected();
          if (!lifecycle.closed) output.emit({ type: 'connection', online: false });
        },
        message: (topic, payload, retained) => {
          this.#hub.onMessage(topic, payload, retained);
        },
        status: () => this.#status.current(true),
      },
    );
    this.#link = link;
    const status = new StatusPublisher({
      store,
      time,
      facility,
      readers: this.#readers,
      link,
      lifecycle,
      version: options.version,
      intervalMs: options.statusIntervalMs ?? KIOSK_DEFAULTS.statusIntervalMs,
    });
    this.#status = status;
    const enrolment = new CardEnrolment({
      logger,
      facility,
      link,
      output,
      lifecycle,
      timeoutMs: options.enrollTimeoutMs ?? KIOSK_DEFAULTS.enrollTimeoutMs,
    });
    this.#enrolment = enrolment;
    const resync = new KioskResync({ logger, store, sender, status });
    this.#hub = new HubMessages({
      resync,
      deviceId,
      logger,
      clock,
      store,
      facility,
      link,
      sender,
      time,
      output,
      lifecycle,
      status,
      enrolment,
    });
    const recording = { deviceId, logger, clock, time, store, facility, output, sender, status, lifecycle };
    this.#openTaps = new OpenTaps({
      ...recording,
      amendWindowMs: options.amendWindowMs ?? KIOSK_DEFAULTS.amendWindowMs,
    });
    this.#taps = new Taps({
      ...recording,
      openTaps: this.#openTaps,
      enrolment,
      debounceMs: options.debounceMs ?? KIOSK_DEFAULTS.debounceMs,
      reversalGuardMs: options.reversalGuardMs,
    });
    this.#readerEvents = new ReaderEvents({
      readers: this.#readers,
      taps: this.#taps,
      output,
      status,
      lifecycle,
      logger,
    });
    this.#guardianPins = new GuardianPins({
      store,
      facility,
      clock,
      logger: logger.child({ ns: 'kiosk.guardian-pin' }),
    });
    this.#maintenance = new Maintenance({
      hubUrl: options.hubUrl,
      store,
      staffPin: new StaffPin({ store, logger: logger.child({ ns: 'kiosk.maintenance' }), clock }),
      facility,
      lifecycle,
      clock,
      logger,
      retentionDays: options.retentionDays ?? KIOSK_DEFAULTS.retentionDays,
    });
  }

  async start(): Promise<void> {
    this.#hub.restore();
    const readers = resolveReaders(this.#options.readers, {
      logger: this.#logger.child({ ns: 'kiosk.reader' }),
      clock: this.#clock,
      input: this.#options.readerInput,
      output: this.#options.readerOutput,
    });
    for (const reader of readers) this.#readerEvents.attach(reader);
    await this.#readerEvents.open();
    this.#lifecycle.readersOpened();
    this.#logger.info(
      {
        facilityId: this.#facility.id ?? null,
        readers: this.#readers.all.map((r) => r.name),
        outbox: this.#store.outbox.pendingCount(),
      },
      'kiosk started',
    );
    this.#link.start(this.#facility.id);
    this.#lifecycle.maybeReady();
    this.#maintenance.startRetention();
  }

  tap(credential: Credential, reader: string = API_READER): Promise<TapLine> {
    return this.#taps.tap(credential, reader);
  }

  state(): KioskState {
    const held = this.#facility.roster;
    return {
      online: this.#link.online,
      facilityId: this.#facility.id,
      facilityName: held?.roster.facilityName,
      timeZone: held?.roster.timeZone,
      readers: this.#readers.views(),
      rosterVersion: held?.roster.version,
      ready: this.#lifecycle.isReady,
      outbox: this.#store.outbox.counts(),
      inFlight: this.#sender.inFlight,
      clock: this.#time.state(),
    };
  }

  subscribe(listener: (line: KioskOutputLine) => void): () => void {
    return this.#output.subscribe(listener);
  }

  families(): FamilyChoice[] {
    return this.#lifecycle.closed ? [] : this.#guardianPins.families();
  }

  guardianPinTap(guardianId: string, pin: string): UiReply {
    if (this.#lifecycle.closed) return { ok: false, code: 'closed', message: 'the kiosk is shutting down' };
    const checked = this.#guardianPins.check(guardianId, pin);
    if (!checked.ok) return checked.reply;
    const line = this.#taps.forGuardian(checked.guardian, PIN_READER);
    return line.result === 'error' ? { ok: false, code: line.code, message: line.message } : { ok: true };
  }

  tapView(tapId: string): OpenTapView | undefined {
    return this.#openTaps.view(tapId);
  }

  amend(command: AmendCommand): UiReply {
    return this.#openTaps.amend(command);
  }

  verifyStaffPin(pin: string): UiReply {
    return this.#maintenance.verifyStaffPin(pin);
  }

  maintenanceInfo(): MaintenanceInfo {
    return this.#maintenance.info();
  }

  enrollment(): EnrollmentView {
    return this.#enrolment.view();
  }

  startEnrollment(guardianId: string): UiReply {
    return this.#enrolment.start(guardianId);
  }

  cancelEnrollment(): UiReply {
    return this.#enrolment.cancel();
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#lifecycle.markClosed();
    this.#maintenance.close();
    this.#enrolment.close();
    await this.#readerEvents.close();
    // A tap whose hash is being computed ends (as `closed`) before the store closes.
    await this.#taps.idle();
    this.#sender.close();
    this.#status.close();
    try {
      await this.#link.close(this.#status.current(false));
    } catch (err) {
      this.#logger.warn({ err }, 'closing the hub connection failed');
    }
    this.#store.close();
    this.#logger.info('kiosk stopped');
  }
}
