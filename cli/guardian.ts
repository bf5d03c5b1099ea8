import type { Command } from 'commander';
import { registerParentAccess } from './guardian-parent.ts';
import { openHubStore } from './hub-init.ts';
import { fail, printJson, readSecretLine } from './util.ts';

const PIN_ENV = 'GENKAN_GUARDIAN_PIN';

/**
 * genkan guardian pin GUARDIAN --data DIR [--clear]: sets (or clears) a guardian's kiosk PIN, for the
 * family chooser of the kiosk's "no card" button. The PIN comes from GENKAN_GUARDIAN_PIN or one line on
 * stdin, never an argument (other users could see it in the process list). Works while the hub runs: the
 * roster version moves and the hub republishes the roster to the kiosks.
 */
export function register(program: Command): void {
  const guardian = program
    .command('guardian')
    .description("guardians' kiosk PINs and access to the parent app");
  guardian
    .command('pin <guardian>')
    .description(`set a guardian's kiosk PIN (4–8 digits) from ${PIN_ENV} or stdin, or clear it with --clear`)
    .requiredOption('--data <dir>', "the hub's data directory")
    .option('--clear', 'remove the PIN (the guardian is then asked to see staff at the kiosk)')
    .action(async (guardianId: string, opts: { data: string; clear?: boolean }) => {
      const pins = await import('../edge-hub/facility/guardian-pins.ts');
      let answer: unknown;
      try {
        const pin =
          opts.clear === true ? null : (process.env[PIN_ENV] ?? (await readSecretLine(PIN_ENV))).trim();
        if (pin !== null) pins.checkGuardianPin(pin);
        const store = await openHubStore(opts.data);
        try {
          const actor = { kind: 'cli', id: null } as const;
          answer =
            pin === null
              ? { ok: true, guardianId, ...pins.clearGuardianPin(store, guardianId, actor) }
              : { ok: true, guardianId, ...(await pins.setGuardianPin(store, guardianId, pin, actor)) };
        } finally {
          store.close();
        }
      } catch (err) {
        fail(err);
      }
      printJson(answer);
    });
  registerParentAccess(guardian);
}
