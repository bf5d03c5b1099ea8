import type { KeyObject } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import type { z } from 'zod';
import {
  AckSchema,
  credentialHash,
  DeviceRequestSchema,
  DeviceResponseSchema,
  describeIssues,
  HubTimeSchema,
  ID_RE,
  importQrPublicKey,
  RollcallSchema,
  RosterSchema,
  verifyGuardianQr,
  type AttendanceEvent,
  type Credential,
  type DeviceRequest,
  type DeviceStatus,
  type ParsedTopic,
  type Rollcall,
  type Roster,
} from '../../protocol/index.ts';
import { errorMessage, GenkanError } from '../../common/errors.ts';
import { newEventId } from '../../common/ids.ts';
import type { Logger } from '../../common/logger.ts';
import { formatRfc3339, isValidTimeZone, localDate, systemClock, type Clock } from '../../common/time.ts';
import { createReaders, type CredentialReader } from '../../hardware/reader.ts';
import {
  childrenOf,
  decideForGuardian,
  indexRoster,
  type RosterChild,
  type RosterGuardian,
  type RosterIndex,
  type TapDirection,
} from '../common/decide.ts';
import {
  FEEDBACK_BY_RESULT,
  qrRefusalMessage,
  type AmendOp,
  type KioskOutputLine,
  type ReadyLine,
  type TapLine,
  type TapOutcome,
  type TapResult,
} from '../common/output.ts';
import type {
  ChildView,
  EnrollmentView,
  GuardianChoice,
  ReaderView,
  RecentEvent,
  UiCommand,
  UiReply,
} from '../common/ui-api.ts';
import { KioskError } from './errors.ts';
import { HubLink } from './hub-link.ts';
import { KioskClock, type ClockReading, type ClockState } from './kiosk-clock.ts';
import { KioskStore, type Cached, type EventDraft, type OutboxCounts } from './outbox.ts';
import { OutboxSender, SENDER_DEFAULTS } from './sender.ts';
import { StaffPin, StaffPinError } from './staff-pin.ts';

export interface KioskOptions {
  /** Directory of kiosk.sqlite (created if missing). */
  dataDir: string;
  /** mqtt://HOST:PORT of the hub's broker. */
  hubUrl: string;
  deviceId: string;
  password: string;
  /** Reader objects, or specs for createReader (`stdin`, `sim`, `sim:FILE`). */
  readers: readonly (CredentialReader | string)[];
  /** The same credential again within this window is ignored; 0 turns debouncing off. */
  debounceMs?: number;
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

export const KIOSK_DEFAULTS = {
  debounceMs: 30_000,
  reconnectPeriodMs: 1000,
  connectTimeoutMs: 5000,
  keepaliveSeconds: 15,
  statusIntervalMs: 1000,
  amendWindowMs: 20_000,
  enrollTimeoutMs: 10_000,
  retentionDays: 30,
  ...SENDER_DEFAULTS,
} as const;

/** Recent events the maintenance screen lists. */
export const RECENT_EVENTS = 20;

/** The maintenance screen's content that only the agent knows (the rest is in KioskState). */
export interface MaintenanceInfo {
  /** The hub address without any user name or password in it. */
  hubUrl: string;
  /** The last RECENT_EVENTS events recorded here, newest first. */
  recent: RecentEvent[];
  /** Every guardian on the roster, for the enrolment picker (empty without a roster). */
  guardians: GuardianChoice[];
}

/** The reader name of tap lines from Kiosk.tap() called without one. */
export const API_READER = 'api';

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
   */
  tap(credential: Credential, reader?: string): TapLine;
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
  /** Every output line, as `output` gets them; returns an unsubscribe. */
  subscribe(listener: (line: KioskOutputLine) => void): () => void;
  /** Stops the readers, says goodbye to the hub (retained offline status) and closes the store. */
  close(): Promise<void>;
}

export type AmendCommand = Extract<UiCommand, { op: AmendOp }>;

export interface OpenTapView {
  tapId: string;
  at: string;
  guardian: { id: string; name: string };
  children: ChildView[];
  closed: boolean;
  undone: boolean;
}

/** A recorded tap whose result screen may still change it. */
interface OpenTap {
  tapId: string;
  guardian: RosterGuardian;
  method: 'card' | 'qr';
  at: string;
  children: { child: RosterChild; className: string; direction: TapDirection; eventId: string | null }[];
  /** Monotonic ms of the last change: the amend window runs from it. */
  touchedAt: number;
  closed: boolean;
  undone: boolean;
}

/** Open taps kept for amendment; older ones are closed (one screen shows one tap at a time). */
const OPEN_TAPS_MAX = 8;

interface RosterHeld {
  roster: Roster;
  index: RosterIndex;
  /** The roster's qrPublicKey, imported once: signed QR codes are verified offline with it. */
  qrKey: KeyObject;
  /** Canonical JSON, to tell a changed roster from the same one retained again. */
  json: string;
}

/** The hub URL as the maintenance screen may show it: without user name, password, query or fragment. */
function publicHubUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '';
  }
}

/** The event field for a stamp made while the kiosk's clock was in doubt (nothing when it was not). */
function clockDoubt(reading: ClockReading): Pick<EventDraft, 'clockDoubt'> {
  return reading.doubt === undefined ? {} : { clockDoubt: reading.doubt };
}

/** Parses an inbound MQTT payload against a schema; undefined (and a log line) when invalid. */
function parsePayload<T>(payload: Buffer, schema: z.ZodType<T>, what: string, logger: Logger): T | undefined {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    logger.warn({ what }, 'ignoring a payload that is not JSON');
    return undefined;
  }
  const r = schema.safeParse(json);
  if (r.success) return r.data;
  logger.warn({ what, issue: describeIssues(r.error) }, 'ignoring an invalid payload');
  return undefined;
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

class KioskAgent implements Kiosk {
  readonly deviceId: string;
  readonly ready: Promise<ReadyLine>;
  readonly #options: KioskOptions;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #debounceMs: number;
  readonly #statusIntervalMs: number;
  readonly #amendWindowMs: number;
  readonly #enrollTimeoutMs: number;
  readonly #staffPin: StaffPin;
  readonly #listeners = new Set<(line: KioskOutputLine) => void>();
  readonly #openTaps = new Map<string, OpenTap>();
  /** Reader name → attached; readers without attach events (stdin, sim) count as attached. */
  readonly #readerAttached = new Map<CredentialReader, boolean>();
  readonly #store: KioskStore;
  /** The time of stamps, QR expiry and the business day: local, or corrected by the hub's time. */
  readonly #time: KioskClock;
  readonly #sender: OutboxSender;
  readonly #link: HubLink;
  readonly #readers: CredentialReader[] = [];
  readonly #unsubscribe: (() => void)[] = [];
  /** Credential hash → when it was last taken; hashes only, so no card id sits in memory longer than a tap. */
  readonly #lastTaps = new Map<string, number>();
  #resolveReady: (line: ReadyLine) => void = () => undefined;
  #facilityId: string | undefined;
  #roster: RosterHeld | undefined;
  #rollcall: Cached<Rollcall> | undefined;
  #readersOpen = false;
  #readyDone = false;
  #closed = false;
  #closing: Promise<void> | undefined;
  #statusTimer: NodeJS.Timeout | undefined;
  #statusAt = 0;
  #statusDepth: number | undefined;
  #pruneTimer: NodeJS.Timeout | undefined;
  #enroll: EnrollmentView = { status: 'idle' };
  /** The enrolment request awaiting the hub's response. */
  #enrollRequest: { id: string; timer: NodeJS.Timeout } | undefined;

  constructor(options: KioskOptions) {
    if (!ID_RE.test(options.deviceId)) {
      throw new KioskError('bad_device_id', 'device id must be 1–64 letters, digits, _ or -');
    }
    if (options.facilityId !== undefined && !ID_RE.test(options.facilityId)) {
      throw new KioskError('bad_facility_id', 'facility id must be 1–64 letters, digits, _ or -');
    }
    this.deviceId = options.deviceId;
    this.#options = options;
    this.#logger = options.logger.child({ ns: 'kiosk', deviceId: options.deviceId });
    this.#clock = options.clock ?? systemClock;
    this.#debounceMs = options.debounceMs ?? KIOSK_DEFAULTS.debounceMs;
    this.#statusIntervalMs = options.statusIntervalMs ?? KIOSK_DEFAULTS.statusIntervalMs;
    this.#amendWindowMs = options.amendWindowMs ?? KIOSK_DEFAULTS.amendWindowMs;
    this.#enrollTimeoutMs = options.enrollTimeoutMs ?? KIOSK_DEFAULTS.enrollTimeoutMs;
    this.ready = new Promise((resolve) => {
      this.#resolveReady = resolve;
    });
    this.#store = KioskStore.open(options.dataDir);
    try {
      this.#store.bindDevice(options.deviceId);
      this.#facilityId = this.#resolveFacility(options.facilityId);
    } catch (err) {
      this.#store.close();
      throw err;
    }
    this.#time = new KioskClock({
      clock: this.#clock,
      floor: {
        load: () => {
          const v = Number(this.#store.extraMeta('clock_floor'));
          return Number.isFinite(v) && v > 0 ? v : undefined;
        },
        save: (ms) => {
          try {
            this.#store.setExtraMeta({ clock_floor: String(ms) });
          } catch (err) {
            // The floor only guards against a clock set back across a restart: a tap still goes ahead.
            this.#logger.warn({ err }, 'saving the clock floor failed');
          }
        },
      },
    });
    this.#staffPin = new StaffPin({
      store: this.#store,
      logger: this.#logger.child({ ns: 'kiosk.maintenance' }),
      clock: this.#clock,
    });
    const linkLogger = this.#logger.child({ ns: 'kiosk.link' });
    this.#sender = new OutboxSender({
      store: this.#store,
      publish: (payload) => {
        this.#link.publishEvents(payload);
      },
      logger: this.#logger.child({ ns: 'kiosk.sender' }),
      ...(options.batchSize !== undefined && { batchSize: options.batchSize }),
      ...(options.maxInFlight !== undefined && { maxInFlight: options.maxInFlight }),
      ...(options.ackTimeoutMs !== undefined && { ackTimeoutMs: options.ackTimeoutMs }),
    });
    this.#link = new HubLink(
      {
        url: options.hubUrl,
        deviceId: options.deviceId,
        password: options.password,
        logger: linkLogger,
        reconnectPeriodMs: options.reconnectPeriodMs ?? KIOSK_DEFAULTS.reconnectPeriodMs,
        connectTimeoutMs: options.connectTimeoutMs ?? KIOSK_DEFAULTS.connectTimeoutMs,
        keepaliveSeconds: options.keepaliveSeconds ?? KIOSK_DEFAULTS.keepaliveSeconds,
      },
      {
        online: () => {
          this.#emit({ type: 'connection', online: true });
          this.#sender.connected();
        },
        offline: () => {
          this.#sender.disconnected();
          if (!this.#closed) this.#emit({ type: 'connection', online: false });
        },
        message: (topic, payload, retained) => {
          this.#onMessage(topic, payload, retained);
        },
        status: () => this.#status(true),
      },
    );
  }

  async start(): Promise<void> {
    if (this.#facilityId !== undefined) {
      const roster = this.#store.loadRoster(this.#facilityId);
      if (roster) this.#adoptRoster(roster.value, false);
      this.#rollcall = this.#store.loadRollcall(this.#facilityId);
    }
    const specs = this.#options.readers.filter((r): r is string => typeof r === 'string');
    const created = createReaders(specs, {
      logger: this.#logger.child({ ns: 'kiosk.reader' }),
      clock: this.#clock,
      ...(this.#options.readerInput && { input: this.#options.readerInput }),
      ...(this.#options.readerOutput && { output: this.#options.readerOutput }),
    });
    let i = 0;
    for (const r of this.#options.readers) {
      const reader = typeof r === 'string' ? created[i++] : r;
      if (reader) this.#attach(reader);
    }
    await Promise.all(this.#readers.map((r) => r.open()));
    this.#readersOpen = true;
    this.#logger.info(
      {
        facilityId: this.#facilityId ?? null,
        readers: this.#readers.map((r) => r.name),
        outbox: this.#store.pendingCount(),
      },
      'kiosk started',
    );
    this.#link.start(this.#facilityId);
    this.#maybeReady();
    this.#prune();
    // Daily is plenty: a day's events are a few hundred rows.
    this.#pruneTimer = setInterval(() => {
      this.#prune();
    }, 86_400_000);
    this.#pruneTimer.unref();
  }

  /** Deletes settled events older than the retention; a failure is logged and retried tomorrow. */
  #prune(): void {
    if (this.#closed) return;
    const days = this.#options.retentionDays ?? KIOSK_DEFAULTS.retentionDays;
    try {
      const removed = this.#store.pruneSettled(new Date(this.#clock.now().getTime() - days * 86_400_000));
      if (removed > 0)
        this.#logger.info({ removed, days }, 'settled events older than the retention deleted');
    } catch (err) {
      this.#logger.warn({ err }, 'pruning the outbox failed');
    }
  }

  tap(credential: Credential, reader: string = API_READER): TapLine {
    const kind = credential.kind;
    if (this.#closed) {
      return {
        type: 'tap',
        result: 'error',
        kind,
        code: 'closed',
        message: 'the kiosk is shutting down',
        reader,
      };
    }
    const emit = (outcome: TapOutcome): TapLine => this.#emitTap({ ...outcome, reader });
    const held = this.#roster;
    if (!held) return emit({ type: 'tap', result: 'no_roster' });
    const { roster, index } = held;
    // The kiosk's time (corrected when its clock is off) also decides QR expiry and the business day.
    const reading = this.#time.read();
    const now = reading.at;
    // The debounce runs on the local clock: a held time stands still, and would debounce a card for as
    // long as it is held.
    const local = this.#clock.now();
    const hash = credentialHash(roster.credentialKey, credential);
    if (this.#isDebounced(hash, local)) return emit({ type: 'tap', result: 'debounced', kind });

    let guardian: RosterGuardian | undefined;
    if (kind === 'qr') {
      const verified = verifyGuardianQr(held.qrKey, credential.value, { facilityId: roster.facilityId, now });
      guardian = verified.ok ? index.guardianById.get(verified.guardianId) : undefined;
      if (!guardian) {
        this.#lastTaps.set(hash, local.getTime());
        const reason = verified.ok ? 'unknown_guardian' : verified.reason;
        // The reason only: the payload names a guardian, and a forged one may carry anything.
        this.#logger.info({ reason }, 'QR code refused');
        return emit({
          type: 'tap',
          result: 'refused_qr',
          reason,
          message: qrRefusalMessage(reason),
        });
      }
    } else {
      guardian = index.guardianByCredential.get(hash);
      if (!guardian) {
        this.#lastTaps.set(hash, local.getTime());
        this.#logger.info({ kind }, 'unknown credential');
        return emit({ type: 'tap', result: 'unknown_credential', kind });
      }
    }
    const today = localDate(now, roster.timeZone);
    const rollcall = this.#rollcall;
    const ownEvents = this.#store.dayEventsFor(
      childrenOf(index, guardian).map((c) => c.id),
      {
        date: today,
        timeZone: roster.timeZone,
        // Acknowledged events the roll-call in hand was received after are already in it.
        ackedSince: rollcall?.value.date === today ? rollcall.receivedAt : null,
      },
    );
    const decision = decideForGuardian({ index, guardian, rollcall: rollcall?.value, ownEvents, now });
    switch (decision.result) {
      case 'no_children': {
        this.#lastTaps.set(hash, local.getTime());
        const g = decision.guardian;
        this.#logger.warn({ guardianId: g.id }, 'guardian has no child on the roster');
        return emit({
          type: 'tap',
          result: 'no_children',
          kind,
          guardian: { id: g.id, name: g.name },
        });
      }
      case 'ok':
        break;
    }
    const occurredAt = formatRfc3339(now, roster.timeZone);
    const drafts: EventDraft[] = decision.children.map(({ child, type }) => ({
      id: newEventId(),
      type,
      childId: child.id,
      occurredAt,
      deviceId: this.deviceId,
      method: kind,
      actor: decision.guardian.id,
      ...clockDoubt(reading),
    }));
    let events;
    try {
      events = this.#store.append(drafts, local, this.#floorMeta(reading));
    } catch (err) {
      // Nothing was stored (one transaction): say so, so the guardian can tap again.
      this.#logger.error({ err, guardianId: decision.guardian.id }, 'could not record a tap');
      const code = err instanceof GenkanError ? err.code : 'storage_failed';
      return emit({ type: 'tap', result: 'error', kind, code, message: errorMessage(err) });
    }
    this.#lastTaps.set(hash, local.getTime());
    this.#logger.info(
      {
        guardianId: decision.guardian.id,
        events: events.map((e) => ({ id: e.id, childId: e.childId, type: e.type, seq: e.seq })),
        ...clockDoubt(reading),
      },
      'tap recorded',
    );
    const tapId = newEventId();
    this.#openTap({
      tapId,
      guardian: decision.guardian,
      method: kind,
      at: occurredAt,
      children: decision.children.map(({ child, type }, n) => ({
        child,
        className: index.classNameById.get(child.classId) ?? '',
        direction: type,
        eventId: events[n]?.id ?? null,
      })),
      touchedAt: performance.now(),
      closed: false,
      undone: false,
    });
    const line = emit({
      type: 'tap',
      result: 'ok',
      tapId,
      guardian: { id: decision.guardian.id, name: decision.guardian.name },
      events: events.map((e, n) => ({
        id: e.id,
        childId: e.childId,
        childName: decision.children[n]?.child.name ?? '',
        type: decision.children[n]?.type ?? 'check_in',
        seq: e.seq,
      })),
    });
    this.#sender.kick();
    this.#statusChanged();
    return line;
  }

  state(): KioskState {
    return {
      online: this.#link.online,
      facilityId: this.#facilityId,
      facilityName: this.#roster?.roster.facilityName,
      timeZone: this.#roster?.roster.timeZone,
      readers: this.#readerViews(),
      rosterVersion: this.#roster?.roster.version,
      ready: this.#readyDone,
      outbox: this.#store.counts(),
      inFlight: this.#sender.inFlight,
      clock: this.#time.state(),
    };
  }

  subscribe(listener: (line: KioskOutputLine) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  tapView(tapId: string): OpenTapView | undefined {
    const tap = this.#openTaps.get(tapId);
    if (!tap) return undefined;
    this.#expire(tap);
    return {
      tapId: tap.tapId,
      at: tap.at,
      guardian: { id: tap.guardian.id, name: tap.guardian.name },
      children: tap.children.map((c) => ({
        childId: c.child.id,
        name: c.child.name,
        kana: c.child.kana,
        classId: c.child.classId,
        className: c.className,
        direction: c.direction,
        included: c.eventId !== null,
      })),
      closed: tap.closed,
      undone: tap.undone,
    };
  }

  amend(command: AmendCommand): UiReply {
    const tap = this.#openTaps.get(command.tapId);
    if (tap) this.#expire(tap);
    if (this.#closed || !tap || tap.closed) {
      return {
        ok: false,
        code: 'tap_closed',
        message: 'this tap can no longer be changed; please ask a member of staff',
      };
    }
    const roster = this.#roster?.roster;
    if (!roster) return { ok: false, code: 'no_roster', message: 'no roster' };
    const reading = this.#time.read();
    const occurredAt = formatRfc3339(reading.at, roster.timeZone);
    const draft = (childId: string, type: TapDirection | 'void', voids?: string): EventDraft => ({
      id: newEventId(),
      type,
      childId,
      occurredAt,
      deviceId: this.deviceId,
      method: tap.method,
      actor: tap.guardian.id,
      ...(voids !== undefined && { voids }),
      ...clockDoubt(reading),
    });
    // Planned first, applied after the commit: a failed commit leaves the tap as it was.
    const drafts: EventDraft[] = [];
    const plan: (() => void)[] = [];
    switch (command.op) {
      case 'set_included': {
        const entry = tap.children.find((c) => c.child.id === command.childId);
        if (!entry)
          return { ok: false, code: 'unknown_child', message: 'that child is not part of this tap' };
        if (command.included && entry.eventId === null) {
          const d = draft(entry.child.id, entry.direction);
          drafts.push(d);
          plan.push(() => (entry.eventId = d.id));
        } else if (!command.included && entry.eventId !== null) {
          drafts.push(draft(entry.child.id, 'void', entry.eventId));
          plan.push(() => (entry.eventId = null));
        }
        break;
      }
      case 'undo':
        for (const entry of tap.children) {
          if (entry.eventId === null) continue;
          drafts.push(draft(entry.child.id, 'void', entry.eventId));
          plan.push(() => (entry.eventId = null));
        }
        plan.push(() => {
          tap.undone = true;
          tap.closed = true;
        });
        break;
      case 'flip':
        for (const entry of tap.children) {
          const direction: TapDirection = entry.direction === 'check_in' ? 'check_out' : 'check_in';
          if (entry.eventId === null) {
            plan.push(() => (entry.direction = direction));
            continue;
          }
          drafts.push(draft(entry.child.id, 'void', entry.eventId));
          const again = draft(entry.child.id, direction);
          drafts.push(again);
          plan.push(() => {
            entry.direction = direction;
            entry.eventId = again.id;
          });
        }
        break;
      case 'confirm':
        plan.push(() => (tap.closed = true));
        break;
    }
    let stored: AttendanceEvent[] = [];
    if (drafts.length > 0) {
      try {
        stored = this.#store.append(drafts, this.#clock.now(), this.#floorMeta(reading));
      } catch (err) {
        this.#logger.error({ err, op: command.op }, 'could not record an amendment');
        const code = err instanceof GenkanError ? err.code : 'storage_failed';
        return { ok: false, code, message: 'the change could not be recorded; please try again' };
      }
    }
    for (const apply of plan) apply();
    tap.touchedAt = performance.now();
    this.#logger.info(
      {
        op: command.op,
        guardianId: tap.guardian.id,
        events: stored.map((e) => ({ id: e.id, childId: e.childId, type: e.type, seq: e.seq })),
      },
      'tap amended',
    );
    this.#emit({
      type: 'amend',
      tapId: tap.tapId,
      op: command.op,
      events: stored.map((e) => ({
        id: e.id,
        childId: e.childId,
        type: e.type,
        ...(e.voids !== undefined && { voids: e.voids }),
        seq: e.seq,
      })),
    });
    if (stored.length > 0) {
      this.#sender.kick();
      this.#statusChanged();
    }
    return { ok: true };
  }

  verifyStaffPin(pin: string): UiReply {
    if (this.#closed) return { ok: false, code: 'closed', message: 'the kiosk is shutting down' };
    try {
      this.#staffPin.verify(pin);
      return { ok: true };
    } catch (err) {
      if (err instanceof StaffPinError) return { ok: false, code: err.code, message: err.message };
      this.#logger.error({ err }, 'checking the staff PIN failed');
      return { ok: false, code: 'storage_failed', message: 'the PIN could not be checked' };
    }
  }

  maintenanceInfo(): MaintenanceInfo {
    const index = this.#roster?.index;
    const recent: RecentEvent[] = this.#closed
      ? []
      : this.#store.recent(RECENT_EVENTS).map(({ event, delivery, code }) => ({
          id: event.id,
          at: event.occurredAt,
          // An event of a child no longer on the roster still shows, by id.
          childName: index?.childById.get(event.childId)?.name ?? event.childId,
          type: event.type,
          delivery,
          ...(code !== null && { code }),
        }));
    const guardians: GuardianChoice[] = (index?.roster.guardians ?? []).map((g) => ({
      id: g.id,
      name: g.name,
      children: g.childIds.flatMap((id) => {
        const child = index?.childById.get(id);
        return child ? [{ name: child.name, kana: child.kana }] : [];
      }),
      cards: g.credentials.length,
    }));
    return { hubUrl: publicHubUrl(this.#options.hubUrl), recent, guardians };
  }

  enrollment(): EnrollmentView {
    return { ...this.#enroll };
  }

  startEnrollment(guardianId: string): UiReply {
    if (this.#closed) return { ok: false, code: 'closed', message: 'the kiosk is shutting down' };
    if (this.#enroll.status === 'sending') {
      return { ok: false, code: 'enroll_busy', message: 'a card is being registered; wait for the result' };
    }
    const guardian = this.#roster?.index.guardianById.get(guardianId);
    if (!this.#roster) return { ok: false, code: 'no_roster', message: 'no roster yet' };
    if (!guardian)
      return { ok: false, code: 'unknown_guardian', message: 'that guardian is not on the roster' };
    // Only the hub can store a card: starting offline would end in a timeout after the card is tapped.
    if (!this.#link.online) {
      return {
        ok: false,
        code: 'offline',
        message: 'the hub is not reachable; cards can be registered only online',
      };
    }
    this.#setEnrollment({ status: 'waiting_card', guardianId: guardian.id, guardianName: guardian.name });
    return { ok: true };
  }

  cancelEnrollment(): UiReply {
    if (this.#enroll.status !== 'idle') this.#setEnrollment({ status: 'idle' });
    return { ok: true };
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#pruneTimer);
    clearTimeout(this.#enrollRequest?.timer);
    this.#enrollRequest = undefined;
    for (const off of this.#unsubscribe.splice(0)) off();
    await Promise.all(
      this.#readers.map((r) =>
        r.close().catch((err: unknown) => {
          this.#logger.warn({ err, reader: r.name }, 'closing a reader failed');
        }),
      ),
    );
    this.#sender.close();
    clearTimeout(this.#statusTimer);
    try {
      await this.#link.close(this.#status(false));
    } catch (err) {
      this.#logger.warn({ err }, 'closing the hub connection failed');
    }
    this.#store.close();
    this.#logger.info('kiosk stopped');
  }

  // --- setup -----------------------------------------------------------------------------------

  /**
   * The facility this kiosk serves: --facility if given, else the one learned earlier. Moving a kiosk
   * to another facility is refused while events of the old one are still undelivered, because they
   * would be sent to the new facility's topics.
   */
  #resolveFacility(requested: string | undefined): string | undefined {
    const stored = this.#store.facilityId();
    if (requested === undefined || requested === stored) return stored;
    if (stored !== undefined) {
      const pending = this.#store.pendingCount();
      if (pending > 0) {
        throw new KioskError(
          'facility_mismatch',
          `data directory holds ${pending} undelivered events of facility ${stored}; cannot switch to ${requested}`,
        );
      }
      this.#logger.warn({ from: stored, to: requested }, 'kiosk moved to another facility');
    }
    this.#store.setFacilityId(requested);
    return requested;
  }

  #attach(reader: CredentialReader): void {
    this.#readers.push(reader);
    const log = this.#logger.child({ reader: reader.name });
    this.#unsubscribe.push(
      reader.on('credential', ({ credential }) => {
        let result: TapResult;
        try {
          // While staff enrol a card, the next card is the new card, not a check-in.
          result = this.#enrollCard(credential, reader.name)
            ? 'ok'
            : this.tap(credential, reader.name).result;
        } catch (err) {
          // A bug, not bad input: keep the kiosk running and keep reading.
          log.error({ err }, 'tap failed');
          result = 'error';
        }
        // After the line is out and the tap committed: the beep never holds either up.
        this.#feedback(reader, result, log);
      }),
      reader.on('error', (e) => {
        log.info({ code: e.code }, 'reader input not understood');
        this.#emit({ type: 'reader_error', reader: reader.name, code: e.code, message: e.message });
      }),
      reader.on('attached', () => {
        log.info('reader attached');
        this.#readerAttached.set(reader, true);
        this.#emit({ type: 'reader', reader: reader.name, attached: true });
        this.#publishStatusNow();
      }),
      reader.on('detached', ({ reason }) => {
        log.info({ reason }, 'reader detached');
        this.#readerAttached.set(reader, false);
        if (!this.#closed) this.#emit({ type: 'reader', reader: reader.name, attached: false, reason });
        this.#publishStatusNow();
      }),
    );
  }

  /**
   * Signals the outcome on the reader's own LED/buzzer, if it has one. Fire and forget: a reader that
   * fails to beep is logged and otherwise ignored, the tap stands either way.
   */
  #feedback(reader: CredentialReader, result: TapResult, log: Logger): void {
    if (!reader.feedback) return;
    const signal = FEEDBACK_BY_RESULT[result];
    const failed = (err: unknown) => {
      log.warn({ signal, reason: errorMessage(err) }, 'reader feedback failed');
    };
    try {
      reader.feedback(signal).catch(failed);
    } catch (err) {
      // The interface says feedback never throws; a reader that does must still not stop the kiosk.
      failed(err);
    }
  }

  // --- hub messages ----------------------------------------------------------------------------

  #onMessage(topic: ParsedTopic, payload: Buffer, retained: boolean): void {
    if (this.#closed) return;
    try {
      switch (topic.kind) {
        case 'roster':
          this.#onRoster(topic.facilityId, payload);
          return;
        case 'rollcall':
          this.#onRollcall(topic.facilityId, payload);
          return;
        case 'acks':
          if (topic.facilityId === this.#facilityId && topic.deviceId === this.deviceId)
            this.#onAcks(payload);
          return;
        case 'responses':
          if (topic.facilityId === this.#facilityId && topic.deviceId === this.deviceId)
            this.#onResponse(payload);
          return;
        case 'time':
          if (topic.facilityId === this.#facilityId) this.#onTime(payload, retained);
          return;
        case 'events':
        case 'status':
        case 'requests':
          return;
      }
    } catch (err) {
      this.#logger.error({ err, topicKind: topic.kind }, 'handling a hub message failed');
    }
  }

  #onRoster(topicFacility: string, payload: Buffer): void {
    const roster = parsePayload(payload, RosterSchema, 'roster', this.#logger);
    if (!roster) return;
    if (roster.facilityId !== topicFacility) {
      this.#logger.warn({ topicFacility }, 'roster names another facility than its topic; ignored');
      return;
    }
    if (!isValidTimeZone(roster.timeZone)) {
      this.#logger.warn({ facilityId: roster.facilityId }, 'roster has an unknown time zone; ignored');
      return;
    }
    const now = this.#clock.now();
    if (this.#facilityId === undefined) {
      this.#store.learnFacility(roster, now);
      this.#facilityId = roster.facilityId;
      this.#rollcall = this.#store.loadRollcall(roster.facilityId);
      this.#logger.info({ facilityId: roster.facilityId }, 'facility learned from the roster');
      this.#adoptRoster(roster, true);
      void this.#link.setFacility(roster.facilityId).catch((err: unknown) => {
        this.#logger.error({ err }, 'reconnecting for the facility failed');
      });
      return;
    }
    if (roster.facilityId !== this.#facilityId) {
      this.#logger.warn({ facilityId: roster.facilityId }, 'roster of another facility ignored');
      return;
    }
    if (JSON.stringify(roster) === this.#roster?.json) return;
    this.#store.saveRoster(roster, now);
    this.#adoptRoster(roster, true);
  }

  #adoptRoster(roster: Roster, announce: boolean): void {
    this.#roster = {
      roster,
      index: indexRoster(roster),
      // RosterSchema has checked the key's form, so this import does not throw.
      qrKey: importQrPublicKey(roster.qrPublicKey),
      json: JSON.stringify(roster),
    };
    this.#logger.info({ facilityId: roster.facilityId, version: roster.version }, 'roster in use');
    if (announce) this.#emit({ type: 'roster', version: roster.version, children: roster.children.length });
    this.#maybeReady();
  }

  #onRollcall(topicFacility: string, payload: Buffer): void {
    const rollcall = parsePayload(payload, RollcallSchema, 'rollcall', this.#logger);
    if (!rollcall) return;
    if (rollcall.facilityId !== topicFacility || rollcall.facilityId !== this.#facilityId) {
      this.#logger.warn({ facilityId: rollcall.facilityId }, 'roll-call of another facility ignored');
      return;
    }
    const now = this.#clock.now();
    this.#store.saveRollcall(rollcall, now);
    this.#rollcall = { value: rollcall, receivedAt: now.toISOString() };
    this.#logger.debug({ date: rollcall.date }, 'roll-call received');
    this.#emit({ type: 'rollcall', date: rollcall.date, generatedAt: rollcall.generatedAt });
  }

  /** Commits a stamp's reading; the raised floor goes into the event's own transaction (no extra write). */
  #floorMeta(reading: ClockReading): { clock_floor?: string } {
    const floor = this.#time.commit(reading);
    return floor === undefined ? {} : { clock_floor: String(floor) };
  }

  /** The hub's clock: compared with the kiosk's at connect (retained) and every 15 s. */
  #onTime(payload: Buffer, retained: boolean): void {
    const time = parsePayload(payload, HubTimeSchema, 'time', this.#logger);
    if (!time) return;
    const change = this.#time.observeHub(new Date(time.now), { retained });
    this.#logger.debug({ skewMs: this.#time.state().skewMs, retained }, 'hub time sample');
    if (!change) return;
    const fields = { skewMs: change.skewMs, corrected: change.corrected };
    if (change.corrected) {
      this.#logger.warn(
        fields,
        "kiosk clock is more than 2 minutes off the hub's: stamping with the hub's time",
      );
    } else {
      this.#logger.info(fields, "kiosk clock agrees with the hub's: stamping with its own");
    }
    this.#emit({ type: 'clock', ...fields });
    this.#publishStatusNow();
  }

  #onAcks(payload: Buffer): void {
    const ack = parsePayload(payload, AckSchema, 'ack', this.#logger);
    if (!ack) return;
    const acked = this.#store.markAcked(ack.acked, this.#clock.now());
    const rejected = this.#store.markRejected(ack.rejected);
    const settled = [...ack.acked];
    for (const r of ack.rejected) {
      if (r.id !== null) settled.push(r.id);
      else this.#logger.error({ code: r.code, message: r.message }, 'hub rejected a whole message');
    }
    this.#sender.settled(settled);
    if (acked.length > 0) {
      this.#logger.debug({ count: acked.length }, 'events acknowledged');
      this.#emit({ type: 'acked', ids: acked });
    }
    for (const r of rejected) {
      this.#logger.warn({ eventId: r.id, code: r.code }, 'hub rejected an event; it will not be sent again');
      this.#emit({ type: 'rejected', id: r.id, code: r.code, message: r.message });
    }
    if (acked.length > 0 || rejected.length > 0) this.#statusChanged();
  }

  // --- card enrolment ---------------------------------------------------------------------------

  #setEnrollment(view: EnrollmentView, reader?: string): void {
    if (view.status !== 'sending') {
      clearTimeout(this.#enrollRequest?.timer);
      this.#enrollRequest = undefined;
    }
    this.#enroll = view;
    this.#logger.info(
      { status: view.status, guardianId: view.guardianId, code: view.code },
      'card enrolment',
    );
    this.#emit({
      type: 'enroll',
      status: view.status,
      ...(view.guardianId !== undefined && { guardianId: view.guardianId }),
      ...(reader !== undefined && { reader }),
      ...(view.code !== undefined && { code: view.code }),
    });
  }

  /**
   * Takes a card read while an enrolment waits for one: sends its keyed hash to the hub and returns
   * true. False (a normal tap) for anything else; QR codes are never enrolled.
   */
  #enrollCard(credential: Credential, reader: string): boolean {
    const waiting = this.#enroll;
    const held = this.#roster;
    if (this.#closed || waiting.status !== 'waiting_card' || credential.kind !== 'card' || !held)
      return false;
    const guardian = { guardianId: waiting.guardianId, guardianName: waiting.guardianName };
    const request: DeviceRequest = DeviceRequestSchema.parse({
      id: newEventId(),
      op: 'enroll_card',
      guardianId: waiting.guardianId,
      credentialHash: credentialHash(held.roster.credentialKey, credential),
      staffId: null,
    });
    if (!this.#link.publishRequest(JSON.stringify(request))) {
      this.#setEnrollment({ status: 'failed', ...guardian, code: 'offline' }, reader);
      return true;
    }
    const timer = setTimeout(() => {
      if (this.#enrollRequest?.id !== request.id) return;
      this.#logger.warn({ requestId: request.id }, 'the hub did not answer the card enrolment');
      this.#setEnrollment({ ...this.#enroll, status: 'failed', code: 'timeout' });
    }, this.#enrollTimeoutMs);
    timer.unref();
    this.#enrollRequest = { id: request.id, timer };
    this.#setEnrollment({ status: 'sending', ...guardian }, reader);
    return true;
  }

  #onResponse(payload: Buffer): void {
    const response = parsePayload(payload, DeviceResponseSchema, 'response', this.#logger);
    if (!response) return;
    if (this.#enrollRequest?.id !== response.id || this.#enroll.status !== 'sending') {
      this.#logger.info({ requestId: response.id }, 'response to no pending request ignored');
      return;
    }
    const { guardianId, guardianName } = this.#enroll;
    const guardian = { guardianId, guardianName };
    if (response.ok) this.#setEnrollment({ status: 'done', ...guardian });
    else this.#setEnrollment({ status: 'failed', ...guardian, code: response.code });
  }

  // --- status ----------------------------------------------------------------------------------

  #status(online: boolean): DeviceStatus {
    const outbox = this.#store.pendingCount();
    if (online) {
      this.#statusDepth = outbox;
      this.#statusAt = performance.now();
    }
    return {
      online,
      at: formatRfc3339(this.#time.read().at, this.#roster?.roster.timeZone ?? 'UTC'),
      outbox,
      ...(this.#options.version !== undefined && { version: this.#options.version }),
      readers: this.#readerViews(),
      clock: this.#time.state(),
    };
  }

  #readerViews(): { name: string; attached: boolean }[] {
    return this.#readers.map((r) => ({ name: r.name, attached: this.#readerAttached.get(r) ?? true }));
  }

  /** A reader came or went, or the clock check changed: the hub's device list shows it at once. */
  #publishStatusNow(): void {
    if (!this.#closed && this.#link.online) this.#link.publishStatus(this.#status(true));
  }

  /** Outbox depth may have changed: publish it, at most once per statusIntervalMs. */
  #statusChanged(): void {
    if (!this.#link.online || this.#statusTimer) return;
    const wait = this.#statusAt + this.#statusIntervalMs - performance.now();
    const publish = () => {
      this.#statusTimer = undefined;
      if (this.#closed || !this.#link.online) return;
      if (this.#store.pendingCount() === this.#statusDepth) return;
      this.#link.publishStatus(this.#status(true));
    };
    if (wait <= 0) publish();
    else {
      this.#statusTimer = setTimeout(publish, wait);
      this.#statusTimer.unref();
    }
  }

  // --- open taps -------------------------------------------------------------------------------

  #openTap(tap: OpenTap): void {
    // A new tap ends the previous ones: the screen shows one tap, and only what is on screen is amended.
    for (const t of this.#openTaps.values()) t.closed = true;
    this.#openTaps.set(tap.tapId, tap);
    for (const id of this.#openTaps.keys()) {
      if (this.#openTaps.size <= OPEN_TAPS_MAX) break;
      this.#openTaps.delete(id);
    }
  }

  #expire(tap: OpenTap): void {
    if (!tap.closed && performance.now() - tap.touchedAt > this.#amendWindowMs) tap.closed = true;
  }

  // --- output ----------------------------------------------------------------------------------

  #maybeReady(): void {
    if (this.#readyDone || !this.#readersOpen || !this.#roster || this.#facilityId === undefined) return;
    this.#readyDone = true;
    const line: ReadyLine = {
      ready: true,
      device: this.deviceId,
      facility: this.#facilityId,
      rosterVersion: this.#roster.roster.version,
      outbox: this.#store.pendingCount(),
      ...this.#options.readyInfo,
    };
    this.#emit(line);
    this.#resolveReady(line);
  }

  #isDebounced(hash: string, now: Date): boolean {
    if (this.#debounceMs <= 0) return false;
    const t = now.getTime();
    if (this.#lastTaps.size > 1000) {
      for (const [h, at] of this.#lastTaps) if (t - at >= this.#debounceMs) this.#lastTaps.delete(h);
    }
    const last = this.#lastTaps.get(hash);
    // A clock set back makes the difference negative: treat it as a new tap rather than block the card.
    return last !== undefined && t - last >= 0 && t - last < this.#debounceMs;
  }

  #emitTap(line: TapLine): TapLine {
    this.#emit(line);
    return line;
  }

  #emit(line: KioskOutputLine): void {
    for (const out of [this.#options.output, ...this.#listeners]) {
      try {
        out(line);
      } catch (err) {
        this.#logger.error({ err }, 'output failed');
      }
    }
  }
}
