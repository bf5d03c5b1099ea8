import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Whether this code runs from its TypeScript sources (tests, tsx) rather than from the JavaScript that
 * `npm run build` writes to dist/. From sources, browser apps are bundled on load; from the build they
 * are read as built.
 */
export const RUNNING_FROM_SOURCE = import.meta.url.endsWith('.ts');

function findPackageRoot(from: string): string {
  // Sources sit one folder below the root, the build two (dist/node); walking up finds both.
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (
      existsSync(file) &&
      (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'genkan'
    ) {
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`no genkan package.json above ${from}`);
  }
}

/** The folder of genkan's package.json: where bin/, dist/ and the sources are. */
export const PACKAGE_ROOT = findPackageRoot(import.meta.dirname);

/** Where `npm run build` writes: dist/node (the CLI), dist/web (browser apps), dist/kiosk (Electron app). */
export const DIST_DIR = join(PACKAGE_ROOT, 'dist');
