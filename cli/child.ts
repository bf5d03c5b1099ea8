import type { Command } from 'commander';
import { openHubStore } from './hub-init.ts';
import { fail, printJson } from './util.ts';

/** `genkan child export`: what a hub holds about one child, for a disclosure request. */
export function register(program: Command): void {
  const child = program.command('child').description("a child's records on a hub");
  child
    .command('export <child>')
    .description(
      'print as JSON everything the hub holds about a child: roster periods, guardians, events, corrections, audit entries (no card hashes; read-only)',
    )
    .requiredOption('--data <dir>', "the hub's data directory")
    .action(async (childId: string, opts: { data: string }) => {
      // Loaded when the command runs, like every hub command (cli/hub.ts).
      const [{ exportChild }, { systemClock }] = await Promise.all([
        import('../edge-hub/facility/child-export.ts'),
        import('../common/time.ts'),
      ]);
      // A missing or uninitialised data directory is refused (hub_not_initialised), never created.
      const store = await openHubStore(opts.data);
      try {
        printJson(exportChild(store, childId, systemClock));
      } catch (err) {
        store.close();
        fail(err);
      } finally {
        store.close();
      }
    });
}
