import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWebApp, type WebBundle } from '../../common/web-bundle.ts';

/** The kiosk screen's source folder: index.html and the entry main.tsx. */
export const RENDERER_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'renderer');

/** The screen as files a browser loads: index.html, app.js, app.css. */
export type RendererBundle = WebBundle;

/** Bundles the kiosk screen (React) in memory; see bundleWebApp. */
export function bundleRenderer(options: { minify?: boolean } = {}): Promise<RendererBundle> {
  return bundleWebApp(RENDERER_DIR, options);
}
