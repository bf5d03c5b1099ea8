import type { CloudStoreLocation } from '../../cloud-relay/store/location.ts';
import { GenkanProcess, type JsonLine } from './process.ts';

/**
 * `genkan cloud` as a process of its own, for cross-process tests (cloud.ts is the in-process harness).
 * Kept apart from cloud.ts, which needs vitest: the benchmarks load site.ts, and with it this file, outside
 * vitest.
 */

/** The command-line options naming where the cloud keeps its data. */
function storeArgs(location: CloudStoreLocation): string[] {
  if (location.db !== undefined && location.db !== '') return ['--db', location.db];
  if (location.dataDir !== undefined && location.dataDir !== '') return ['--data', location.dataDir];
  throw new Error('a cloud location needs a database URL or a data folder');
}

/**
 * A `genkan cloud` process on 127.0.0.1 (port 0 unless given) over `location`, with this admin token and
 * any further command-line options in `args`.
 */
export function cloudProcess(
  name: string,
  location: CloudStoreLocation,
  adminToken: string,
  options: { port?: number; env?: NodeJS.ProcessEnv; args?: string[] } = {},
): GenkanProcess {
  return new GenkanProcess(
    name,
    [
      'cloud',
      ...storeArgs(location),
      '--port',
      String(options.port ?? 0),
      '--host',
      '127.0.0.1',
      ...(options.args ?? []),
    ],
    { GENKAN_CLOUD_ADMIN_TOKEN: adminToken, ...options.env },
  );
}

/** Waits for a cloud process's ready line; its base URL (http://127.0.0.1:PORT) and the line itself. */
export async function cloudReady(proc: GenkanProcess): Promise<{ base: string; ready: JsonLine }> {
  const ready = await proc.ready();
  return { base: `http://127.0.0.1:${String(ready['http'])}`, ready };
}
