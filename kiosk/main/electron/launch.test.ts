import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../common/logger.ts';
import { buildKioskApp } from './build-app.ts';
import { electronBinary, launchElectronShell, type ShellExitInfo } from './launch.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genkan-launch-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('electronBinary', () => {
  it('is undefined when the binary was never downloaded (as on this machine)', async () => {
    expect(electronBinary({ packageDir: dir })).toBeUndefined();
    await writeFile(join(dir, 'path.txt'), 'electron');
    expect(electronBinary({ packageDir: dir })).toBeUndefined();
    await mkdir(join(dir, 'dist'));
    await writeFile(join(dir, 'dist', 'electron'), '');
    expect(electronBinary({ packageDir: dir })).toBe(join(dir, 'dist', 'electron'));
  });

  it('reads the installed electron package without downloading anything', () => {
    const binary = electronBinary();
    if (binary !== undefined) expect(binary).toMatch(/electron/i);
  });
});

describe('buildKioskApp', () => {
  it('writes main.cjs, preload.cjs, renderer/ and a package.json naming main.cjs', async () => {
    const files = await buildKioskApp(join(dir, 'app'), { minify: false });
    const main = await readFile(files.main, 'utf8');
    expect(main).toContain('require("electron")');
    expect((await stat(files.preload)).size).toBeGreaterThan(0);
    expect(await readFile(join(files.rendererDir, 'index.html'), 'utf8')).toMatch(/<html/i);
    expect((await stat(join(files.rendererDir, 'app.js'))).size).toBeGreaterThan(0);
    const pkg = JSON.parse(await readFile(join(dir, 'app', 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(pkg).toMatchObject({ main: 'main.cjs', type: 'commonjs' });
  }, 60_000);
});

describe('launchElectronShell', () => {
  it('passes the UI URL in the environment only, and restarts a crashed shell', async () => {
    // A stand-in "Electron": records its arguments and environment, then crashes.
    const fake = join(dir, 'electron');
    const record = join(dir, 'runs');
    await writeFile(
      fake,
      `#!/bin/sh\necho "$# $1 $GENKAN_KIOSK_UI \${GENKAN_DEVICE_PASSWORD:-none}" >> '${record}'\nexit 1\n`,
    );
    await chmod(fake, 0o755);
    const uiUrl = 'ws://127.0.0.1:4567/k/secret-token/ws';
    const exits: ShellExitInfo[] = [];
    let secondRun: () => void = () => undefined;
    const restarted = new Promise<void>((resolve) => {
      secondRun = resolve;
    });
    let spawns = 0;
    process.env['GENKAN_DEVICE_PASSWORD'] = 'device-secret';
    const shell = await launchElectronShell({
      uiUrl,
      logger: silentLogger(),
      binary: fake,
      appDir: join(dir, 'app'),
      backoff: { initialMs: 10, maxMs: 40 },
      onSpawn: () => {
        spawns++;
      },
      onExit: (info) => {
        exits.push(info);
        if (exits.length === 2) secondRun();
      },
    });
    Reflect.deleteProperty(process.env, 'GENKAN_DEVICE_PASSWORD');
    await restarted;
    await shell.close();
    await shell.stopped;
    expect(spawns).toBeGreaterThanOrEqual(2);
    expect(exits[0]).toEqual({ code: 1, signal: null, restartInMs: 10 });
    expect(exits[1]).toEqual({ code: 1, signal: null, restartInMs: 20 });
    const runs = (await readFile(record, 'utf8')).trim().split('\n');
    expect(runs[0]).toBe(`1 ${join(dir, 'app')} ${uiUrl} none`);
  });

  it('stops a running shell on close()', async () => {
    const fake = join(dir, 'electron');
    await writeFile(fake, '#!/bin/sh\nexec sleep 30\n');
    await chmod(fake, 0o755);
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const exits: ShellExitInfo[] = [];
    const shell = await launchElectronShell({
      uiUrl: 'ws://127.0.0.1:4567/k/t/ws',
      logger: silentLogger(),
      binary: fake,
      appDir: dir,
      onSpawn: () => {
        started();
      },
      onExit: (info) => exits.push(info),
    });
    await running;
    expect(shell.pid).toBeTypeOf('number');
    await shell.close();
    expect(exits).toEqual([{ code: null, signal: 'SIGTERM' }]);
    expect(shell.pid).toBeUndefined();
  });

  // Only where Electron is absent (as here): elsewhere this would start the real binary.
  it.skipIf(electronBinary() !== undefined)('refuses to start without an Electron binary', async () => {
    await expect(
      launchElectronShell({ uiUrl: 'ws://127.0.0.1:1/k/t/ws', logger: silentLogger() }),
    ).rejects.toMatchObject({ code: 'electron_missing' });
  });
});
