import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GenkanError } from './errors.ts';
import { DIST_DIR, PACKAGE_ROOT, RUNNING_FROM_SOURCE } from './package-root.ts';

/**
 * A web app as files a browser loads: index.html, app.js, app.css; an installable app also has sw.js (its
 * service worker), manifest.webmanifest and an icon.
 */
export interface WebBundle {
  readonly files: ReadonlyMap<string, { body: Buffer; type: string }>;
}

/** The browser apps genkan serves, by the source folder each is built from. */
export const WEB_APPS = {
  kiosk: join(PACKAGE_ROOT, 'kiosk', 'renderer'),
  tablet: join(PACKAGE_ROOT, 'edge-hub', 'tablet', 'app'),
  admin: join(PACKAGE_ROOT, 'edge-hub', 'admin', 'app'),
  /** The parents' app, served by the cloud at /parent/ (issue 17). */
  parent: join(PACKAGE_ROOT, 'cloud-relay', 'parent', 'app'),
} as const;
export type WebAppName = keyof typeof WEB_APPS;

/** Where `npm run build` writes a web app. */
export function builtWebAppDir(name: WebAppName): string {
  return join(DIST_DIR, 'web', name);
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
};

/** Files an app's folder holds as they are served (the web app manifest, icons). */
const STATIC_EXTENSIONS = ['.webmanifest', '.svg'] as const;

/** An app's service worker, when it has one: its own entry, built next to app.js as sw.js. */
const SERVICE_WORKER_ENTRY = join('sw', 'sw.ts');

function typeOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return TYPES[dot >= 0 ? name.slice(dot) : ''] ?? 'application/octet-stream';
}

/**
 * Bundles a React app (`DIR/main.tsx`, `DIR/index.html`, and when present `DIR/sw/sw.ts` and the static
 * files of STATIC_EXTENSIONS) in memory with esbuild: what `npm run build` writes to dist/web, and what
 * code running from its sources serves directly.
 */
export async function bundleWebApp(dir: string, options: { minify?: boolean } = {}): Promise<WebBundle> {
  if (!existsSync(join(dir, 'main.tsx'))) {
    throw new GenkanError('web_app_missing', `no web app in ${dir}: main.tsx is missing`);
  }
  // Loaded only here: a service running the build never needs the bundler.
  const { build } = await import('esbuild');
  const serviceWorker = join(dir, SERVICE_WORKER_ENTRY);
  const result = await build({
    entryPoints: {
      app: join(dir, 'main.tsx'),
      ...(existsSync(serviceWorker) ? { sw: serviceWorker } : {}),
    },
    bundle: true,
    write: false,
    outdir: '/',
    format: 'esm',
    platform: 'browser',
    target: ['chrome120', 'safari16'],
    jsx: 'automatic',
    minify: options.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const out of result.outputFiles) {
    const name = out.path.slice(out.path.lastIndexOf('/') + 1);
    files.set(name, { body: Buffer.from(out.contents), type: typeOf(name) });
  }
  files.set('index.html', { body: await readFile(join(dir, 'index.html')), type: typeOf('index.html') });
  for (const file of await readdir(dir)) {
    if (STATIC_EXTENSIONS.some((ext) => file.endsWith(ext))) {
      files.set(file, { body: await readFile(join(dir, file)), type: typeOf(file) });
    }
  }
  return { files };
}

/** Reads a web app that `npm run build` wrote. */
async function readBuiltWebApp(name: WebAppName): Promise<WebBundle> {
  const dir = builtWebAppDir(name);
  if (!existsSync(join(dir, 'index.html'))) {
    throw new GenkanError('web_app_missing', `the ${name} app is not built (no ${dir}); run npm run build`);
  }
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const file of await readdir(dir)) {
    files.set(file, { body: await readFile(join(dir, file)), type: typeOf(file) });
  }
  return { files };
}

/** One of genkan's browser apps: as built, or bundled from its sources when genkan runs from them. */
export function loadWebApp(name: WebAppName): Promise<WebBundle> {
  return RUNNING_FROM_SOURCE ? bundleWebApp(WEB_APPS[name]) : readBuiltWebApp(name);
}
