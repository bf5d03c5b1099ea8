import type { Command } from 'commander';
import type { HubStore } from '../edge-hub/store/hub-store.ts';
import { openHubStore } from './hub-init.ts';
import { fail, printJson } from './util.ts';

/**
 * Taking back what was lost: `card remove`, `qr revoke`, `device remove`. Each works while the hub runs:
 * it changes the database, and the running hub notices at its next poll (~2 s): the roster version moved
 * (kiosks get the new roster), or a removed device's connection is closed.
 */

const ACTOR = { kind: 'cli', id: null } as const;

/** Opens the hub's store for one command, prints what `fn` returns, closes the store however it ends. */
async function withStore(dir: string, fn: (store: HubStore) => unknown): Promise<void> {
  const store = await openHubStore(dir);
  let answer: unknown;
  try {
    answer = await fn(store);
  } catch (err) {
    store.close();
    fail(err);
  } finally {
    store.close();
  }
  printJson(answer);
}

/** `genkan card remove UID --data DIR`. */
export function register(program: Command): void {
  const card = program.command('card').description("guardians' IC cards on a hub's roster");
  card
    .command('remove <uid>')
    .description(
      'take a lost card away from its guardian (roster file cards and kiosk enrolments alike); kiosks refuse it from their next roster (works while the hub runs)',
    )
    .requiredOption('--data <dir>', "the hub's data directory")
    .action(async (uid: string, opts: { data: string }) => {
      const { removeCard } = await import('../edge-hub/facility/revocation.ts');
      await withStore(opts.data, async (store) => {
        const { removed, guardianId } = await removeCard(store, uid, ACTOR);
        return { removed, guardianId };
      });
    });
}

/** `genkan qr revoke GUARDIAN --data DIR`, in the `qr` group of cli/hub.ts. */
export function registerQrRevoke(qr: Command): void {
  qr.command('revoke <guardian>')
    .description(
      'revoke every QR code issued to a guardian so far: kiosks refuse them from their next roster; a code issued afterwards works (works while the hub runs)',
    )
    .requiredOption('--data <dir>', "the hub's data directory")
    .action(async (guardianId: string, opts: { data: string }) => {
      const { revokeGuardianQr } = await import('../edge-hub/facility/revocation.ts');
      await withStore(opts.data, (store) => {
        const { revoked, qrGeneration } = revokeGuardianQr(store, guardianId, ACTOR);
        return { revoked, guardianId, qrGeneration };
      });
    });
}

/** `genkan device remove ID --data DIR`, in the `device` group of cli/hub.ts. */
export function registerDeviceRemove(device: Command): void {
  device
    .command('remove <id>')
    .description(
      'remove a lost or retired device: its password and pairing codes are deleted, a connected kiosk is disconnected and cannot log in again, a tablet returns to set-up (works while the hub runs)',
    )
    .requiredOption('--data <dir>', "the hub's data directory")
    .action(async (id: string, opts: { data: string }) => {
      const { removeDevice } = await import('../edge-hub/access/device-removal.ts');
      await withStore(opts.data, (store) => removeDevice(store, id, ACTOR));
    });
}
