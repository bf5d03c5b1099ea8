import { Command } from 'commander';
import { fail, GENKAN_VERSION } from './util.ts';

/**
 * genkan CLI. Each component registers its own commands; this file only assembles them, so the
 * components stay independent of each other.
 */

const program = new Command('genkan')
  .version(GENKAN_VERSION)
  .description('Genkan: check-in/check-out for nursery entrances (kiosk, edge hub, cloud relay)')
  .showHelpAfterError()
  .exitOverride((err) => {
    process.exit(err.exitCode);
  });

const registrations = await Promise.all([
  import('./hub.ts').then((m) => m.register),
  import('./hub-admin.ts').then((m) => m.register),
  import('./cloud.ts').then((m) => m.register),
  import('./kiosk.ts').then((m) => m.register),
  import('./demo.ts').then((m) => m.register),
]);
for (const register of registrations) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  fail(err);
}
