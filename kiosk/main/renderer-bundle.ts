import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The kiosk screen's source folder: index.html and the entry main.tsx. */
export const RENDERER_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'renderer');

/** The screen as files a browser loads: index.html, app.js, app.css. */
export interface RendererBundle {
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
 * Bundles the renderer (React, TypeScript) in memory with esbuild. There is no build step to forget:
 * the kiosk bundles its own screen when it starts (a few hundred ms), and the Electron package build
 * writes the same files to disk.
 */
export async function bundleRenderer(options: { minify?: boolean } = {}): Promise<RendererBundle> {
  const result = await build({
    entryPoints: { app: join(RENDERER_DIR, 'main.tsx') },
    bundle: true,
    write: false,
    outdir: '/',
    format: 'esm',
    platform: 'browser',
    target: ['chrome120'],
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
  files.set('index.html', {
    body: await readFile(join(RENDERER_DIR, 'index.html')),
    type: typeOf('index.html'),
  });
  return { files };
}
