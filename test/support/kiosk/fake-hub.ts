import { EventEmitter } from 'node:events';
import net from 'node:net';
import { Aedes } from 'aedes';
import {
  DeviceRequestSchema,
  parseEventsPayload,
  type TimeWindow,
  parseTopic,
  StatusSchema,
  topics,
  type AttendanceEvent,
  type DeviceRequest,
  type DeviceResponse,
  type DeviceStatus,
  type Rejection,
  type Roster,
} from '../../../protocol/index.ts';
import { fixtureHash } from './fixtures.ts';

const ANY_TIME: TimeWindow = {
  aheadMs: Number.POSITIVE_INFINITY,
  behindMs: Number.POSITIVE_INFINITY,
  absenceAheadMs: Number.POSITIVE_INFINITY,
};

/**
 * Test support only: a real MQTT broker (aedes) on 127.0.0.1 with a stand-in for the hub behind it. It
 * records every events message, answers on the acks topic according to a policy, and can be stopped
 * and restarted on the same port to simulate the hub going away.
 */

export type AckPolicy = (event: AttendanceEvent) => 'ack' | 'hold' | Omit<Rejection, 'id'>;

/** How the fake hub answers a device request: an answer (its id is filled in), or no answer at all. */
export type RequestPolicy = (request: DeviceRequest) => ResponseBody | 'hold';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type ResponseBody = DistributiveOmit<DeviceResponse, 'id'>;

export interface ReceivedMessage {
  topic: string;
  raw: string;
  events: AttendanceEvent[];
  rejected: Rejection[];
}

export class FakeHub {
  /** Every events message, in arrival order, across restarts. */
  readonly messages: ReceivedMessage[] = [];
  /** The last status each device published, by device id. */
  readonly statuses = new Map<string, DeviceStatus>();
  policy: AckPolicy = () => 'ack';
  /** Every valid request, in arrival order. */
  readonly requests: DeviceRequest[] = [];
  /**
   * The roster the fake hub serves, when set: enroll_card requests are answered as the hub does
   * (unknown_guardian, credential_in_use, or the hash added and the roster republished, version + 1).
   */
  roster: Roster | undefined;
  /** Overrides the answers to requests (e.g. 'hold' to test a timeout). */
  requestPolicy: RequestPolicy | undefined;
  #broker: Aedes | undefined;
  #server: net.Server | undefined;
  readonly #sockets = new Set<net.Socket>();
  readonly #changes = new EventEmitter();
  #port = 0;

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.#port}`;
  }

  get running(): boolean {
    return this.#server !== undefined;
  }

  /** Every event received, in arrival order, resends included. */
  get received(): AttendanceEvent[] {
    return this.messages.flatMap((m) => m.events);
  }

  /** How many times the event with this id arrived. */
  timesReceived(id: string): number {
    return this.received.filter((e) => e.id === id).length;
  }

  /** Starts the broker, on the previous port after a stop. */
  async start(): Promise<void> {
    const broker = await Aedes.createBroker();
    this.#broker = broker;
    broker.subscribe(
      'genkan/v1/+/devices/+/events',
      (packet, done) => {
        this.#onEvents(packet.topic, Buffer.from(packet.payload));
        done();
      },
      () => undefined,
    );
    broker.subscribe(
      'genkan/v1/+/devices/+/status',
      (packet, done) => {
        const t = parseTopic(packet.topic);
        const r = StatusSchema.safeParse(JSON.parse(Buffer.from(packet.payload).toString('utf8')));
        if (t?.deviceId !== undefined && r.success) this.statuses.set(t.deviceId, r.data);
        this.#changed();
        done();
      },
      () => undefined,
    );
    broker.subscribe(
      'genkan/v1/+/devices/+/requests',
      (packet, done) => {
        void this.#onRequest(packet.topic, Buffer.from(packet.payload));
        done();
      },
      () => undefined,
    );
    const server = net.createServer((socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      broker.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => {
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    this.#port = address.port;
    this.#server = server;
  }

  /** Stops the broker and drops every connection (retained messages are lost, as with a hub restart). */
  async stop(): Promise<void> {
    const server = this.#server;
    const broker = this.#broker;
    this.#server = undefined;
    this.#broker = undefined;
    for (const s of this.#sockets) s.destroy();
    if (server)
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    if (broker)
      await new Promise<void>((resolve) => {
        broker.close(() => {
          resolve();
        });
      });
  }

  /** Cuts every client connection, leaving the broker up: clients reconnect. */
  dropClients(): void {
    for (const s of this.#sockets) s.destroy();
  }

  /** Publishes as the hub (QoS 1); retained for roster, roll-call. */
  async publish(topic: string, body: unknown, retain = false): Promise<void> {
    const broker = this.#broker;
    if (!broker) throw new Error('hub not running');
    const payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    await new Promise<void>((resolve, reject) => {
      broker.publish({ cmd: 'publish', topic, payload, qos: 1, retain, dup: false }, (err) => {
        if (err) reject(err);
        else resolve();
      });
    });
  }

  /**
   * Publishes the hub's clock on genkan/v1/F/time as the hub does (retained; the hub republishes every
   * 15 s, a test calls this again instead).
   */
  async publishTime(facilityId: string, now: Date): Promise<void> {
    await this.publish(topics.time(facilityId), { now: now.toISOString() }, true);
  }

  async ack(
    facilityId: string,
    deviceId: string,
    acked: string[],
    rejected: Rejection[] = [],
  ): Promise<void> {
    await this.publish(topics.acks(facilityId, deviceId), { acked, rejected });
  }

  /** Resolves with the first truthy value of `check`, re-evaluated whenever a message arrives. */
  until<T>(check: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
    return waitUntil(this.#changes, check, what, timeoutMs);
  }

  /** The hub's answer to a card enrolment, against `roster`. */
  async enroll(request: DeviceRequest): Promise<ResponseBody> {
    const roster = this.roster;
    if (!roster) return { ok: true };
    const guardian = roster.guardians.find((g) => g.id === request.guardianId);
    if (!guardian) return { ok: false, code: 'unknown_guardian', message: 'not on the roster' };
    const owner = roster.guardians.find((g) => g.credentials.includes(request.credentialHash));
    if (owner && owner.id !== guardian.id) {
      return { ok: false, code: 'credential_in_use', message: 'registered to another guardian' };
    }
    let version = roster.version;
    if (!owner) {
      version++;
      const next: Roster = {
        ...roster,
        version,
        guardians: roster.guardians.map((g) =>
          g.id === guardian.id ? { ...g, credentials: [...g.credentials, request.credentialHash] } : g,
        ),
      };
      this.roster = next;
      // As the hub: the roster with the new card goes out before the answer.
      await this.publish(`genkan/v1/${next.facilityId}/roster`, next, true);
    }
    return { ok: true, rosterVersion: version };
  }

  /** Whether the served roster holds this card for this guardian (test helper; hashes as the roster says). */
  hasCard(guardianId: string, card: string): boolean {
    const roster = this.roster;
    if (!roster) return false;
    const hash = fixtureHash(roster, { kind: 'card', value: card });
    return roster.guardians.some((g) => g.id === guardianId && g.credentials.includes(hash));
  }

  async #onRequest(topic: string, payload: Buffer): Promise<void> {
    const t = parseTopic(topic);
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    const r = DeviceRequestSchema.safeParse(json);
    if (t?.deviceId === undefined || !r.success) return;
    const request = r.data;
    this.requests.push(request);
    this.#changed();
    const answer = this.requestPolicy ? this.requestPolicy(request) : await this.enroll(request);
    if (answer === 'hold') return;
    await this.publish(topics.responses(t.facilityId, t.deviceId), { ...answer, id: request.id }).catch(
      () => undefined,
    );
  }

  #onEvents(topic: string, payload: Buffer): void {
    const t = parseTopic(topic);
    // The fake checks the schema and text only: kiosk tests run on fixed clocks far from today.
    const parsed = parseEventsPayload(payload, { now: new Date(), window: ANY_TIME });
    this.messages.push({ topic, raw: payload.toString('utf8'), ...parsed });
    if (t?.deviceId !== undefined) {
      const acked: string[] = [];
      const rejected: Rejection[] = [...parsed.rejected];
      for (const e of parsed.events) {
        const verdict = this.policy(e);
        if (verdict === 'ack') acked.push(e.id);
        else if (verdict !== 'hold') rejected.push({ id: e.id, ...verdict });
      }
      if (acked.length > 0 || rejected.length > 0) {
        void this.ack(t.facilityId, t.deviceId, acked, rejected).catch(() => undefined);
      }
    }
    this.#changed();
  }

  #changed(): void {
    this.#changes.emit('change');
  }
}

/** Collects a component's output lines and lets a test wait for one. */
export class Recorder<T> {
  readonly items: T[] = [];
  readonly #changes = new EventEmitter();

  push = (item: T): void => {
    this.items.push(item);
    this.#changes.emit('change');
  };

  until<R>(
    check: (items: readonly T[]) => R | undefined | false,
    what: string,
    timeoutMs = 10_000,
  ): Promise<R> {
    return waitUntil(this.#changes, () => check(this.items), what, timeoutMs);
  }
}

function waitUntil<T>(
  changes: EventEmitter,
  check: () => T | undefined | false,
  what: string,
  timeoutMs: number,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const first = check();
    if (first !== undefined && first !== false) {
      resolve(first);
      return;
    }
    const onChange = () => {
      const v = check();
      if (v === undefined || v === false) return;
      cleanup();
      resolve(v);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      changes.off('change', onChange);
    };
    changes.on('change', onChange);
  });
}
