import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

/** A web app as files a browser loads: index.html, app.js, app.css. */
export interface WebBundle {
  readonly files: ReadonlyMap<string, { body: Buffer; type: string }>;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

function typeOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return TYPES[dot >= 0 ? name.slice(dot) : ''] ?? 'application/octet-stream';
}

/**
 * Bundles a React app (`DIR/main.tsx`, `DIR/index.html`) in memory with esbuild. There is no build step to
 * forget: a service bundles the app it serves when it starts (a few hundred ms), and a packaging build
 * writes the same files to disk.
 */
export async function bundleWebApp(dir: string, options: { minify?: boolean } = {}): Promise<WebBundle> {
  const result = await build({
    entryPoints: { app: join(dir, 'main.tsx') },
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
  return { files };
}
