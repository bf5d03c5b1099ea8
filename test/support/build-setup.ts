import { buildAll } from '../../tools/build.ts';

/**
 * Vitest global set-up: builds dist/ before any test runs, so that cross-process tests run the
 * JavaScript a user runs (bin/genkan.mjs → dist/node) and never a stale build of older sources.
 */
export default async function setup(): Promise<void> {
  await buildAll();
}
