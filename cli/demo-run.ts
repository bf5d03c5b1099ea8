import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { KioskOutputLine } from '../kiosk/common/output.ts';
import { electronBinary } from '../kiosk/main/electron/launch.ts';
import { openKioskScreen } from './open-screen.ts';
import { DEMO_HELP, describeKioskLine } from './demo-lines.ts';
import { demoGuardians, demoRosterCsv, demoSimCards } from './demo-roster.ts';
import { DemoService, genkanJson } from './demo-services.ts';
import { localDate } from '../common/time.ts';
import { fiscalYearOf } from '../edge-hub/staffing/ages.ts';

/**
 * `genkan demo` (= `npm start`): the whole system on one machine with demo data. It runs the real
 * processes a site would run (cloud relay, edge hub, one kiosk with a simulated reader) through the
 * public CLI, and turns the kiosk's JSON lines into something a person can read. Its prompt can stop and
 * start the hub (offline mode); the processes' logs go to files in its data directory.
 */

/** The demo's staff account for the tablet app (a real site adds its own with `genkan staff add`). */
const DEMO_STAFF = { id: 'demo-staff', name: 'デモ 職員', pin: '1234' } as const;
/** The demo's director, for the admin app at /admin. */
const DEMO_ADMIN = { id: 'demo-admin', name: 'デモ 園長', pin: '567890' } as const;

interface DemoConfig {
  facilityId: string;
  hubId: string;
  cloudToken: string;
  adminToken: string;
  cloudAdminToken: string;
  kioskId: string;
  kioskPassword: string;
}

/** The demo facility's display name (a setting; the id `demo` stays internal). */
const DEMO_FACILITY_NAME = 'ひまわり保育園（デモ）';

async function prepare(dir: string): Promise<DemoConfig> {
  const configFile = join(dir, 'demo.json');
  if (existsSync(configFile)) return JSON.parse(await readFile(configFile, 'utf8')) as DemoConfig;
  await mkdir(dir, { recursive: true });
  process.stdout.write(`Preparing demo data in ${dir} …\n`);
  const guardians = demoGuardians();
  await writeFile(
    join(dir, 'roster.csv'),
    demoRosterCsv(guardians, fiscalYearOf(localDate(new Date(), 'Asia/Tokyo'))),
  );
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
  // The hub is created once, with its facility and the name kiosk, tablet and admin app headers and the
  // ledgers show (the id stays internal); every later command opens it.
  await genkanJson([
    'hub',
    'init',
    '--data',
    join(dir, 'hub'),
    '--facility',
    facilityId,
    '--facility-name',
    DEMO_FACILITY_NAME,
  ]);
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

/** The demo's three processes; the hub can be stopped and started again from the prompt. */
interface DemoServices {
  cloud: DemoService;
  hub: DemoService;
  kiosk: DemoService;
}

let shuttingDown = false;
async function shutdown(services: DemoService[], code: number): Promise<never> {
  shuttingDown = true;
  // Kiosk first so that it can say goodbye to the hub, then hub (it flushes to the cloud), then cloud.
  for (const service of [...services].reverse()) await service.stop();
  process.exit(code);
}

const say = (text: string): void => {
  process.stdout.write(`${text}\n`);
};

export async function runDemo(opts: { data: string }): Promise<void> {
  const started: DemoService[] = [];
  process.on('SIGINT', () => void shutdown(started, 0));
  process.on('SIGTERM', () => void shutdown(started, 0));
  try {
    await startDemo(resolve(opts.data), started);
  } catch (err) {
    // What did start does not outlive the demo.
    shuttingDown = true;
    for (const service of [...started].reverse()) await service.stop();
    throw err;
  }
}

async function startDemo(dir: string, started: DemoService[]): Promise<void> {
  const config = await prepare(dir);
  const logs = join(dir, 'logs');
  await mkdir(logs, { recursive: true });

  /** A cloud or kiosk that stops on its own ends the demo (cleanly: Ctrl+C reached it first). */
  const essential = (label: string) => (how: { code: number | null; signal: NodeJS.Signals | null }) => {
    if (shuttingDown) return;
    const clean = how.code === 0 || how.signal === 'SIGINT' || how.signal === 'SIGTERM';
    if (!clean) {
      say(`\n${label} stopped unexpectedly; stopping the demo (its log: ${join(logs, `${label}.log`)}).`);
    }
    void shutdown(started, clean ? 0 : 1);
  };

  const cloud = new DemoService({
    label: 'cloud',
    args: () => ['cloud', '--data', join(dir, 'cloud'), '--port', '0', '--host', '127.0.0.1'],
    env: { GENKAN_CLOUD_ADMIN_TOKEN: config.cloudAdminToken },
    logFile: join(logs, 'cloud.log'),
    onExit: essential('cloud'),
  });
  started.push(cloud);
  const cloudReady = await cloud.start();
  const cloudUrl = `http://127.0.0.1:${String(cloudReady['http'])}`;

  // A restarted hub binds the ports of its first start: the kiosk and the links printed keep working.
  let ports = { mqtt: 0, ws: 0, http: 0, mqtts: 0, wss: 0, https: 0 };
  const hub = new DemoService({
    label: 'hub',
    args: () => [
      'hub',
      '--data',
      join(dir, 'hub'),
      '--facility',
      config.facilityId,
      '--host',
      '127.0.0.1',
      '--mqtts-port',
      String(ports.mqtts),
      '--wss-port',
      String(ports.wss),
      '--https-port',
      String(ports.https),
      // Plain listeners, on 127.0.0.1 only: the demo's kiosk and browsers talk to it on this machine.
      '--plain',
      '--mqtt-port',
      String(ports.mqtt),
      '--ws-port',
      String(ports.ws),
      '--http-port',
      String(ports.http),
      '--cloud',
      cloudUrl,
    ],
    // Secrets through the environment, never argv: `ps` shows arguments to every user of the machine.
    env: { GENKAN_ADMIN_TOKEN: config.adminToken, GENKAN_CLOUD_TOKEN: config.cloudToken },
    logFile: join(logs, 'hub.log'),
    // The demo goes on without its hub: that is offline mode, and `hub start` brings it back.
    onExit: () => {
      if (shuttingDown) return;
      say(
        `  (the hub stopped on its own; its log: ${join(logs, 'hub.log')}. Type "hub start" to start it again.)`,
      );
    },
  });
  started.push(hub);
  const hubReady = await hub.start();
  ports = {
    mqtt: Number(hubReady['mqtt']),
    ws: Number(hubReady['ws']),
    http: Number(hubReady['http']),
    mqtts: Number(hubReady['mqtts']),
    wss: Number(hubReady['wss']),
    https: Number(hubReady['https']),
  };
  const httpsUrl = `https://127.0.0.1:${String(ports.https)}`;
  const hubUrl = `http://127.0.0.1:${String(ports.http)}`;
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
  const kiosk = new DemoService({
    label: 'kiosk',
    args: () => [
      'kiosk',
      '--data',
      join(dir, 'kiosk'),
      '--hub',
      `mqtt://127.0.0.1:${String(ports.mqtt)}`,
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
    env: { GENKAN_DEVICE_PASSWORD: config.kioskPassword },
    logFile: join(logs, 'kiosk.log'),
    // The simulated reader's menu: "sim reader: …", its help, and "  N  guardian（children） (card)".
    notLog: (line) =>
      line.startsWith('sim reader:') || line.startsWith('type an entry number') || /^\s+(\d+ |\()/.test(line),
    onLine: (line) => {
      const text = describeKioskLine(line as unknown as KioskOutputLine);
      if (text !== undefined) say(text);
    },
    onExit: essential('kiosk'),
  });
  started.push(kiosk);
  const kioskReady = await kiosk.start();
  const screen = useElectron
    ? `Kiosk screen opened in Electron (${String(kioskReady['ui'])} in a browser works too)`
    : openKioskScreen(String(kioskReady['ui']), join(dir, 'browser-profile'));

  const cards = JSON.parse(await readFile(join(dir, 'cards.json'), 'utf8')) as { label: string }[];
  say(
    [
      '',
      'Genkan demo is running (cloud relay, edge hub, one kiosk with a simulated card reader).',
      '',
      `  Hub HTTP API   ${hubUrl}   (admin token: ${config.adminToken})`,
      `  Staff tablet   ${String(tablet['url'])}`,
      `                 (opens the roll-call app and sets this browser up as a tablet; then sign in as ${DEMO_STAFF.id}, PIN ${DEMO_STAFF.pin})`,
      `  Admin          ${hubUrl}/admin   (the director's app: sign in as ${DEMO_ADMIN.id}, PIN ${DEMO_ADMIN.pin})`,
      `  Hub MQTT       mqtt://127.0.0.1:${String(ports.mqtt)}   WebSocket ws://127.0.0.1:${String(ports.ws)}`,
      `  Hub over TLS   ${httpsUrl}   mqtts://127.0.0.1:${String(ports.mqtts)}   wss://127.0.0.1:${String(ports.wss)}`,
      `                 (what a site uses; clients trust the hub's CA: ${String(hubReady['caFile'])})`,
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
      `Type a number 1–${String(cards.length)} and Enter to tap that guardian’s card at the kiosk;`,
      '"list" shows the cards, "status" the counts at hub and cloud, "hub stop" / "hub start" stop and',
      'start the edge hub (offline mode), "help" the commands; Ctrl+C stops everything.',
      `Logs of the three processes: ${join(logs, '{cloud,hub,kiosk}.log')}`,
      `Data is kept in ${dir} (delete it to start over).`,
      '',
    ].join('\n'),
  );

  const services: DemoServices = { cloud, hub, kiosk };
  createInterface({ input: process.stdin }).on('line', (text) => {
    void command(text.trim(), services, { hubUrl, cloudUrl, config, cards }).catch((err: unknown) => {
      say(`  ✖ ${err instanceof Error ? err.message : String(err)}`);
    });
  });
}

interface PromptContext {
  hubUrl: string;
  cloudUrl: string;
  config: DemoConfig;
  cards: readonly { label: string }[];
}

/** One line typed at the demo's prompt. */
async function command(text: string, services: DemoServices, ctx: PromptContext): Promise<void> {
  const words = text.split(/\s+/);
  if (text === '') return;
  // A card number, or a credential line as the simulated reader reads it (card:<uid>, qr:<payload>).
  if (/^\d+$/.test(text) || /^(card|qr):/.test(text)) {
    if (!services.kiosk.running) say('  ✖ the kiosk is not running');
    else services.kiosk.write(text);
    return;
  }
  if (text === 'list') {
    const width = String(ctx.cards.length).length;
    say(ctx.cards.map((c, i) => `  ${String(i + 1).padStart(width)}  ${c.label}`).join('\n'));
    return;
  }
  if (text === 'status') {
    await showStatus(services.hub.running, ctx);
    return;
  }
  if (words[0] === 'hub' && words.length === 2 && (words[1] === 'stop' || words[1] === 'start')) {
    await hubCommand(words[1], services.hub);
    return;
  }
  if (text !== 'help' && text !== '?') say(`  Unknown command: ${text}`);
  say(DEMO_HELP);
}

async function hubCommand(what: 'stop' | 'start', hub: DemoService): Promise<void> {
  if (what === 'stop') {
    if (!hub.running) {
      say('  the hub is already stopped ("hub start" starts it)');
      return;
    }
    say('  stopping the hub …');
    await hub.stop();
    say('  hub stopped: the kiosk keeps taps and sends them when the hub is back ("hub start")');
    return;
  }
  if (hub.running) {
    say('  the hub is already running');
    return;
  }
  say('  starting the hub …');
  await hub.start();
  say('  hub started: the kiosk reconnects and sends what it kept');
}

async function showStatus(hubRunning: boolean, ctx: PromptContext): Promise<void> {
  if (!hubRunning) {
    say('  the hub is stopped ("hub start" starts it); the kiosk keeps taps meanwhile');
    return;
  }
  const { hubUrl, cloudUrl, config } = ctx;
  try {
    const rollcall = (await (
      await fetch(`${hubUrl}/api/rollcall`, { headers: { authorization: `Bearer ${config.adminToken}` } })
    ).json()) as { date: string; classes: { children: { status: string }[] }[] };
    const counts = new Map<string, number>();
    for (const c of rollcall.classes)
      for (const ch of c.children) counts.set(ch.status, (counts.get(ch.status) ?? 0) + 1);
    const cloud = (await (
      await fetch(`${cloudUrl}/v1/facilities/${config.facilityId}/events?date=${rollcall.date}`, {
        headers: { authorization: `Bearer ${config.cloudAdminToken}` },
      })
    ).json()) as { events: unknown[] };
    const byStatus = [...counts].map(([status, n]) => `${status} ${String(n)}`).join(', ');
    say(
      `  hub ${rollcall.date}: ${byStatus}; the cloud holds ${String(cloud.events.length)} event(s) of today`,
    );
  } catch (err) {
    say(`  status unavailable: ${err instanceof Error ? err.message : String(err)}`);
  }
}
