import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { DIST_DIR, PACKAGE_ROOT } from '../common/package-root.ts';
import {
  builtWebAppDir,
  bundleWebApp,
  WEB_APPS,
  type WebAppName,
  type WebBundle,
} from '../common/web-bundle.ts';
import { buildKioskApp } from '../kiosk/main/electron/build-app.ts';
import { BUILT_KIOSK_APP_DIR } from '../kiosk/main/electron/launch.ts';

/** Where the CLI's JavaScript goes: bin/genkan.mjs runs dist/node/cli.js. */
export const BUILT_CLI_DIR = join(DIST_DIR, 'node');

export interface BuildOptions {
  /**
   * Remove files of earlier builds that this one did not write. Off while genkan processes may be running
   * from dist/ (tests build before they run), since a running process may still load an older chunk.
   */
  clean?: boolean;
}

/**
 * Writes a file only when its content changed, through a temporary file and a rename, so that a process
 * starting meanwhile reads either the old file or the new one, never half of one.
 */
async function writeIfChanged(file: string, contents: Uint8Array): Promise<void> {
  const old = await readFile(file).catch(() => undefined);
  if (old?.equals(contents) === true) return;
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, contents);
  await rename(temp, file);
}

/** Writes `files` (name → content) into `dir`; with clean, removes what else is there. */
async function writeFolder(
  dir: string,
  files: ReadonlyMap<string, Uint8Array>,
  clean: boolean,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all([...files].map(([name, body]) => writeIfChanged(join(dir, name), body)));
  if (!clean) return;
  for (const name of await readdir(dir)) {
    if (!files.has(name)) await rm(join(dir, name), { recursive: true, force: true });
  }
}

/**
 * The Node side as JavaScript: one bundle of our own code per CLI entry, split into chunks so that each
 * command loads only its component (`await import()` in cli/ becomes a chunk of its own). npm packages
 * stay external: they load from node_modules as they are, native modules included.
 */
async function buildCli(clean: boolean): Promise<void> {
  const result = await build({
    entryPoints: { cli: join(PACKAGE_ROOT, 'cli', 'main.ts') },
    outdir: BUILT_CLI_DIR,
    write: false,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    packages: 'external',
    // One folder: chunks find the package root (and so dist/web) the same way the entry does.
    chunkNames: '[name]-[hash]',
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
  });
  const files = new Map(result.outputFiles.map((f) => [f.path.slice(BUILT_CLI_DIR.length + 1), f.contents]));
  await writeFolder(BUILT_CLI_DIR, files, clean);
}

async function writeWebApp(name: WebAppName, bundle: WebBundle, clean: boolean): Promise<void> {
  const files = new Map([...bundle.files].map(([file, { body }]) => [file, body]));
  await writeFolder(builtWebAppDir(name), files, clean);
}

async function buildWebApp(name: WebAppName, clean: boolean): Promise<void> {
  await writeWebApp(name, await bundleWebApp(WEB_APPS[name]), clean);
}

/** The kiosk screen, bundled once: served as dist/web/kiosk and packaged in the Electron app. */
async function buildKiosk(clean: boolean): Promise<void> {
  const renderer = await bundleWebApp(WEB_APPS.kiosk);
  await Promise.all([
    writeWebApp('kiosk', renderer, clean),
    buildKioskApp(BUILT_KIOSK_APP_DIR, { renderer }),
  ]);
}

/**
 * `npm run build`: everything genkan runs, built once (npm install runs it through `prepare`, npm start
 * before the demo): dist/node (the CLI), dist/web (browser apps), dist/kiosk (the Electron app).
 */
export async function buildAll(options: BuildOptions = {}): Promise<void> {
  const clean = options.clean ?? false;
  await Promise.all([
    buildCli(clean),
    buildKiosk(clean),
    buildWebApp('tablet', clean),
    buildWebApp('admin', clean),
    buildWebApp('parent', clean),
  ]);
}
