import { Command } from 'commander';
import { register as registerChild } from './child.ts';
import { register as registerCloud } from './cloud.ts';
import { register as registerDemo } from './demo.ts';
import { register as registerGuardian } from './guardian.ts';
import { register as registerHubAdmin } from './hub-admin.ts';
import { register as registerHub } from './hub.ts';
import { register as registerKiosk } from './kiosk.ts';
import { register as registerCard } from './revocation.ts';
import { fail, GENKAN_VERSION } from './util.ts';

/**
 * genkan CLI. Each component registers its own commands; this file only assembles them, so the
 * components stay independent of each other. Registering loads only option declarations: a command's
 * component is imported when the command runs (see the actions), so `genkan --help` stays fast and a
 * kiosk never loads the hub, the cloud or the ledgers.
 */

const program = new Command('genkan')
  .version(GENKAN_VERSION)
  .description('Genkan: check-in/check-out for nursery entrances (kiosk, edge hub, cloud relay)')
  .showHelpAfterError()
  .exitOverride((err) => {
    process.exit(err.exitCode);
  });

for (const register of [
  registerHub,
  registerHubAdmin,
  registerGuardian,
  registerCard,
  registerChild,
  registerCloud,
  registerKiosk,
  registerDemo,
]) {
  register(program);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  fail(err);
}
