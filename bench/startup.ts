import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { newEventId } from '../common/ids.ts';
import { formatRfc3339 } from '../common/time.ts';
import { topics } from '../protocol/topics.ts';
import { GENKAN_BIN, ROOT, tempDir } from '../test/support/process.ts';
import { provisionSite, startHub, startKiosk, type GenkanEntry, type Site } from '../test/support/site.ts';
import { procMemoryMb, round1, writeBenchSection } from './report.ts';

/**
 * Start time and memory of the built CLI (bin/genkan.mjs → dist/node), each against a baseline measured
 * in the same run: `node -e 0` for the start of any command, and the same command run from the
 * TypeScript sources through tsx (how genkan ran before it was built) for the kiosk and the hub.
 *  - `genkan --help`: wall time, median of BENCH_STARTUP_RUNS, and peak RSS;
 *  - a kiosk (headless, stdin reader, a real hub): spawn → ready line, median over restarts of the same
 *    data folder (a kiosk is rebooted after every power cut);
 *  - a hub with a 300-child roster and 100 connected devices (MQTT over TCP, each subscribed as a kiosk
 *    is and having sent one check-in): RSS once all are acknowledged and the hub is idle, and peak RSS.
 */
const RUNS = Number(process.env['BENCH_STARTUP_RUNS'] ?? 10);
const KIOSK_RUNS = Number(process.env['BENCH_KIOSK_STARTS'] ?? 5);
const HUB_CHILDREN = 300;
const HUB_DEVICES = 100;
const TSX = join(ROOT, 'bin', 'run-ts.mjs');
const SOURCE_CLI = join(ROOT, 'cli', 'main.ts');

type Mode = 'built' | 'tsx';
/** How each mode runs genkan: dist/ through bin/genkan.mjs, or cli/main.ts through tsx. */
const ENTRY: Record<Mode, GenkanEntry> = {
  built: GENKAN_BIN,
  tsx: { command: process.execPath, args: [TSX, SOURCE_CLI] },
};

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

/**
 * Reports the process's peak RSS (kB) on stderr at exit; loaded with --import. VmHWM, not getrusage's
 * maxRSS: Linux carries ru_maxrss over fork and exec, so a child would report its parent's peak.
 */
const PEAK_RSS_HOOK =
  "data:text/javascript,import{readFileSync}from'node:fs';process.on('exit',()=>process.stderr.write('peak-rss-kb '+/VmHWM:\\s+(\\d+)/.exec(readFileSync('/proc/self/status','utf8'))[1]+'\\n'))";

/** Runs `node ARGS` to its end: wall time in ms and, with the hook, peak RSS in MB. */
function timeNode(args: readonly string[], withPeak: boolean): Promise<{ ms: number; peakMb: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...(withPeak ? ['--import', PEAK_RSS_HOOK] : []), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) {
        reject(new Error(`node ${args.join(' ')} exited ${String(code)}: ${stderr}`));
        return;
      }
      const kb = /peak-rss-kb (\d+)/.exec(stderr)?.[1];
      resolve({ ms, peakMb: kb === undefined ? NaN : Number(kb) / 1024 });
    });
  });
}

interface CommandTimes {
  baselineMs: number;
  builtMs: number;
  tsxMs: number;
  baselinePeakMb: number;
  builtPeakMb: number;
  tsxPeakMb: number;
}

/** `node -e 0`, built `genkan --help` and tsx `genkan --help`, interleaved so that drift hits all three. */
async function benchHelp(): Promise<CommandTimes> {
  const commands = {
    baseline: ['-e', '0'],
    built: [GENKAN_BIN, '--help'],
    tsx: [TSX, SOURCE_CLI, '--help'],
  } as const;
  const ms = { baseline: [] as number[], built: [] as number[], tsx: [] as number[] };
  const peak = { baseline: [] as number[], built: [] as number[], tsx: [] as number[] };
  for (const name of ['baseline', 'built', 'tsx'] as const) await timeNode(commands[name], false); // warm-up
  for (let i = 0; i < RUNS; i++) {
    for (const name of ['baseline', 'built', 'tsx'] as const) {
      ms[name].push((await timeNode(commands[name], false)).ms);
    }
  }
  for (let i = 0; i < 3; i++) {
    for (const name of ['baseline', 'built', 'tsx'] as const) {
      peak[name].push((await timeNode(commands[name], true)).peakMb);
    }
  }
  return {
    baselineMs: median(ms.baseline),
    builtMs: median(ms.built),
    tsxMs: median(ms.tsx),
    baselinePeakMb: median(peak.baseline),
    builtPeakMb: median(peak.built),
    tsxPeakMb: median(peak.tsx),
  };
}

/** Spawn → ready line of a headless kiosk, in ms, over KIOSK_RUNS starts of the same data folder. */
async function benchKioskStart(site: Site, mqttPort: number, mode: Mode): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < KIOSK_RUNS + 1; i++) {
    const started = performance.now();
    const kiosk = startKiosk(site, 0, mqttPort, {
      entry: ENTRY[mode],
      dataDir: join(site.dir, `kiosk-${mode}`),
      name: `kiosk (${mode})`,
    });
    await kiosk.ready();
    // The first start creates the data folder; the rest are reboots.
    if (i > 0) times.push(performance.now() - started);
    await kiosk.stop();
  }
  return times;
}

/** Connects every device as a kiosk does, sends one check-in each, and waits for every ack. */
async function connectDevices(site: Site, mqttPort: number): Promise<MqttClient[]> {
  const clients = await Promise.all(
    site.devices.map((d) =>
      mqtt.connectAsync(`mqtt://127.0.0.1:${String(mqttPort)}`, {
        clientId: d.deviceId,
        username: d.deviceId,
        password: d.password,
        protocolVersion: 4,
      }),
    ),
  );
  await Promise.all(
    clients.map((c, i) => {
      const id = site.devices[i]?.deviceId ?? '';
      return c.subscribeAsync(
        [
          topics.acks(site.facilityId, id),
          topics.responses(site.facilityId, id),
          topics.roster(site.facilityId),
          topics.time(site.facilityId),
        ],
        { qos: 1 },
      );
    }),
  );
  await Promise.all(
    clients.map(
      (c, i) =>
        new Promise<void>((resolve) => {
          const id = site.devices[i]?.deviceId ?? '';
          const n = String(i + 1).padStart(3, '0');
          const event = {
            id: newEventId(),
            type: 'check_in',
            childId: `c${n}`,
            occurredAt: formatRfc3339(new Date(), 'Asia/Tokyo'),
            deviceId: id,
            seq: 1,
            method: 'card',
            actor: `g${n}`,
          };
          c.on('message', (topic) => {
            if (topic === topics.acks(site.facilityId, id)) resolve();
          });
          c.publish(topics.events(site.facilityId, id), JSON.stringify(event), { qos: 1 });
        }),
    ),
  );
  return clients;
}

interface HubMemory {
  rssMb: number;
  peakMb: number;
}

async function benchHubMemory(site: Site, mode: Mode): Promise<HubMemory> {
  const hub = startHub(site, {}, ENTRY[mode]);
  try {
    const mqttPort = Number((await hub.ready())['mqtt']);
    const clients = await connectDevices(site, mqttPort);
    // Idle a moment so that start-up garbage can be collected, as on a hub left running.
    await new Promise((r) => setTimeout(r, 5000));
    const pid = hub.child.pid;
    if (pid === undefined) throw new Error('hub has no pid');
    const memory = procMemoryMb(pid);
    await Promise.all(clients.map((c) => c.endAsync()));
    return memory;
  } finally {
    await hub.stop();
  }
}

export async function runStartupBench(): Promise<void> {
  const help = await benchHelp();
  console.log('genkan --help', help);

  const dir = await tempDir('genkan-bench-startup-');
  try {
    const site = await provisionSite(dir.path, { kiosks: HUB_DEVICES, children: HUB_CHILDREN });
    const kiosk: Record<Mode, number> = { built: NaN, tsx: NaN };
    {
      const hub = startHub(site);
      const mqttPort = Number((await hub.ready())['mqtt']);
      for (const mode of ['built', 'tsx'] as const) {
        kiosk[mode] = median(await benchKioskStart(site, mqttPort, mode));
        console.log(`kiosk start → ready (${mode}): ${kiosk[mode].toFixed(0)} ms`);
      }
      await hub.stop();
    }
    const hubMemory: Record<Mode, HubMemory> = {
      built: await benchHubMemory(site, 'built'),
      tsx: await benchHubMemory(site, 'tsx'),
    };
    console.log('hub memory', hubMemory);

    const machine = `${String(cpus().length)} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`;
    const mb = (x: number): string => `${x.toFixed(0)} MB`;
    const ms = (x: number): string => `${x.toFixed(0)} ms`;
    await writeBenchSection(
      'startup',
      [
        `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}, Node ${process.version}; ` +
          `median of ${String(RUNS)} runs (--help), ${String(KIOSK_RUNS)} kiosk restarts.`,
        '',
        '| measure | built (dist/) | from sources (tsx) | baseline | goal |',
        '| --- | --- | --- | --- | --- |',
        `| \`genkan --help\` wall time | ${ms(help.builtMs)} (${String(round1(help.builtMs / help.baselineMs))} × baseline) | ${ms(help.tsxMs)} | \`node -e 0\`: ${ms(help.baselineMs)} | ≤ 3 × baseline |`,
        `| \`genkan --help\` peak RSS | ${mb(help.builtPeakMb)} | ${mb(help.tsxPeakMb)} | \`node -e 0\`: ${mb(help.baselinePeakMb)} | |`,
        `| kiosk start → ready line | ${ms(kiosk.built)} | ${ms(kiosk.tsx)} | | ≤ 1,000 ms |`,
        `| hub, ${String(HUB_CHILDREN)} children, ${String(HUB_DEVICES)} devices connected: RSS | ${mb(hubMemory.built.rssMb)} | ${mb(hubMemory.tsx.rssMb)} | | ≤ 150 MB |`,
        `| same hub: peak RSS since start | ${mb(hubMemory.built.peakMb)} | ${mb(hubMemory.tsx.peakMb)} | | |`,
      ],
      '## Start time and memory',
    );
  } finally {
    await dir.remove();
  }
}
