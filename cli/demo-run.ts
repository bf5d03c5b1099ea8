import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { PACKAGE_ROOT } from '../common/package-root.ts';
import { electronBinary } from '../kiosk/main/electron/launch.ts';
import { openKioskScreen } from './open-screen.ts';
import { demoGuardians, demoRosterCsv, demoSimCards } from './demo-roster.ts';

/**
 * `genkan demo` (= `npm start`): the whole system on one machine with demo data. It runs the real
 * processes a site would run (cloud relay, edge hub, one kiosk with a simulated reader) through the
 * public CLI, and turns the kiosk's JSON lines into something a person can read.
 */
const BIN = join(PACKAGE_ROOT, 'bin', 'genkan.mjs');

/** The demo's staff account for the tablet app (a real site adds its own with `genkan staff add`). */
const DEMO_STAFF = { id: 'demo-staff', name: 'デモ 職員', pin: '1234' } as const;
/** The demo's director, for the admin app at /admin. */
const DEMO_ADMIN = { id: 'demo-admin', name: 'デモ 園長', pin: '5678' } as const;

interface DemoConfig {
  facilityId: string;
  hubId: string;
  cloudToken: string;
  adminToken: string;
  cloudAdminToken: string;
  kioskId: string;
  kioskPassword: string;
}

type Json = Record<string, unknown>;

/** Runs a one-shot genkan command and returns its JSON output. */
function genkanJson(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Json> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', rej);
    child.on('exit', (code) => {
      if (code === 0) res(JSON.parse(out.trim().split('\n').pop() ?? '{}') as Json);
      else rej(new Error(`genkan ${args.slice(0, 2).join(' ')} failed: ${err.trim()}`));
    });
  });
}

/** Starts a long-running genkan process; resolves with its ready line. Other stdout lines go to onLine. */
function startService(
  label: string,
  args: string[],
  children: ChildProcess[],
  onLine: (line: Json) => void = () => undefined,
  env: NodeJS.ProcessEnv = {},
): Promise<Json> {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, GENKAN_LOG_LEVEL: process.env['GENKAN_LOG_LEVEL'] ?? 'warn', ...env },
  });
  children.push(child);
  return new Promise((res, rej) => {
    let ready = false;
    child.on('exit', (code, signal) => {
      if (!ready) rej(new Error(`${label} exited with ${code ?? signal} before it was ready`));
      else if (!shuttingDown) {
        // Ctrl+C reaches the whole process group, so a service may stop cleanly before we do.
        const clean = code === 0 || signal === 'SIGINT' || signal === 'SIGTERM';
        if (!clean)
          process.stderr.write(
            `\n${label} stopped unexpectedly (exit ${code ?? signal}); stopping the demo.\n`,
          );
        void shutdown(children, clean ? 0 : 1);
      }
    });
    createInterface({ input: child.stdout }).on('line', (text) => {
      let line: Json;
      try {
        line = JSON.parse(text) as Json;
      } catch {
        process.stdout.write(`${text}\n`);
        return;
      }
      if (!ready && line['ready'] === true) {
        ready = true;
        res(line);
      } else onLine(line);
    });
  });
}

let shuttingDown = false;
async function shutdown(children: ChildProcess[], code: number): Promise<never> {
  shuttingDown = true;
  // Kiosk first so that it can say goodbye to the hub, then hub (it flushes to the cloud), then cloud.
  for (const child of [...children].reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    child.kill('SIGKILL');
  }
  process.exit(code);
}

async function prepare(dir: string): Promise<DemoConfig> {
  const configFile = join(dir, 'demo.json');
  if (existsSync(configFile)) return JSON.parse(await readFile(configFile, 'utf8')) as DemoConfig;
  await mkdir(dir, { recursive: true });
  process.stdout.write(`Preparing demo data in ${dir} …\n`);
  const guardians = demoGuardians();
  await writeFile(join(dir, 'roster.csv'), demoRosterCsv(guardians));
  await writeFile(join(dir, 'cards.json'), `${JSON.stringify(demoSimCards(guardians), null, 1)}\n`);
  const facilityId = 'demo';
  const hub = await genkanJson([
    'cloud',
    'hub',
    'add',
    'demo-hub',
    '--facility',
    facilityId,
    '--data',
    join(dir, 'cloud'),
  ]);
  // The hub's database is created by the first command; its facility defaults to `demo`, as here.
  const kiosk = await genkanJson(['device', 'add', 'kiosk-1', '--data', join(dir, 'hub'), '--role', 'kiosk']);
  await genkanJson(['roster', 'import', join(dir, 'roster.csv'), '--data', join(dir, 'hub')]);
  // A staff account for the tablet app: the demo is for trying, so its PIN is printed in the banner.
  await genkanJson(['staff', 'add', DEMO_STAFF.id, '--name', DEMO_STAFF.name, '--data', join(dir, 'hub')], {
    GENKAN_STAFF_PIN: DEMO_STAFF.pin,
  });
  await genkanJson(
    ['staff', 'add', DEMO_ADMIN.id, '--name', DEMO_ADMIN.name, '--role', 'admin', '--data', join(dir, 'hub')],
    { GENKAN_STAFF_PIN: DEMO_ADMIN.pin },
  );
  const config: DemoConfig = {
    facilityId,
    hubId: 'demo-hub',
    cloudToken: String(hub['token']),
    adminToken: randomBytes(18).toString('base64url'),
    cloudAdminToken: randomBytes(18).toString('base64url'),
    kioskId: String(kiosk['deviceId']),
    kioskPassword: String(kiosk['password']),
  };
  await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return config;
}

const DIRECTION: Record<string, string> = {
  check_in: '登園 (check-in)',
  check_out: '降園 (check-out)',
  absent: '欠席 (absent)',
  void: '取消 (void)',
};

function describeKioskLine(line: Json): string | undefined {
  switch (line['type']) {
    case 'tap': {
      if (line['result'] === 'ok') {
        const guardian = line['guardian'] as { name?: string } | undefined;
        const events = (line['events'] ?? []) as { childName?: string; type?: string }[];
        const kids = events.map((e) => `${e.childName ?? '?'} ${DIRECTION[e.type ?? ''] ?? e.type ?? ''}`);
        return `  ✔ ${guardian?.name ?? ''}: ${kids.join(', ')}  — saved at the kiosk`;
      }
      if (line['result'] === 'debounced') return '  … same card again within the debounce time: ignored';
      if (line['result'] === 'unknown_credential') return '  ✖ unknown card: ask staff to register it';
      if (line['result'] === 'refused_qr')
        return `  ✖ QR refused (${String(line['reason'])}): ${String(line['message'])}`;
      return `  ✖ ${String(line['result'])}`;
    }
    case 'acked':
      return `  ↳ hub stored ${(line['ids'] as unknown[]).length} event(s)`;
    case 'rejected':
      return `  ↳ hub rejected ${String(line['id'])}: ${String(line['code'])} ${String(line['message'])}`;
    case 'connection':
      return line['online'] === true ? '  (kiosk online)' : '  (kiosk offline: taps are kept and sent later)';
    default:
      return undefined;
  }
}

export async function runDemo(opts: { data: string }): Promise<void> {
  const dir = resolve(opts.data);
  const config = await prepare(dir);
  const children: ChildProcess[] = [];
  process.on('SIGINT', () => void shutdown(children, 0));
  process.on('SIGTERM', () => void shutdown(children, 0));

  const cloud = await startService(
    'cloud',
    ['cloud', '--data', join(dir, 'cloud'), '--port', '0', '--host', '127.0.0.1'],
    children,
    undefined,
    { GENKAN_CLOUD_ADMIN_TOKEN: config.cloudAdminToken },
  );
  const cloudUrl = `http://127.0.0.1:${String(cloud['http'])}`;
  const hub = await startService(
    'hub',
    [
      'hub',
      '--data',
      join(dir, 'hub'),
      '--facility',
      config.facilityId,
      '--host',
      '127.0.0.1',
      '--mqtt-port',
      '0',
      '--ws-port',
      '0',
      '--http-port',
      '0',
      '--cloud',
      cloudUrl,
      '--cloud-token',
      config.cloudToken,
    ],
    children,
    undefined,
    { GENKAN_ADMIN_TOKEN: config.adminToken },
  );
  const hubUrl = `http://127.0.0.1:${String(hub['http'])}`;
  // A fresh one-time link each start: pairing codes expire after 15 minutes.
  const tablet = await genkanJson([
    'device',
    'pair',
    'tablet-1',
    '--role',
    'tablet',
    '--data',
    join(dir, 'hub'),
    '--hub-url',
    hubUrl,
  ]);
  // The kiosk screen in Electron where its binary is installed (and a display exists), else in a browser.
  const hasDisplay =
    process.platform !== 'linux' || Boolean(process.env['DISPLAY'] ?? process.env['WAYLAND_DISPLAY']);
  const useElectron = hasDisplay && electronBinary() !== undefined;
  const kioskProc = startService(
    'kiosk',
    [
      'kiosk',
      '--data',
      join(dir, 'kiosk'),
      '--hub',
      `mqtt://127.0.0.1:${String(hub['mqtt'])}`,
      '--device',
      config.kioskId,
      '--reader',
      `sim:${join(dir, 'cards.json')}`,
      '--debounce-ms',
      '5000',
      '--ui',
      useElectron ? 'electron' : 'browser',
      '--ui-port',
      '0',
    ],
    children,
    (line) => {
      const text = describeKioskLine(line);
      if (text) process.stdout.write(`${text}\n`);
    },
    { GENKAN_DEVICE_PASSWORD: config.kioskPassword },
  );
  const kioskReady = await kioskProc;
  const kiosk = children[2];
  const screen = useElectron
    ? `Kiosk screen opened in Electron (${String(kioskReady['ui'])} in a browser works too)`
    : openKioskScreen(String(kioskReady['ui']), join(dir, 'browser-profile'));

  const cards = JSON.parse(await readFile(join(dir, 'cards.json'), 'utf8')) as unknown[];
  process.stdout.write(
    [
      '',
      'Genkan demo is running (cloud relay, edge hub, one kiosk with a simulated card reader).',
      '',
      `  Hub HTTP API   ${hubUrl}   (admin token: ${config.adminToken})`,
      `  Staff tablet   ${String(tablet['url'])}`,
      `                 (opens the roll-call app and sets this browser up as a tablet; then sign in as ${DEMO_STAFF.id}, PIN ${DEMO_STAFF.pin})`,
      `  Admin          ${hubUrl}/admin   (the director's app: sign in as ${DEMO_ADMIN.id}, PIN ${DEMO_ADMIN.pin})`,
      `  Hub MQTT       mqtt://127.0.0.1:${String(hub['mqtt'])}   WebSocket ws://127.0.0.1:${String(hub['ws'])}`,
      `  Cloud relay    ${cloudUrl}   (admin token: ${config.cloudAdminToken})`,
      `  ${screen}`,
      '',
      'Today’s roll-call at the hub, and the events that reached the cloud:',
      `  curl -s -H "Authorization: Bearer ${config.adminToken}" ${hubUrl}/api/rollcall`,
      `  curl -s -H "Authorization: Bearer ${config.cloudAdminToken}" "${cloudUrl}/v1/facilities/${config.facilityId}/events?date=$(TZ=Asia/Tokyo date +%F)"`,
      'This month’s attendance ledger (登降園記録簿) as CSV, from the hub and the same from the cloud:',
      `  curl -s -H "Authorization: Bearer ${config.adminToken}" "${hubUrl}/api/ledger/monthly?format=csv"`,
      `  curl -s -H "Authorization: Bearer ${config.cloudAdminToken}" "${cloudUrl}/v1/facilities/${config.facilityId}/ledger/monthly?month=$(TZ=Asia/Tokyo date +%Y-%m)&format=csv"`,
      '',
      `Type a number 1–${cards.length} and Enter to tap that guardian’s card at the kiosk;`,
      '"list" shows the cards, "status" shows the counts at hub and cloud, Ctrl+C stops everything.',
      `Data is kept in ${dir} (delete it to start over).`,
      '',
    ].join('\n'),
  );

  createInterface({ input: process.stdin }).on('line', (text) => {
    if (text.trim() === 'status') {
      void showStatus(hubUrl, cloudUrl, config);
      return;
    }
    kiosk?.stdin?.write(`${text}\n`);
  });
}

async function showStatus(hubUrl: string, cloudUrl: string, config: DemoConfig): Promise<void> {
  try {
    const rollcall = (await (
      await fetch(`${hubUrl}/api/rollcall`, { headers: { authorization: `Bearer ${config.adminToken}` } })
    ).json()) as { date: string; classes: { children: { status: string }[] }[] };
    const counts: Record<string, number> = {};
    for (const c of rollcall.classes)
      for (const ch of c.children) counts[ch.status] = (counts[ch.status] ?? 0) + 1;
    const cloud = (await (
      await fetch(`${cloudUrl}/v1/facilities/${config.facilityId}/events?date=${rollcall.date}`, {
        headers: { authorization: `Bearer ${config.cloudAdminToken}` },
      })
    ).json()) as { events: unknown[] };
    process.stdout.write(
      `  hub ${rollcall.date}: ${JSON.stringify(counts)}; cloud holds ${cloud.events.length} event(s) of today\n`,
    );
  } catch (err) {
    process.stdout.write(`  status unavailable: ${String(err)}\n`);
  }
}
