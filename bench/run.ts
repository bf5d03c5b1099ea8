import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { newEventId } from '../common/ids.ts';
import { formatRfc3339 } from '../common/time.ts';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import { GenkanProcess, genkanJson } from '../test/support/process.ts';
import { writeBenchSection } from './report.ts';
import { runCardHashBench } from './card-hash.ts';
import { runCloudIngestBench } from './cloud-ingest.ts';
import { runKioskLatencyBench } from './kiosk-latency.ts';
import { runLedgerBench } from './ledger.ts';
import { runLoginFloodBench } from './login-flood.ts';
import { runSlowReaderBench } from './slow-reader.ts';
import { runStartupBench } from './startup.ts';
import { runTabletLatencyBench } from './tablet-latency.ts';

/**
 * npm run bench — the hub's durable ingest against plain aedes, measured in the same run on the same
 * machine, both as separate processes driven by the same 10 MQTT clients over loopback TCP:
 *  - plain aedes: 10 publishers × N QoS 1 messages → 1 QoS 1 subscriber; time until all delivered;
 *  - hub: 10 devices × N single-event QoS 1 publishes; time until every event is acknowledged on the
 *    device's acks topic, i.e. validated and committed to SQLite with synchronous=FULL.
 * Writes the results to docs/benchmarks.md (section between the bench markers).
 * Then the kiosk's tap → screen latency (bench/kiosk-latency.ts) and the kiosk tap → staff tablet latency
 * (bench/tablet-latency.ts), each in its own section.
 */
const ROOT = resolve(import.meta.dirname, '..');
const RUNNER = join(ROOT, 'bin/run-ts.mjs');
const DEVICES = 10;
const PER_DEVICE = Number(process.env['BENCH_EVENTS_PER_DEVICE'] ?? 5000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);

const event = (deviceId: string, seq: number, childId: string) => ({
  id: newEventId(),
  type: 'check_in',
  childId,
  occurredAt: formatRfc3339(new Date(), 'Asia/Tokyo'),
  deviceId,
  seq,
  method: 'card',
  // The bench roster gives child cNNN to guardian gN: a kiosk may only tap for a guardian's own child.
  actor: `g${Number(childId.slice(1))}`,
});

async function benchPlainAedes(): Promise<number> {
  const broker = new GenkanProcess('plain aedes', ['bench/plain-aedes.ts'], {}, RUNNER);
  const ready = await broker.ready();
  const url = `mqtt://127.0.0.1:${String(ready['mqtt'])}`;
  const sub = await mqtt.connectAsync(url, { protocolVersion: 4 });
  await sub.subscribeAsync('bench/#', { qos: 1 });
  const pubs = await Promise.all(
    Array.from({ length: DEVICES }, () => mqtt.connectAsync(url, { protocolVersion: 4 })),
  );
  const payloads = pubs.map((_, d) =>
    Array.from({ length: PER_DEVICE }, (_, i) => JSON.stringify(event(`kiosk-${d}`, i + 1, 'c001'))),
  );
  const total = DEVICES * PER_DEVICE;
  let received = 0;
  const done = new Promise<void>((res) => {
    sub.on('message', () => {
      if (++received === total) res();
    });
  });
  const t0 = performance.now();
  pubs.forEach((p, d) => {
    for (const payload of payloads[d] ?? []) p.publish(`bench/${d}`, payload, { qos: 1 });
  });
  await done;
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all([...pubs, sub].map((c) => c.endAsync()));
  await broker.stop();
  return total / seconds;
}

async function benchHub(dir: string): Promise<number> {
  const hubDir = join(dir, 'hub');
  await genkanJson(['hub', 'init', '--data', hubDir]);
  const devices: { deviceId: string; password: string }[] = [];
  for (let d = 0; d < DEVICES; d++) {
    devices.push(
      await genkanJson<{ deviceId: string; password: string }>([
        'device',
        'add',
        `kiosk-${d}`,
        '--data',
        hubDir,
      ]),
    );
  }
  const rows = [ROSTER_HEADER];
  for (let c = 1; c <= 100; c++)
    rows.push(`k1,Class,c${String(c).padStart(3, '0')},Child ${c},child ${c},g${c},Guardian ${c},`);
  await writeFile(join(dir, 'roster.csv'), `${rows.join('\n')}\n`);
  await genkanJson(['roster', 'import', join(dir, 'roster.csv'), '--data', hubDir]);
  const hub = new GenkanProcess('hub', [
    'hub',
    '--data',
    hubDir,
    '--host',
    '127.0.0.1',
    '--mqtts-port',
    '0',
    '--wss-port',
    '0',
    '--https-port',
    '0',
    // The baseline of this bench is plain MQTT (the TLS listeners cost a handshake per connection).
    '--plain',
    '--mqtt-port',
    '0',
    '--ws-port',
    '0',
    '--http-port',
    '0',
    '--admin-token',
    'bench',
  ]);
  const ready = await hub.ready();
  const url = `mqtt://127.0.0.1:${String(ready['mqtt'])}`;
  const facility = typeof ready['facility'] === 'string' ? ready['facility'] : 'demo';
  const clients: MqttClient[] = await Promise.all(
    devices.map((d) =>
      mqtt.connectAsync(url, {
        protocolVersion: 4,
        username: d.deviceId,
        password: d.password,
        clientId: d.deviceId,
      }),
    ),
  );
  const total = DEVICES * PER_DEVICE;
  let acked = 0;
  const done = new Promise<void>((res, rej) => {
    for (const c of clients) {
      c.on('message', (_t, payload) => {
        const ack = JSON.parse(payload.toString()) as { acked: string[]; rejected: unknown[] };
        if (ack.rejected.length > 0) rej(new Error(`rejected: ${JSON.stringify(ack.rejected[0])}`));
        acked += ack.acked.length;
        if (acked === total) res();
      });
    }
  });
  await Promise.all(
    clients.map((c, d) => c.subscribeAsync(`genkan/v1/${facility}/devices/kiosk-${d}/acks`, { qos: 1 })),
  );
  const payloads = clients.map((_, d) =>
    Array.from({ length: PER_DEVICE }, (_, i) =>
      JSON.stringify(event(`kiosk-${d}`, i + 1, `c${String((i % 100) + 1).padStart(3, '0')}`)),
    ),
  );
  const t0 = performance.now();
  clients.forEach((c, d) => {
    for (const payload of payloads[d] ?? [])
      c.publish(`genkan/v1/${facility}/devices/kiosk-${d}/events`, payload, { qos: 1 });
  });
  await done;
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(clients.map((c) => c.endAsync()));
  await hub.stop();
  return total / seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Runs the hub ingest rounds and records them in docs/benchmarks.md. */
async function runHubIngestBench(): Promise<void> {
  const plain: number[] = [];
  const hub: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Alternating the two keeps slow drift of the machine from favouring one of them.
    plain.push(await benchPlainAedes());
    const dir = await mkdtemp(join(tmpdir(), 'genkan-bench-'));
    try {
      hub.push(await benchHub(dir));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    console.log(
      `round ${r + 1}: plain aedes ${plain.at(-1)?.toFixed(0)} msg/s, hub durable ${hub.at(-1)?.toFixed(0)} events/s`,
    );
  }
  const ratio = median(hub) / median(plain);
  const result = {
    date: new Date().toISOString().slice(0, 10),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
    devices: DEVICES,
    perDevice: PER_DEVICE,
    rounds: ROUNDS,
    plainAedes: Math.round(median(plain)),
    hubDurable: Math.round(median(hub)),
    ratio: Number(ratio.toFixed(2)),
  };
  console.log(JSON.stringify(result));

  await writeBenchSection('hub-ingest', [
    `Measured ${result.date} on ${result.machine}; ${DEVICES} devices × ${PER_DEVICE} events, median of ${ROUNDS} rounds.`,
    '',
    '| measure | rate |',
    '| --- | --- |',
    `| plain aedes, QoS 1 publish → subscribe | ${result.plainAedes.toLocaleString('en-US')} msg/s |`,
    `| hub durable ingest, acked after SQLite commit (synchronous=FULL) | ${result.hubDurable.toLocaleString('en-US')} events/s |`,
    `| ratio hub / plain aedes | ${result.ratio} (goal ≥ 0.5) |`,
  ]);
}

// BENCH_ONLY=hub-ingest, kiosk-latency, tablet-latency, ledger, cloud-ingest, startup or card-hash runs one
// benchmark; by default all run.
const only = process.env['BENCH_ONLY'];
if (only === undefined || only === 'hub-ingest') await runHubIngestBench();
if (only === undefined || only === 'kiosk-latency') await runKioskLatencyBench();
if (only === undefined || only === 'tablet-latency') await runTabletLatencyBench();
if (only === undefined || only === 'ledger') await runLedgerBench();
if (only === undefined || only === 'cloud-ingest') await runCloudIngestBench();
if (only === undefined || only === 'startup') await runStartupBench();
if (only === undefined || only === 'card-hash') await runCardHashBench();
if (only === undefined || only === 'login-flood') await runLoginFloodBench();
if (only === undefined || only === 'slow-reader') await runSlowReaderBench();
