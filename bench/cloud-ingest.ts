import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openCloudPostgresStore } from '../cloud-relay/store/postgres.ts';
import { CLOUD_DB_FILE, openCloudSqliteStore } from '../cloud-relay/store/sqlite.ts';
import { cloudMigrations } from '../cloud-relay/store/migrations.ts';
import { instantKey } from '../cloud-relay/store/events.ts';
import type { CloudStore } from '../cloud-relay/store/types.ts';
import { openDatabase } from '../common/sqlite.ts';
import { LocalDates } from '../common/time.ts';
import type { AttendanceEvent } from '../protocol/index.ts';
import { postgresPrereq, startPostgres } from '../test/support/postgres.ts';
import { writeBenchSection } from './report.ts';

/**
 * BENCH_ONLY=cloud-ingest: the cloud store's ingest (CloudStore.insertBatch, batches of 500: the path of
 * POST /v1/batches after validation, one round trip per batch) against a plain batched INSERT of the same
 * rows into the same database, measured in the same run:
 *  - plain: one multi-row INSERT of 500 rows per transaction into a table with the same columns, primary
 *    key and index as `events`, without ON CONFLICT, RETURNING or the accepted/duplicate split;
 *  - store: insertBatch of 500 new events (ids never seen before).
 * Same durability as the store uses: SQLite WAL + synchronous=FULL (openDatabase), PostgreSQL with its
 * default fsync=on and synchronous_commit=on (a throwaway server from test/support/postgres.ts). One
 * client sends one batch at a time. Rounds alternate plain and store; rates are medians over rounds.
 */
const BATCH = 500;
const BATCHES = Number(process.env['BENCH_CLOUD_BATCHES'] ?? 60); // per round and measure
const ROUNDS = Number(process.env['BENCH_CLOUD_ROUNDS'] ?? 7);
const FACILITY = 'bench-fac';
const HUB = 'bench-hub';
const ZONE = 'Asia/Tokyo';

let seqCounter = 0;
function makeBatch(): AttendanceEvent[] {
  const base = Date.parse('2026-04-01T07:00:00.000+09:00');
  return Array.from({ length: BATCH }, (_, i) => {
    seqCounter++;
    return {
      id: randomUUID(),
      type: i % 2 === 0 ? 'check_in' : 'check_out',
      childId: `c${String(i % 100).padStart(3, '0')}`,
      occurredAt: new Date(base + seqCounter * 37).toISOString(),
      deviceId: `kiosk-${i % 4}`,
      seq: seqCounter,
      method: 'card',
      actor: `g${String(i % 100).padStart(3, '0')}`,
    };
  });
}

const dates = new LocalDates(ZONE);

/** The row the plain INSERT writes: the same derived columns the store computes (instant key, date). */
function rowOf(e: AttendanceEvent, receivedAt: string): unknown[] {
  const key = instantKey(e.occurredAt);
  return [
    FACILITY,
    e.id,
    e.type,
    e.childId,
    e.occurredAt,
    e.deviceId,
    e.seq,
    e.method,
    e.actor,
    e.voids ?? null,
    e.note ?? null,
    key.ms,
    key.subMs,
    dates.of(new Date(key.ms)),
    HUB,
    receivedAt,
  ];
}
const COLUMNS = 16;

const PLAIN_COLUMNS = `facility_id, id, type, child_id, occurred_at, device_id, seq, method, actor, voids, note,
  occurred_ms, occurred_sub_ms, local_date, hub_id, received_at`;

interface Backend {
  name: string;
  plain(batch: readonly AttendanceEvent[]): Promise<void>;
  store: CloudStore;
  close(): Promise<void>;
}

async function sqliteBackend(dir: string): Promise<Backend> {
  const store = await openCloudSqliteStore(dir);
  await store.ensureFacility(FACILITY, ZONE);
  // A second connection to the same file, opened the same way (WAL, synchronous=FULL).
  const db = openDatabase(join(dir, CLOUD_DB_FILE), { migrations: cloudMigrations });
  db.exec(`
    CREATE TABLE plain_events (
      facility_id TEXT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, child_id TEXT NOT NULL,
      occurred_at TEXT NOT NULL, device_id TEXT NOT NULL, seq INTEGER NOT NULL, method TEXT NOT NULL,
      actor TEXT, voids TEXT, note TEXT, occurred_ms INTEGER NOT NULL, occurred_sub_ms INTEGER NOT NULL,
      local_date TEXT NOT NULL, hub_id TEXT NOT NULL, received_at TEXT NOT NULL,
      PRIMARY KEY (facility_id, id)
    );
    CREATE INDEX plain_by_day ON plain_events (facility_id, local_date, occurred_ms, occurred_sub_ms,
      device_id, seq);`);
  const placeholders = Array.from({ length: BATCH }, () => `(${Array(COLUMNS).fill('?').join(', ')})`);
  const insert = db.prepare(`INSERT INTO plain_events (${PLAIN_COLUMNS}) VALUES ${placeholders.join(', ')}`);
  const write = db.transaction((values: unknown[]) => insert.run(values));
  return {
    name: 'SQLite',
    store,
    plain: (batch) => {
      const receivedAt = new Date().toISOString();
      write.immediate(batch.flatMap((e) => rowOf(e, receivedAt)));
      return Promise.resolve();
    },
    close: async () => {
      db.close();
      await store.close();
    },
  };
}

async function postgresBackend(url: string): Promise<Backend> {
  const store = await openCloudPostgresStore(url);
  await store.ensureFacility(FACILITY, ZONE);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`
    CREATE TABLE plain_events (
      facility_id text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL, type text NOT NULL,
      child_id text NOT NULL, occurred_at text NOT NULL, device_id text COLLATE "C" NOT NULL,
      seq bigint NOT NULL, method text NOT NULL, actor text, voids text, note text,
      occurred_ms bigint NOT NULL, occurred_sub_ms integer NOT NULL, local_date date NOT NULL,
      hub_id text NOT NULL, received_at timestamptz NOT NULL,
      PRIMARY KEY (facility_id, id)
    );
    CREATE INDEX plain_by_day ON plain_events (facility_id, local_date, occurred_ms, occurred_sub_ms,
      device_id, seq);`);
  const placeholders = Array.from(
    { length: BATCH },
    (_, r) => `(${Array.from({ length: COLUMNS }, (_, c) => `$${r * COLUMNS + c + 1}`).join(', ')})`,
  );
  const text = `INSERT INTO plain_events (${PLAIN_COLUMNS}) VALUES ${placeholders.join(', ')}`;
  return {
    name: 'PostgreSQL',
    store,
    // One statement outside a transaction block: committed (and fsynced) on its own, like insertBatch.
    plain: async (batch) => {
      const receivedAt = new Date().toISOString();
      await client.query({ text, values: batch.flatMap((e) => rowOf(e, receivedAt)) });
    },
    close: async () => {
      await client.end();
      await store.close();
    },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function timed(batches: AttendanceEvent[][], send: (b: AttendanceEvent[]) => Promise<void>) {
  const t0 = performance.now();
  for (const b of batches) await send(b);
  return (batches.length * BATCH) / ((performance.now() - t0) / 1000);
}

interface Measured {
  name: string;
  plain: number;
  store: number;
  ratio: number;
}

async function measure(backend: Backend): Promise<Measured> {
  // Warm-up (statement preparation, first pages, JIT), not counted.
  await backend.plain(makeBatch());
  await backend.store.insertBatch(FACILITY, HUB, makeBatch());
  const plain: number[] = [];
  const store: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const a = Array.from({ length: BATCHES }, makeBatch);
    const b = Array.from({ length: BATCHES }, makeBatch);
    // Alternating which goes first keeps drift of a shared machine from favouring one side.
    const runPlain = () => timed(a, (batch) => backend.plain(batch));
    const runStore = () =>
      timed(b, async (batch) => {
        const { accepted } = await backend.store.insertBatch(FACILITY, HUB, batch);
        if (accepted.length !== BATCH) throw new Error(`only ${accepted.length} accepted`);
      });
    if (r % 2 === 0) {
      plain.push(await runPlain());
      store.push(await runStore());
    } else {
      store.push(await runStore());
      plain.push(await runPlain());
    }
    console.log(
      `${backend.name} round ${r + 1}: plain ${plain.at(-1)?.toFixed(0)} rows/s, insertBatch ${store.at(-1)?.toFixed(0)} events/s`,
    );
  }
  const result = { name: backend.name, plain: median(plain), store: median(store), ratio: 0 };
  result.ratio = result.store / result.plain;
  return result;
}

export async function runCloudIngestBench(): Promise<void> {
  const loadBefore = loadavg();
  const started = performance.now();
  const results: Measured[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'genkan-bench-cloud-'));
  try {
    const sqlite = await sqliteBackend(dir);
    try {
      results.push(await measure(sqlite));
    } finally {
      await sqlite.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  let pgNote = '';
  if (postgresPrereq()) {
    const server = await startPostgres();
    try {
      const pgBackend = await postgresBackend(server.url);
      try {
        results.push(await measure(pgBackend));
      } finally {
        await pgBackend.close();
      }
    } finally {
      await server.stop();
    }
  } else {
    pgNote = 'PostgreSQL not measured: its server binaries are missing on this machine.';
  }
  const loadAfter = loadavg();
  const seconds = (performance.now() - started) / 1000;
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const date = new Date().toISOString().slice(0, 10);
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
  console.log(JSON.stringify({ results, seconds, loadBefore, loadAfter }));
  await writeBenchSection(
    'cloud-ingest',
    [
      `Measured ${date} on ${machine}; command \`BENCH_ONLY=cloud-ingest npm run bench\`; batches of ${BATCH}, ${BATCHES} batches per measure and round, median of ${ROUNDS} rounds (${(BATCHES * BATCH * ROUNDS).toLocaleString('en-US')} events per measure); ${seconds.toFixed(0)} s in all. Load average (1, 5, 15 min) before ${load(loadBefore)}, after ${load(loadAfter)}: the 2 cores were shared with other work.`,
      '',
      '| backend | plain multi-row INSERT | store insertBatch | ratio store / plain |',
      '| --- | --- | --- | --- |',
      ...results.map(
        (r) =>
          `| ${r.name} | ${fmt(r.plain)} rows/s | ${fmt(r.store)} events/s | ${r.ratio.toFixed(2)} (goal ≥ 0.7${r.ratio >= 0.7 ? ': met' : ': not met'}) |`,
      ),
      ...(pgNote === '' ? [] : ['', pgNote]),
    ],
    DESCRIPTION,
  );
}

/** Written above the results the first time the section is added to docs/benchmarks.md. */
const DESCRIPTION = `## Cloud relay ingest: store vs plain INSERT

Command: \`BENCH_ONLY=cloud-ingest npm run bench\` (also part of a plain \`npm run bench\`; options:
\`BENCH_CLOUD_BATCHES\`, default 60, and \`BENCH_CLOUD_ROUNDS\`, default 7). Needs the PostgreSQL server
binaries for the PostgreSQL row (a throwaway server is started, as in the tests).

The cloud store's \`insertBatch\` (what \`POST /v1/batches\` calls after validation: idempotent by event
id, one round trip and one durable commit per batch) against a plain batched INSERT of the same rows
into the same database, measured in the same run. Plain is one multi-row \`INSERT … VALUES\` of 500 rows
per transaction into a table with the same columns, primary key and index as \`events\`, without \`ON
CONFLICT\`, \`RETURNING\` or the accepted/duplicate split; both compute the same derived columns (instant
key, business date). Durability is the store's on both sides: SQLite WAL with \`synchronous=FULL\`,
PostgreSQL with its defaults (\`fsync=on\`, \`synchronous_commit=on\`). One client sends one batch of 500
new events at a time; rounds alternate which side goes first; rates are medians over rounds. HTTP is not
included (see the hub ingest section for the cost of the network path).

Goal: store ≥ 0.7 × plain on each backend.
`;
