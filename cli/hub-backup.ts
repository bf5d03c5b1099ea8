import type { Command } from 'commander';
import { hubDataOf } from './hub.ts';
import { fail, GENKAN_VERSION, printJson, readSecretLine } from './util.ts';

const PASSPHRASE_ENV = 'GENKAN_BACKUP_PASSPHRASE';

/**
 * The passphrase from the environment, else the first line of stdin (never an argument: `ps` shows those);
 * asked for only once the data dir or the backup file checked out.
 */
async function passphrase(): Promise<string> {
  return process.env[PASSPHRASE_ENV] ?? (await readSecretLine(PASSPHRASE_ENV, 'backup passphrase'));
}

/** `genkan hub backup` and `genkan hub restore` (edge-hub/backup). */
export function registerHubBackup(hub: Command): void {
  const backup = hub
    .command('backup')
    .description(
      `write an encrypted backup of the hub in --data (safe while the hub runs); passphrase from stdin or ${PASSPHRASE_ENV}`,
    )
    .requiredOption('--out <file>', 'the backup file to write (replaced atomically, mode 0600)')
    .action(async (opts: { out: string }) => {
      const data = hubDataOf(backup);
      try {
        const { createBackup } = await import('../edge-hub/backup/backup.ts');
        printJson(
          await createBackup({
            dataDir: data,
            out: opts.out,
            passphrase,
            genkanVersion: GENKAN_VERSION,
          }),
        );
      } catch (err) {
        fail(err);
      }
    });

  const restore = hub
    .command('restore <file>')
    .description(
      `create a hub in --data (a new or empty folder) from a backup; passphrase from stdin or ${PASSPHRASE_ENV}`,
    )
    .action(async (file: string) => {
      const data = hubDataOf(restore);
      try {
        const { restoreBackup } = await import('../edge-hub/backup/restore.ts');
        printJson(await restoreBackup({ file, dataDir: data, passphrase }));
      } catch (err) {
        fail(err);
      }
    });
}
