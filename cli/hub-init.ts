import type { Command } from 'commander';
import type { HubStore } from '../edge-hub/store/hub-store.ts';
import { hubDataOf } from './hub.ts';
import { fail, printJson } from './util.ts';

/**
 * Opens an existing hub's data for a CLI command: every command that reads or changes a hub's data dir
 * (device, staff, settings, roster, guardian, qr, card, child, hub backup …) opens it through this, so
 * that a dir without an initialised hub is refused (hub_not_initialised) instead of becoming a new hub.
 * Fails the command (exit 1) when refused.
 */
export async function openHubStore(dataDir: string): Promise<HubStore> {
  // Loaded when a command runs: `genkan --help` and other components' commands never load the store.
  const { openHubData } = await import('../edge-hub/store/hub-data.ts');
  try {
    return openHubData(dataDir);
  } catch (err) {
    fail(err);
  }
}

/** `genkan hub init --data DIR`: the one way to create a hub (besides `genkan hub restore`). */
export function registerHubInit(hub: Command): void {
  const init = hub
    .command('init')
    .description(
      'create a hub in --data: its database, keys and facility (once; every other hub command needs it)',
    )
    .option('--facility <id>', 'facility id, fixed for good (default: demo)')
    .option('--facility-name <name>', 'display name (kiosks, tablets, admin app, ledgers; default: the id)')
    .option('--time-zone <tz>', "the facility's time zone, fixed for good (default: Asia/Tokyo)")
    .action(async () => {
      const data = hubDataOf(init);
      // `genkan hub` has --facility and --facility-name too and, its options being read wherever they
      // stand, takes them from `hub init`'s line: read both commands' options.
      const opts = init.optsWithGlobals<{ facility?: string; facilityName?: string; timeZone?: string }>();
      const [{ initHub }, { ensureHubTls }, { rootLogger }] = await Promise.all([
        import('../edge-hub/store/hub-data.ts'),
        import('../edge-hub/tls/hub-tls.ts'),
        import('./service.ts'),
      ]);
      try {
        const done = initHub(data, {
          ...(opts.facility !== undefined && { facilityId: opts.facility }),
          ...(opts.facilityName !== undefined && { facilityName: opts.facilityName }),
          ...(opts.timeZone !== undefined && { timeZone: opts.timeZone }),
        });
        // The hub's CA now, not at its first start: pairing codes carry its fingerprint, and a site is
        // often set up (devices paired) before the hub first runs.
        await ensureHubTls({ dataDir: data, facilityId: done.facility, logger: rootLogger() });
        printJson(done);
      } catch (err) {
        fail(err);
      }
    });
}
