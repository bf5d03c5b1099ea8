import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach } from 'vitest';
import { newEventId } from '../../common/ids.ts';
import { silentLogger } from '../../common/logger.ts';
import type { Clock } from '../../common/time.ts';
import type { AttendanceEvent } from '../../protocol/index.ts';
import { addDevice } from '../../edge-hub/access/devices.ts';
import { addStaff } from '../../edge-hub/access/staff-accounts.ts';
import { startHub, type HubOptions, type RunningHubWithPlain } from '../../edge-hub/hub.ts';
import { importRoster, ROSTER_HEADER } from '../../edge-hub/facility/roster.ts';
import { HubStore } from '../../edge-hub/store/hub-store.ts';

/** Test helpers shared by the edge-hub tests (not used by the hub itself). */

export { ROSTER_HEADER };

export const TEST_ROSTER = [
  ROSTER_HEADER,
  'k1,ひよこ組,c001,山田 太郎,やまだ たろう,g001,山田 花子,04A23B4C',
  'k1,ひよこ組,c002,山田 次郎,やまだ じろう,g001,山田 花子,',
  'k2,りす組,c003,佐藤 一,さとう はじめ,g002,佐藤 二,0102030405060708',
  'k2,りす組,c004,=1+2,あいう,g003,鈴木 三,',
].join('\n');

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'genkan-hub-test-'));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Registers a fresh hub store in a temporary folder for each test (with `roster` imported and on `clock`,
 * if given), handed to `use`; closed and removed after the test.
 */
export function useTempHubStore(
  use: (store: HubStore, dir: string) => void,
  options: { roster?: string; clock?: Clock } = {},
): void {
  let current: { store: HubStore; dir: string } | undefined;
  beforeEach(async () => {
    const dir = await tempDir();
    const store = HubStore.open(dir, options.clock === undefined ? {} : { clock: options.clock });
    if (options.roster !== undefined) importRoster(store, options.roster);
    current = { store, dir };
    use(store, dir);
  });
  afterEach(async () => {
    if (current === undefined) return;
    current.store.close();
    await removeDir(current.dir);
    current = undefined;
  });
}

export interface TestSite {
  dir: string;
  devices: { deviceId: string; password: string }[];
}

/** A data dir with the test roster and `devices` kiosks, set up the way the CLI does it. */
export async function provision(devices = 2, roster = TEST_ROSTER): Promise<TestSite> {
  const dir = await tempDir();
  const store = HubStore.open(dir);
  try {
    importRoster(store, roster);
    const out: TestSite['devices'] = [];
    for (let i = 1; i <= devices; i++) out.push(await addDevice(store, `kiosk-${i}`, 'kiosk'));
    return { dir, devices: out };
  } finally {
    store.close();
  }
}

export function startTestHub(
  site: TestSite,
  options: Partial<HubOptions> = {},
): Promise<RunningHubWithPlain> {
  return startHub({
    dataDir: site.dir,
    facilityId: 'f1',
    host: '127.0.0.1',
    mqttPort: 0,
    wsPort: 0,
    httpPort: 0,
    adminToken: 'test-admin-token',
    logger: silentLogger(),
    tuning: { rosterPollMs: 50, rollcallThrottleMs: 20 },
    // Bundling the React app takes a while; the tablet tests that need it ask for it.
    tabletAppDir: null,
    ...options,
  });
}

let seq = 0;
export function makeEvent(overrides: Partial<AttendanceEvent> = {}): AttendanceEvent {
  return {
    id: newEventId(),
    type: 'check_in',
    childId: 'c001',
    occurredAt: new Date().toISOString(),
    deviceId: 'kiosk-1',
    seq: ++seq,
    method: 'card',
    actor: 'g001',
    ...overrides,
  };
}

export function connect(
  port: number,
  device?: { deviceId: string; password: string },
  extra: mqtt.IClientOptions = {},
): Promise<MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...(device && { username: device.deviceId, password: device.password, clientId: device.deviceId }),
    ...extra,
  });
}

/** Resolves with the first message on `topic` whose JSON satisfies `match`. */
export function waitForMessage<T>(
  client: MqttClient,
  topic: string,
  match: (json: T) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (t: string, payload: Buffer) => {
      if (t !== topic) return;
      const json = JSON.parse(payload.toString('utf8')) as T;
      if (!match(json)) return;
      client.off('message', onMessage);
      resolve(json);
    };
    client.on('message', onMessage);
  });
}

/** Resolves when the client's connection closes. */
export function waitForClose(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (!client.connected) {
      resolve();
      return;
    }
    client.once('close', () => {
      resolve();
    });
  });
}

/** Signs staff in to the admin app of a hub at `base` (same origin) and returns the session cookie. */
export async function adminSessionCookie(base: string, staffId: string, pin: string): Promise<string> {
  const res = await fetch(`${base}/api/admin/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ staffId, pin }),
  });
  if (res.status !== 200) throw new Error(`admin sign-in: ${String(res.status)} ${await res.text()}`);
  return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

/** The director the in-process admin route tests sign in as (role admin). */
export const TEST_DIRECTOR = { id: 'boss', name: '園長 一郎', pin: '246813', role: 'admin' } as const;

/** An in-process hub with the director: its site, its HTTP base URL, and one close for hub and data. */
export interface AdminTestHub {
  site: TestSite;
  hub: RunningHubWithPlain;
  base: string;
  close(): Promise<void>;
}

/**
 * The admin route tests' set-up: a site with `devices` kiosks (and the test roster or `roster`), the
 * director added, `seed` writing the store before the hub starts (staff, events), the hub started with
 * `options`.
 */
export async function startAdminTestHub(
  setup: {
    devices?: number;
    roster?: string;
    seed?: (store: HubStore) => Promise<void> | void;
    options?: Partial<HubOptions>;
  } = {},
): Promise<AdminTestHub> {
  const site = await provision(setup.devices ?? 1, setup.roster);
  const store = HubStore.open(site.dir);
  try {
    await addStaff(store, TEST_DIRECTOR);
    await setup.seed?.(store);
  } finally {
    store.close();
  }
  const hub = await startTestHub(site, setup.options);
  return {
    site,
    hub,
    base: `http://127.0.0.1:${hub.ports.http}`,
    close: async () => {
      await hub.close();
      await removeDir(site.dir);
    },
  };
}

/** The director's admin session cookie at a hub started by startAdminTestHub. */
export const directorCookie = (base: string): Promise<string> =>
  adminSessionCookie(base, TEST_DIRECTOR.id, TEST_DIRECTOR.pin);
