import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import mqtt from 'mqtt';
import { GenkanProcess, ROOT, tempDir } from '../test/support/process.ts';
import { hubTlsOf, provisionSite, startHub, type Site } from '../test/support/site.ts';
import { percentile, round1, writeBenchSection } from './report.ts';

/**
 * A kiosk's login during a login flood (issue 15): a real hub process (TLS and, with --plain, plain
 * listeners), a flood of FLOOD_RATE wrong-password logins per second from 127.0.0.2 (its own process,
 * bench/login-flood-client.ts, each attempt a new connection), and a device logging in from 127.0.0.1
 * with its own password through mqtt.js: CONNECT to CONNACK, LOGINS times in a row, without and with the
 * flood, over TLS (the default listener) and over plain MQTT.
 */
const RUNNER = join(ROOT, 'bin/run-ts.mjs');
const LOGINS = Number(process.env['BENCH_FLOOD_LOGINS'] ?? 60);
const FLOOD_RATE = Number(process.env['BENCH_FLOOD_RATE'] ?? 300);
/** The flood runs this long before the device's logins start (the hub's limiter engaged by then). */
const FLOOD_LEAD_MS = 2000;

interface Phase {
  p50: number;
  p99: number;
  max: number;
}

interface FloodCounts {
  sent: number;
  seconds: number;
  codes: Record<string, number>;
}

async function loginTimes(url: string, site: Site, ca: string | undefined): Promise<Phase> {
  const device = site.devices[0];
  if (!device) throw new Error('no device');
  const times: number[] = [];
  for (let i = 0; i < LOGINS; i++) {
    const t0 = performance.now();
    const client = await mqtt.connectAsync(url, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 30_000,
      keepalive: 15,
      username: device.deviceId,
      password: device.password,
      clientId: device.deviceId,
      ...(ca !== undefined && { ca }),
    });
    times.push(performance.now() - t0);
    await client.endAsync();
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), max: times.at(-1) ?? NaN };
}

async function withFlood<T>(
  port: number,
  caFile: string | undefined,
  run: () => Promise<T>,
): Promise<{ result: T; flood: FloodCounts }> {
  const flood = new GenkanProcess(
    'flood',
    ['bench/login-flood-client.ts', String(port), String(FLOOD_RATE), ...(caFile ? [caFile] : [])],
    {},
    RUNNER,
  );
  await flood.ready();
  await new Promise((resolve) => setTimeout(resolve, FLOOD_LEAD_MS));
  const result = await run();
  flood.child.kill('SIGTERM');
  const done = await flood.waitFor((l) => l['done'] === true);
  await flood.exited;
  return { result, flood: done as unknown as FloodCounts };
}

export async function runLoginFloodBench(): Promise<void> {
  const dir = await tempDir('genkan-bench-flood-');
  let hub: GenkanProcess | undefined;
  try {
    const site = await provisionSite(dir.path, { kiosks: 1, children: 4 });
    hub = startHub(site);
    const ready = await hub.ready();
    const tls = hubTlsOf(ready);
    const ca = readFileSync(tls.caFile, 'utf8');
    const mqtts = `mqtts://127.0.0.1:${String(tls.mqtts)}`;
    const plain = `mqtt://127.0.0.1:${String(ready['mqtt'])}`;

    const tlsQuiet = await loginTimes(mqtts, site, ca);
    const tlsFlood = await withFlood(tls.mqtts, tls.caFile, () => loginTimes(mqtts, site, ca));
    const plainQuiet = await loginTimes(plain, site, undefined);
    const plainFlood = await withFlood(Number(ready['mqtt']), undefined, () =>
      loginTimes(plain, site, undefined),
    );

    const rows: [string, Phase, Phase, FloodCounts][] = [
      ['TLS (mqtts, default)', tlsQuiet, tlsFlood.result, tlsFlood.flood],
      ['plain MQTT (--plain)', plainQuiet, plainFlood.result, plainFlood.flood],
    ];
    const date = new Date().toISOString().slice(0, 10);
    const machine = `${String(cpus().length)} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
    console.log(JSON.stringify({ date, rows }));
    const goal = (p: Phase) => (p.p99 <= 1000 ? 'met' : '**not met**');
    const floodText = (f: FloodCounts) =>
      `${String(Math.round(f.sent / f.seconds))}/s; answers ${Object.entries(f.codes)
        .map(([code, n]) => `${code === 'closed' ? 'dropped' : `CONNACK ${code}`} × ${String(n)}`)
        .join(', ')}`;
    await writeBenchSection(
      'login-flood',
      [
        `Measured ${date} on ${machine}; \`BENCH_ONLY=login-flood npm run bench\`. A hub process; a flood of ${String(FLOOD_RATE)} wrong-password logins per second from 127.0.0.2 (a process of its own, one new connection per attempt, running ${String(FLOOD_LEAD_MS / 1000)} s before and throughout the device's logins); a device logging in from 127.0.0.1 with its own password (mqtt.js, CONNECT → CONNACK), ${String(LOGINS)} logins in a row per phase.`,
        '',
        '| listener | login p50 quiet | p99 quiet | p50 flood | p99 flood | max flood | p99 flood / quiet | flood sent, answers | goal: p99 under flood ≤ 1 s |',
        '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
        ...rows.map(
          ([name, quiet, flood, counts]) =>
            `| ${name} | ${String(round1(quiet.p50))} ms | ${String(round1(quiet.p99))} ms | ${String(round1(flood.p50))} ms | ${String(round1(flood.p99))} ms | ${String(round1(flood.max))} ms | ${String(round1(flood.p99 / quiet.p99))} | ${floodText(counts)} | ${goal(flood)} |`,
        ),
        '',
        'The flood address gets CONNACK 4 for its first 10 wrong passwords in a minute, then CONNACK 3 (server unavailable) without a password check; "dropped" are connections closed unanswered (over the per-address bound of connections not logged in yet).',
      ],
      '## Login flood (issue 15)',
    );
  } finally {
    await hub?.stop();
    await dir.remove();
  }
}
