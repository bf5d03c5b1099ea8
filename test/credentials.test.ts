import Database from 'better-sqlite3';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UI_TEST_IDS } from '../kiosk/common/ui-api.ts';
import { byTestId, launchChromium, openKioskPage, requireChromium } from './support/browser.ts';
import { GenkanProcess, genkanJson, runGenkan, tempDir } from './support/process.ts';
import { provisionSite, startCloud, startKiosk } from './support/site.ts';

const haveChromium = requireChromium();

/** Plain listeners on free ports (TLS is not what these tests are about). */
// Every listener on a free port (the TLS ones too: their defaults are fixed ports).
const PORTS = [
  ...['--mqtts-port', '0', '--wss-port', '0', '--https-port', '0'],
  ...['--plain', '--mqtt-port', '0', '--ws-port', '0', '--http-port', '0'],
];

/** `genkan hub` on DIR with free ports, as a site's hub but on any folder. */
function hubOn(dir: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): GenkanProcess {
  return new GenkanProcess(
    'hub',
    ['hub', '--data', dir, '--host', '127.0.0.1', ...PORTS, '--admin-token', 'test-admin-token', ...extra],
    env,
  );
}

/** Every file and folder under `dir` with its permission bits. */
function modesUnder(dir: string): { path: string; dir: boolean; mode: number }[] {
  const out: { path: string; dir: boolean; mode: number }[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const s = statSync(path);
    out.push({ path, dir: s.isDirectory(), mode: s.mode & 0o777 });
    if (s.isDirectory()) out.push(...modesUnder(path));
  }
  return out;
}

describe('hub initialisation', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    dir = await tempDir('genkan-init-');
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('refuses to start a hub, or run a hub command, on an empty dir, and creates nothing', async () => {
    const data = join(dir.path, 'hub');
    await mkdir(data);
    const start = await runGenkan(['hub', '--data', data, ...PORTS]);
    expect(start.code).toBe(1);
    expect(start.stdout).not.toContain('ready');
    expect(start.stderr).toContain('hub_not_initialised');
    expect(start.stderr).toContain('genkan hub init');
    for (const args of [
      ['device', 'add', 'kiosk-1'],
      ['staff', 'add', 's1', '--name', 'x', '--pin', '1234'],
      ['settings', 'show'],
      ['child', 'export', 'c001'],
    ]) {
      const r = await runGenkan([...args, '--data', data]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toContain('hub_not_initialised');
    }
    expect(readdirSync(data)).toEqual([]);
  });

  it('refuses an empty (0 bytes) hub.sqlite and one without its facility row, creating no keys', async () => {
    const empty = join(dir.path, 'empty');
    await mkdir(empty);
    await writeFile(join(empty, 'hub.sqlite'), '');
    const noRow = join(dir.path, 'no-row');
    await mkdir(noRow);
    const db = new Database(join(noRow, 'hub.sqlite'));
    db.exec('CREATE TABLE meta (id INTEGER PRIMARY KEY, facility_id TEXT, credential_key TEXT)');
    db.close();
    for (const data of [empty, noRow]) {
      const r = await runGenkan(['hub', '--data', data, ...PORTS]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('hub_not_initialised');
      expect((await runGenkan(['device', 'add', 'k1', '--data', data])).stderr).toContain(
        'hub_not_initialised',
      );
    }
    expect((await stat(join(empty, 'hub.sqlite'))).size).toBe(0);
    const after = new Database(join(noRow, 'hub.sqlite'), { readonly: true });
    try {
      expect(after.prepare('SELECT count(*) AS n FROM meta').get()).toEqual({ n: 0 });
    } finally {
      after.close();
    }
  });

  it('starts after `hub init`, keeps the facility it fixed, and refuses a second init', async () => {
    const data = join(dir.path, 'hub');
    expect(
      await genkanJson([
        'hub',
        'init',
        '--data',
        data,
        '--facility',
        'f9',
        '--facility-name',
        'さくら保育園',
      ]),
    ).toEqual({ initialised: true, facility: 'f9' });
    const again = await runGenkan(['hub', 'init', '--data', data, '--facility', 'f9']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already_initialised');
    const other = await runGenkan(['hub', '--data', data, '--facility', 'other', ...PORTS]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('facility_mismatch');
    const hub = hubOn(data);
    try {
      expect(await hub.ready()).toMatchObject({ ready: true, facility: 'f9' });
    } finally {
      await hub.stop();
    }
  });
});

describe('data files are 0600 and folders 0700', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir('genkan-modes-');
  });
  afterAll(async () => {
    await dir.remove();
  });

  it("in a provisioned hub's, kiosk's and cloud's data dir", async () => {
    const site = await provisionSite(dir.path, { kiosks: 1, children: 2 });
    const cloud = startCloud(site);
    const cloudPort = Number((await cloud.ready())['http']);
    // The cloud token through the environment, as the docs say (an argument shows in `ps`).
    const hub = hubOn(
      join(site.dir, 'hub'),
      ['--facility', site.facilityId, '--cloud', `http://127.0.0.1:${String(cloudPort)}`],
      { GENKAN_CLOUD_TOKEN: site.hubToken },
    );
    try {
      const mqtt = Number((await hub.ready())['mqtt']);
      const kiosk = startKiosk(site, 0, mqtt);
      try {
        await kiosk.ready();
      } finally {
        await kiosk.stop();
      }
    } finally {
      await hub.stop();
      await cloud.stop();
    }
    for (const part of ['hub', 'cloud', 'kiosk-1']) {
      const root = join(site.dir, part);
      expect(statSync(root).mode & 0o777, root).toBe(0o700);
      const entries = modesUnder(root);
      expect(entries.map((e) => e.path)).toContain(
        join(root, part === 'kiosk-1' ? 'kiosk.sqlite' : `${part}.sqlite`),
      );
      for (const e of entries) expect(e.mode.toString(8), e.path).toBe(e.dir ? '700' : '600');
    }
  });
});

describe('a kiosk whose database cannot be opened', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let kioskDir: string;
  beforeAll(async () => {
    dir = await tempDir('genkan-broken-kiosk-');
    kioskDir = join(dir.path, 'kiosk');
    await mkdir(kioskDir);
    // Not a SQLite file at all: the bytes of a disk that lost its contents.
    await writeFile(join(kioskDir, 'kiosk.sqlite'), Buffer.alloc(8192, 0x5a));
  });
  afterAll(async () => {
    await dir.remove();
  });

  const launch = (ui: 'none' | 'browser'): GenkanProcess =>
    new GenkanProcess(
      'kiosk',
      ['kiosk', '--data', kioskDir, '--hub', 'mqtt://127.0.0.1:1', '--device', 'kiosk-1', '--ui', ui],
      { GENKAN_DEVICE_PASSWORD: 'x' },
    );

  it('never prints ready and exits non-zero with a coded error when headless', async () => {
    const kiosk = launch('none');
    const code = await kiosk.exited;
    expect(code).toBe(1);
    expect(kiosk.lines.some((l) => l['ready'] === true)).toBe(false);
    expect(kiosk.stderr).toContain('kiosk_store_unusable');
    expect(existsSync(join(kioskDir, 'kiosk.sqlite'))).toBe(true);
  });

  describe.runIf(haveChromium)('with a screen', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser.close();
    });

    it('shows 故障中 / Out of order with what to tell staff, and never prints ready', async () => {
      const kiosk = launch('browser');
      try {
        const line = await kiosk.waitFor((l) => l['outOfOrder'] === true, 60_000, 'out-of-order line');
        expect(line['code']).toBe('kiosk_store_unusable');
        const page = await openKioskPage(browser, String(line['ui']));
        const screen = page.locator(byTestId(UI_TEST_IDS.outOfOrder));
        await screen.waitFor({ timeout: 15_000 });
        expect(await screen.textContent()).toContain('故障中');
        expect(await screen.textContent()).toContain('職員');
        await page.context().close();
        expect(kiosk.lines.some((l) => l['ready'] === true)).toBe(false);
      } finally {
        await kiosk.stop();
      }
    });
  });
});
