import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { localDate } from '../../common/time.ts';
import type { AttendanceEvent } from '../../protocol/index.ts';
import { cloudProcess } from './cloud-process.ts';
import { GenkanProcess, GENKAN_BIN, genkanJson, type CommandLaunch, type JsonLine } from './process.ts';
import { ROSTER_HEADER } from '../../edge-hub/facility/roster.ts';

/** A test site: data folders for cloud, hub and kiosks, provisioned through the public CLI. */
export interface Site {
  dir: string;
  facilityId: string;
  hubToken: string;
  adminToken: string;
  cloudAdminToken: string;
  devices: { deviceId: string; password: string }[];
  /** Clear card UIDs, one per guardian, guardian i has exactly child i. */
  cards: string[];
}

/** One child per guardian so that every tap makes exactly one event. */
export function simpleRoster(children: number): { csv: string; cards: string[] } {
  const cards: string[] = [];
  const rows = [ROSTER_HEADER];
  for (let i = 1; i <= children; i++) {
    const n = String(i).padStart(3, '0');
    const card = `0101${String(i).padStart(12, '0')}`;
    cards.push(card);
    rows.push(`k${i % 3},クラス${i % 3},c${n},園児 ${n},えんじ ${n},g${n},保護者 ${n},${card}`);
  }
  return { csv: `${rows.join('\n')}\n`, cards };
}

export async function provisionSite(
  dir: string,
  opts: { kiosks: number; children: number; roster?: { csv: string; cards: string[] } },
): Promise<Site> {
  const facilityId = 'f1';
  const { csv, cards } = opts.roster ?? simpleRoster(opts.children);
  await writeFile(join(dir, 'roster.csv'), csv);
  const hub = await genkanJson<{ token: string }>([
    'cloud',
    'hub',
    'add',
    'hub1',
    '--facility',
    facilityId,
    '--data',
    join(dir, 'cloud'),
  ]);
  // A hub is made once, by `genkan hub init`; every other command opens it.
  await genkanJson(['hub', 'init', '--data', join(dir, 'hub'), '--facility', facilityId]);
  const devices: Site['devices'] = [];
  for (let i = 1; i <= opts.kiosks; i++) {
    devices.push(
      await genkanJson(['device', 'add', `kiosk-${i}`, '--data', join(dir, 'hub'), '--role', 'kiosk']),
    );
  }
  await genkanJson(['roster', 'import', join(dir, 'roster.csv'), '--data', join(dir, 'hub')]);
  return {
    dir,
    facilityId,
    hubToken: hub.token,
    adminToken: 'test-admin-token',
    cloudAdminToken: 'test-cloud-admin',
    devices,
    cards,
  };
}

export function startCloud(site: Site, port = 0): GenkanProcess {
  return cloudProcess('cloud', { dataDir: join(site.dir, 'cloud') }, site.cloudAdminToken, { port });
}

/**
 * Which genkan runs a process: the built CLI (default), or another launch such as the CLI from its
 * TypeScript sources (a benchmark's baseline).
 */
export type GenkanEntry = string | CommandLaunch;

/** How a test hub listens (ports 0: any free port). */
export interface HubLaunch {
  /** Plain listeners' ports, with --plain (the default). */
  mqtt?: number;
  http?: number;
  /** TLS listeners' ports. */
  mqtts?: number;
  https?: number;
  cloudUrl?: string;
  facilityName?: string;
  /** Start as `genkan hub` does by default: TLS listeners only, no --plain. */
  tls?: boolean;
  /** More arguments: test-only knobs such as `--parent-messages-stalled-seconds`. */
  args?: readonly string[];
}

/**
 * A hub on 127.0.0.1, with --plain by default so that a test can use plain URLs (its ready line has
 * mqtt, ws and http); the TLS listeners are always there (mqtts, wss, https, caFile: see hubTlsOf).
 */
export function startHub(site: Site, opts: HubLaunch = {}, entry: GenkanEntry = GENKAN_BIN): GenkanProcess {
  const args = [
    'hub',
    '--data',
    join(site.dir, 'hub'),
    '--facility',
    site.facilityId,
    '--host',
    '127.0.0.1',
    '--mqtts-port',
    String(opts.mqtts ?? 0),
    '--wss-port',
    '0',
    '--https-port',
    String(opts.https ?? 0),
    ...(opts.tls === true
      ? []
      : [
          '--plain',
          '--mqtt-port',
          String(opts.mqtt ?? 0),
          '--ws-port',
          '0',
          '--http-port',
          String(opts.http ?? 0),
        ]),
    '--admin-token',
    site.adminToken,
  ];
  if (opts.cloudUrl) args.push('--cloud', opts.cloudUrl, '--cloud-token', site.hubToken);
  if (opts.facilityName !== undefined) args.push('--facility-name', opts.facilityName);
  if (opts.args !== undefined) args.push(...opts.args);
  return new GenkanProcess('hub', args, {}, entry);
}

/** The TLS listeners of a hub's ready line. */
export function hubTlsOf(ready: JsonLine): {
  mqtts: number;
  wss: number;
  https: number;
  caFile: string;
  caFingerprint: string;
} {
  return {
    mqtts: Number(ready['mqtts']),
    wss: Number(ready['wss']),
    https: Number(ready['https']),
    caFile: String(ready['caFile']),
    caFingerprint: String(ready['caFingerprint']),
  };
}

/** Adds a staff member to a hub's data directory, as `genkan staff add` does (PIN given as a flag). */
export async function addStaff(
  hubData: string,
  staff: { id: string; name: string; pin: string; role?: 'staff' | 'admin' },
): Promise<void> {
  await genkanJson([
    'staff',
    'add',
    staff.id,
    '--name',
    staff.name,
    '--pin',
    staff.pin,
    ...(staff.role === undefined ? [] : ['--role', staff.role]),
    '--data',
    hubData,
  ]);
}

/** How a test kiosk runs; the defaults are a headless kiosk reading taps from stdin. */
export interface KioskLaunch {
  /** Screen mode: none unless asked, so a machine with Electron installed never opens windows in tests. */
  ui?: 'none' | 'browser' | 'electron';
  /** Reader specs, each passed as --reader (default: stdin only). */
  readers?: string[];
  lang?: 'ja' | 'en';
  /** Any further CLI arguments (e.g. --debounce-ms 0). */
  extra?: string[];
  /** Extra environment (e.g. libfaketime, a log level). */
  env?: Record<string, string>;
  /** The process's name in test output (default: the device id). */
  name?: string;
  /** Which genkan runs it (default: the built CLI). */
  entry?: GenkanEntry;
  /** Its data folder (default: SITE/DEVICE_ID). */
  dataDir?: string;
  /** Over TLS: the hub's CA file (its ready line's caFile); the kiosk then connects to mqtts://…:mqttPort. */
  hubCa?: string;
}

export function startKiosk(
  site: Site,
  index: number,
  mqttPort: number,
  launch: string[] | KioskLaunch = {},
): GenkanProcess {
  const device = site.devices[index];
  if (!device) throw new Error(`no device ${index}`);
  const opts: KioskLaunch = Array.isArray(launch) ? { extra: launch } : launch;
  const readers = opts.readers ?? ['stdin'];
  return new GenkanProcess(
    opts.name ?? device.deviceId,
    [
      'kiosk',
      '--data',
      opts.dataDir ?? join(site.dir, device.deviceId),
      '--hub',
      `${opts.hubCa === undefined ? 'mqtt' : 'mqtts'}://127.0.0.1:${mqttPort}`,
      ...(opts.hubCa === undefined ? [] : ['--hub-ca', opts.hubCa]),
      '--device',
      device.deviceId,
      ...readers.flatMap((r) => ['--reader', r]),
      '--ui',
      opts.ui ?? 'none',
      ...(opts.lang !== undefined ? ['--lang', opts.lang] : []),
      ...(opts.extra ?? []),
    ],
    { GENKAN_DEVICE_PASSWORD: device.password, ...opts.env },
    opts.entry,
  );
}

/** The business days an event made during this test can fall on (a run may cross midnight in Tokyo). */
export function testDates(startedAt: Date): string[] {
  const dates = new Set([localDate(startedAt, 'Asia/Tokyo'), localDate(new Date(), 'Asia/Tokyo')]);
  return [...dates];
}

export async function getJson<T>(url: string, token: string): Promise<T> {
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function hubEvents(site: Site, httpPort: number, dates: string[]): Promise<AttendanceEvent[]> {
  const out: AttendanceEvent[] = [];
  for (const date of dates) {
    const body = await getJson<{ events: AttendanceEvent[] }>(
      `http://127.0.0.1:${httpPort}/api/events?date=${date}`,
      site.adminToken,
    );
    out.push(...body.events);
  }
  return out;
}

export async function cloudEvents(site: Site, httpPort: number, dates: string[]): Promise<AttendanceEvent[]> {
  const out: AttendanceEvent[] = [];
  for (const date of dates) {
    const body = await getJson<{ events: AttendanceEvent[] }>(
      `http://127.0.0.1:${httpPort}/v1/facilities/${site.facilityId}/events?date=${date}`,
      site.cloudAdminToken,
    );
    out.push(...body.events);
  }
  return out;
}
