import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { PACKAGE_ROOT } from '../../../common/package-root.ts';
import { bundleWebApp, WEB_APPS, type WebBundle } from '../../../common/web-bundle.ts';

const HERE = join(PACKAGE_ROOT, 'kiosk', 'main', 'electron');

export interface KioskAppFiles {
  readonly dir: string;
  readonly main: string;
  readonly preload: string;
  readonly rendererDir: string;
}

/**
 * Writes the Electron app into `outDir`: main.cjs, preload.cjs, renderer/ (index.html, app.js, app.css)
 * and a package.json naming main.cjs. The same folder is what electron-builder packages. `renderer`: the
 * screen already bundled (the full build bundles it once for dist/web/kiosk and for this app).
 */
export async function buildKioskApp(
  outDir: string,
  options: { minify?: boolean; renderer?: WebBundle } = {},
): Promise<KioskAppFiles> {
  const minify = options.minify ?? true;
  await mkdir(outDir, { recursive: true });
  const common: BuildOptions = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['electron'],
    minify,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  };
  const main = join(outDir, 'main.cjs');
  const preload = join(outDir, 'preload.cjs');
  await Promise.all([
    build({
      ...common,
      entryPoints: [join(HERE, 'main.ts')],
      outfile: main,
      target: 'node22',
      // ws's optional native speed-ups: required inside try/catch, absent is fine.
      external: ['electron', 'bufferutil', 'utf-8-validate'],
    }),
    build({
      ...common,
      entryPoints: [join(PACKAGE_ROOT, 'kiosk', 'preload', 'preload.ts')],
      outfile: preload,
      target: 'chrome140',
    }),
  ]);
  const rendererDir = join(outDir, 'renderer');
  // A stale file from an earlier build must not stay servable.
  await rm(rendererDir, { recursive: true, force: true });
  await mkdir(rendererDir);
  const renderer = options.renderer ?? (await bundleWebApp(WEB_APPS.kiosk, { minify }));
  for (const [name, file] of renderer.files) await writeFile(join(rendererDir, name), file.body);
  const rootPackage = JSON.parse(await readFile(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    version?: unknown;
  };
  const appPackage = {
    name: 'genkan-kiosk',
    productName: 'Genkan Kiosk',
    version: typeof rootPackage.version === 'string' ? rootPackage.version : '0.0.0',
    description: 'Genkan kiosk screen',
    license: 'Apache-2.0',
    main: 'main.cjs',
    type: 'commonjs',
  };
  await writeFile(join(outDir, 'package.json'), `${JSON.stringify(appPackage, null, 2)}\n`);
  return { dir: outDir, main, preload, rendererDir };
}
