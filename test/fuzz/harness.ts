import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { CloudErrorCodes } from '../../cloud-relay/errors.ts';
import { buildCloudApp } from '../../cloud-relay/server.ts';
import { openCloudPostgresStore } from '../../cloud-relay/store/postgres.ts';
import { openCloudSqliteStore } from '../../cloud-relay/store/sqlite.ts';
import type { CloudStore } from '../../cloud-relay/store/types.ts';
import { silentLogger } from '../../common/logger.ts';
import type { Clock } from '../../common/time.ts';
import type { HubStore } from '../../edge-hub/store/hub-store.ts';
import {
  BATCH_MAX,
  BatchResponseSchema,
  ErrorCodes,
  MQTT_PAYLOAD_MAX,
  type AttendanceEvent,
  type Rejection,
} from '../../protocol/index.ts';
import { sqliteBackend } from '../support/cloud.ts';
import { postgresPrereq, startPostgres, type TestPostgres } from '../support/postgres.ts';
import { DAY, MINUTE } from './arbitraries.ts';

/**
 * The fuzz tests' harness: run counts and seed, the tally of crashes, contract violations and hub/cloud
 * disagreements, the oracle for "every event gets exactly one outcome", and the in-process clouds that
 * everything a hub accepted is sent to.
 */

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got ${raw}`);
  return n;
}

/** Cases per entry point: `npm run fuzz` sets 100000; `npm test` runs a short round. */
export const FUZZ_RUNS = Math.max(1, positiveInt('FUZZ_RUNS', 300));
/** Set to replay a run: the same seed gives the same cases (the services' clocks are fixed for that). */
export const FUZZ_SEED = positiveInt('GENKAN_FUZZ_SEED', Math.floor(Math.random() * 2 ** 31));
/** A long run (npm run fuzz) also cross-checks against a PostgreSQL-backed cloud. */
export const LONG_RUN = FUZZ_RUNS > 5000;

/** Test timeout for `runs` cases at up to `msPerCase` each (the 2-core CI machine is slow and shared). */
export function fuzzTimeout(runs: number, msPerCase: number): number {
  return 120_000 + runs * msPerCase;
}

export function announce(file: string): void {
  console.log(
    `fuzz ${file}: ${FUZZ_RUNS} cases per entry, seed ${FUZZ_SEED} (GENKAN_FUZZ_SEED=${FUZZ_SEED} replays)`,
  );
}

// ---- Codes -----------------------------------------------------------------------------------------------

/** Every code a Genkan service may answer with (protocol/errors.ts, cloud-relay/errors.ts, docs/protocol.md). */
export const KNOWN_CODES: ReadonlySet<string> = new Set<string>([
  ...Object.values(ErrorCodes),
  ...Object.values(CloudErrorCodes),
  // Hub settings and roster imports (docs/protocol.md "Facility settings", docs/admin.md).
  'bad_setting',
  'time_zone_fixed',
  'import_busy',
]);

/** The codes of a payload-level rejection in an MQTT ack (id null). */
export const PAYLOAD_CODES: ReadonlySet<string> = new Set([
  ErrorCodes.invalidJson,
  ErrorCodes.invalidPayload,
  ErrorCodes.batchTooLarge,
  ErrorCodes.payloadTooLarge,
]);

/** The codes of one event's rejection in an MQTT ack (docs/protocol.md, "Acknowledgement"). */
export const EVENT_CODES: ReadonlySet<string> = new Set([
  ErrorCodes.invalidEvent,
  ErrorCodes.deviceMismatch,
  ErrorCodes.unknownChild,
  ErrorCodes.unknownEvent,
  ErrorCodes.implausibleTime,
  ErrorCodes.badText,
  ErrorCodes.notAllowed,
  ErrorCodes.notGuardian,
  ErrorCodes.notOwnEvent,
  ErrorCodes.undoExpired,
]);

/** The codes of one event's rejection in the cloud's answer to a batch. */
export const CLOUD_EVENT_CODES: ReadonlySet<string> = new Set([
  ErrorCodes.invalidEvent,
  ErrorCodes.implausibleTime,
  ErrorCodes.badText,
  ErrorCodes.storeError,
]);

/** The code of an `{"error":{"code","message"}}` body, or a description of what is wrong with it. */
export function errorBodyCode(text: string): { code: string } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { problem: `error body is not JSON: ${text.slice(0, 120)}` };
  }
  if (typeof json !== 'object' || json === null || !('error' in json))
    return { problem: `no error object: ${text.slice(0, 120)}` };
  const error = json.error;
  if (
    typeof error !== 'object' ||
    error === null ||
    !('code' in error) ||
    !('message' in error) ||
    typeof error.code !== 'string' ||
    typeof error.message !== 'string'
  ) {
    return { problem: `error object without code and message: ${text.slice(0, 120)}` };
  }
  if (!KNOWN_CODES.has(error.code)) return { problem: `unknown error code ${error.code}` };
  return { code: error.code };
}

// ---- Tally -----------------------------------------------------------------------------------------------

export type FailureKind = 'crash' | 'violation' | 'disagreement';

const EXAMPLES_MAX = 8;

/** JSON.stringify, typed as it behaves: undefined for undefined. Long strings and bytes cut short. */
function stringify(input: unknown): string | undefined {
  return JSON.stringify(input, (_k, v: unknown) => {
    if (typeof v === 'string' && v.length > 120) return `${v.slice(0, 120)}… (${v.length} chars)`;
    if (v instanceof Uint8Array) return `bytes(${v.length}) ${Buffer.from(v).toString('hex').slice(0, 120)}`;
    return v;
  });
}

/** Short, printable form of a case's input (Buffers as text, long strings cut). */
export function preview(input: unknown, max = 700): string {
  let text: string;
  if (Buffer.isBuffer(input)) {
    text = `bytes(${input.length}) ${JSON.stringify(input.subarray(0, max).toString('utf8'))}`;
  } else {
    try {
      text = stringify(input) ?? String(input);
    } catch (err) {
      text = `(unprintable: ${String(err)})`;
    }
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** One entry point's figures: cases run, crashes, contract violations, disagreements with the cloud. */
export class Tally {
  readonly entry: string;
  cases = 0;
  crashes = 0;
  violations = 0;
  disagreements = 0;
  /** Extra figures for the summary line ("accepted 1234"). */
  readonly counts = new Map<string, number>();
  readonly examples: string[] = [];
  private readonly started = performance.now();

  constructor(entry: string) {
    this.entry = entry;
  }

  record(kind: FailureKind, what: string, input?: unknown, n = 1): void {
    if (kind === 'crash') this.crashes += n;
    else if (kind === 'violation') this.violations += n;
    else this.disagreements += n;
    if (this.examples.length < EXAMPLES_MAX) {
      this.examples.push(
        `${kind} at case ${this.cases}: ${what}${input === undefined ? '' : `\n    input: ${preview(input)}`}`,
      );
    }
  }

  count(name: string, n = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + n);
  }

  summary(): string {
    const seconds = (performance.now() - this.started) / 1000;
    const extra = [...this.counts].map(([k, v]) => `${k} ${v}`).join(', ');
    return (
      `fuzz ${this.entry}: ${this.cases} cases, ${this.crashes} crashes, ${this.violations} violations, ` +
      `${this.disagreements} disagreements${extra === '' ? '' : ` (${extra})`}; ${seconds.toFixed(1)} s, ` +
      `${Math.round(this.cases / Math.max(seconds, 0.001))} cases/s, seed ${FUZZ_SEED}`
    );
  }

  /** Prints the figures and fails the test on any crash, violation or disagreement. */
  finish(): void {
    console.log(this.summary());
    for (const e of this.examples) console.log(`  ${e}`);
    expect(this.examples, this.summary()).toEqual([]);
  }
}

/**
 * Runs `body` on `runs` generated cases. A throw from the body is a crash of the service under test (the
 * body catches what it expects); the body records violations itself. Counts rather than stops, so that
 * the figures cover the whole run; the seed and the case number replay a failure.
 */
export async function runFuzz<T>(
  tally: Tally,
  arb: fc.Arbitrary<T>,
  body: (value: T) => Promise<void> | void,
  runs = FUZZ_RUNS,
): Promise<void> {
  const details = await fc.check(
    fc.asyncProperty(arb, async (value) => {
      tally.cases++;
      try {
        await body(value);
      } catch (err) {
        tally.record(
          'crash',
          `threw ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
          value,
        );
      }
    }),
    { numRuns: runs, seed: FUZZ_SEED },
  );
  if (details.failed) throw new Error(`the fuzz harness failed: ${String(details.errorInstance)}`);
}

/** Own properties of Object.prototype: a prototype-pollution key that got through would add one. */
export function prototypeKeys(): string {
  return Object.getOwnPropertyNames(Object.prototype).sort().join(',');
}

export function checkNoPollution(tally: Tally, before: string): void {
  const after = prototypeKeys();
  if (after !== before) tally.record('violation', `Object.prototype changed: ${after}`);
  if (({} as Record<string, unknown>)['polluted'] !== undefined)
    tally.record('violation', 'Object.prototype polluted');
}

// ---- The "exactly one outcome" oracle --------------------------------------------------------------------

/** An event's id as a rejection can name it: a string of 1–64 characters; null when there is none. */
function readableId(item: unknown): string | null {
  if (typeof item === 'object' && item !== null && 'id' in item) {
    const id = item.id;
    if (typeof id === 'string' && id.length > 0 && id.length <= 64) return id;
  }
  return null;
}

/**
 * What docs/protocol.md promises for an events payload: one id-null rejection for a payload that cannot be
 * read as an event or `{"events":[…]}` of 1–500 events (or is over 64 KiB), else one outcome per event,
 * named by its id.
 */
export function expectedOutcomes(
  payload: Buffer,
): { payloadLevel: true } | { payloadLevel: false; ids: (string | null)[] } {
  if (payload.length > MQTT_PAYLOAD_MAX) return { payloadLevel: true };
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return { payloadLevel: true };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { payloadLevel: true };
  if (!('events' in json)) return { payloadLevel: false, ids: [readableId(json)] };
  const events = json.events;
  if (Object.keys(json).length !== 1 || !Array.isArray(events)) return { payloadLevel: true };
  if (events.length === 0 || events.length > BATCH_MAX) return { payloadLevel: true };
  return { payloadLevel: false, ids: events.map(readableId) };
}

/** Whether two lists hold the same values the same number of times. */
export function sameMultiset(a: readonly (string | null)[], b: readonly (string | null)[]): boolean {
  if (a.length !== b.length) return false;
  const counts = new Map<string | null, number>();
  for (const x of a) counts.set(x, (counts.get(x) ?? 0) + 1);
  for (const x of b) {
    const n = counts.get(x) ?? 0;
    if (n === 0) return false;
    counts.set(x, n - 1);
  }
  return true;
}

/** Checks one answer to events (an MQTT ack or a cloud batch answer) against the oracle; a problem or undefined. */
export function outcomeProblem(
  expected: ReturnType<typeof expectedOutcomes>,
  answered: readonly string[],
  rejected: readonly Rejection[],
  eventCodes: ReadonlySet<string>,
): string | undefined {
  if (expected.payloadLevel) {
    const r = rejected[0];
    if (answered.length !== 0 || rejected.length !== 1 || r?.id !== null) {
      return `payload-level problem not answered by exactly one id-null rejection: ${preview({ answered, rejected })}`;
    }
    if (!PAYLOAD_CODES.has(r.code)) return `payload-level rejection with code ${r.code}`;
    return undefined;
  }
  const got = [...answered, ...rejected.map((r) => r.id)];
  if (!sameMultiset(got, expected.ids)) {
    return `outcomes ${preview(got, 300)} do not match the events ${preview(expected.ids, 300)}`;
  }
  const bad = rejected.find((r) => !eventCodes.has(r.code) || r.message === '');
  if (bad) return `rejection with code ${bad.code} (message ${JSON.stringify(bad.message)})`;
  return undefined;
}

// ---- Clouds ----------------------------------------------------------------------------------------------

/** A clock tests set by hand. */
export interface ManualClock extends Clock {
  set(ms: number): void;
}

export function manualClock(ms: number): ManualClock {
  let t = ms;
  return {
    now: () => new Date(t),
    set: (v) => {
      t = v;
    },
  };
}

/** An in-process cloud (buildCloudApp on a real store) with one registered hub. */
export interface CloudTarget {
  name: string;
  app: FastifyInstance;
  store: CloudStore;
  clock: ManualClock;
  hubId: string;
  facilityId: string;
  token: string;
  /** A second hub, of another facility: its token must not upload for the first. */
  otherToken: string;
  close(): Promise<void>;
}

async function cloudOn(
  name: string,
  store: CloudStore,
  now: number,
  dispose: () => Promise<void>,
): Promise<CloudTarget> {
  const token = await store.addHub('hub-1', 'f1', 'Asia/Tokyo');
  const otherToken = await store.addHub('hub-2', 'f2', 'Asia/Tokyo');
  const clock = manualClock(now);
  // No rate limit: the fuzz posts far faster than a hub would, and 429 would hide the answers.
  const app = buildCloudApp({ store, logger: silentLogger(), clock, hubRateLimit: null });
  await app.ready();
  return {
    name,
    app,
    store,
    clock,
    hubId: 'hub-1',
    facilityId: 'f1',
    token,
    otherToken,
    close: async () => {
      await app.close();
      await store.close();
      await dispose();
    },
  };
}

export async function sqliteCloud(now: number): Promise<CloudTarget> {
  const backend = await sqliteBackend('genkan-fuzz-cloud-');
  const store = await openCloudSqliteStore(backend.dir);
  return cloudOn('sqlite', store, now, () => backend.remove());
}

/** A PostgreSQL-backed cloud on a throwaway server; undefined (with the printed reason) without one. */
export async function postgresCloud(now: number): Promise<CloudTarget | undefined> {
  if (!postgresPrereq()) return undefined;
  const server: TestPostgres = await startPostgres();
  try {
    const store = await openCloudPostgresStore(server.url);
    return await cloudOn('postgres', store, now, () => server.stop());
  } catch (err) {
    await server.stop();
    throw err;
  }
}

/** The clouds the hub's accepted events are sent to: SQLite always, PostgreSQL in the long run. */
export async function crossCheckClouds(now: number): Promise<CloudTarget[]> {
  const clouds = [await sqliteCloud(now)];
  if (LONG_RUN || process.env['GENKAN_FUZZ_POSTGRES'] === '1') {
    const pg = await postgresCloud(now);
    if (pg) clouds.push(pg);
  }
  return clouds;
}

/**
 * Clock skews of the cloud against the hub that the cloud's window is built for (protocol/plausibility.ts):
 * up to an hour behind the hub, and up to 35 days ahead (a hub offline that long), including the ends.
 */
export const CLOUD_SKEWS = [0, -60 * MINUTE, 35 * DAY, -59 * MINUTE, DAY, 34 * DAY, 7 * MINUTE];

/**
 * The cross-check: everything the hub stored since the last call goes to each cloud as the relay sends it
 * (the hub's own rows, in batches of up to 500, hub token), and each must come back accepted or duplicate.
 * A rejection or an error answer is a disagreement.
 */
export class CrossCheck {
  private cursor = 0;
  private drains = 0;
  private readonly hub: HubStore;
  private readonly clouds: readonly CloudTarget[];
  private readonly tally: Tally;

  constructor(hub: HubStore, clouds: readonly CloudTarget[], tally: Tally) {
    this.hub = hub;
    this.clouds = clouds;
    this.tally = tally;
  }

  /** Sends what the hub stored since the last drain; the clouds' clocks read `hubNow` plus a skew. */
  async drain(hubNow: number): Promise<void> {
    const skew = CLOUD_SKEWS[this.drains++ % CLOUD_SKEWS.length] ?? 0;
    for (;;) {
      const rows = this.hub.outbox.eventsAfter(this.cursor, BATCH_MAX);
      const last = rows[rows.length - 1];
      if (!last) return;
      const events = rows.map((r) => r.event);
      for (const cloud of this.clouds) {
        cloud.clock.set(hubNow + skew);
        await this.send(cloud, events, skew);
      }
      this.cursor = last.hubSeq;
      this.tally.count(
        `hub-accepted events sent to the cloud on ${this.clouds.map((c) => c.name).join(' and ')}`,
        events.length,
      );
    }
  }

  private async send(cloud: CloudTarget, events: readonly AttendanceEvent[], skew: number): Promise<void> {
    const res = await cloud.app.inject({
      method: 'POST',
      url: '/v1/batches',
      headers: { authorization: `Bearer ${cloud.token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ hubId: cloud.hubId, facilityId: cloud.facilityId, events }),
    });
    const where = `cloud (${cloud.name}, clock ${skew / MINUTE} min from the hub's)`;
    if (res.statusCode !== 200) {
      this.tally.record(
        'disagreement',
        `${where} answered ${res.statusCode} ${res.body.slice(0, 200)}`,
        events,
        events.length,
      );
      return;
    }
    const parsed = BatchResponseSchema.safeParse(JSON.parse(res.body));
    if (!parsed.success) {
      this.tally.record('violation', `${where} answered a malformed body ${res.body.slice(0, 200)}`);
      return;
    }
    const { accepted, duplicates, rejected } = parsed.data;
    for (const r of rejected) {
      const event = events.find((e) => e.id === r.id);
      this.tally.record(
        'disagreement',
        `${where} rejected a hub-accepted event: ${r.code} ${r.message}`,
        event,
      );
    }
    if (
      !sameMultiset(
        [...accepted, ...duplicates, ...rejected.map((r) => r.id)],
        events.map((e) => e.id),
      )
    ) {
      this.tally.record('violation', `${where} did not answer each event exactly once`, parsed.data);
    }
  }
}

// ---- HTTP ------------------------------------------------------------------------------------------------

export interface HttpAnswer {
  status: number;
  text: string;
}

/** One request over the network (fetch keeps the connection alive); the body as bytes, no header added. */
export async function http(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<HttpAnswer> {
  const res = await fetch(url, {
    method,
    headers,
    ...(body !== undefined && { body: new Uint8Array(body) }),
  });
  return { status: res.status, text: await res.text() };
}

/**
 * Checks a refusal: 4xx with `{"error":{"code","message"}}` and a known code; returns the code, or records a
 * crash (5xx) or a violation and returns undefined.
 */
export function checkRefusal(tally: Tally, answer: HttpAnswer, input: unknown): string | undefined {
  if (answer.status >= 500) {
    tally.record('crash', `answered ${answer.status} ${answer.text.slice(0, 200)}`, input);
    return undefined;
  }
  if (answer.status < 400) {
    tally.record('violation', `unexpected status ${answer.status}`, input);
    return undefined;
  }
  const parsed = errorBodyCode(answer.text);
  if ('problem' in parsed) {
    tally.record('violation', `${answer.status}: ${parsed.problem}`, input);
    return undefined;
  }
  tally.count(`${answer.status} ${parsed.code}`);
  return parsed.code;
}
