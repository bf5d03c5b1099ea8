import type { Command } from 'commander';
import { NotFoundError } from '../common/errors.ts';
import type { CloudStore } from '../cloud-relay/store/types.ts';
import { printJson } from './util.ts';

/** How cloud.ts makes a subcommand that needs the store, and runs its work with the store open. */
export interface StoreCommands {
  storeCommand: (parent: Command, name: string, description: string) => Command;
  withStore: (command: Command, work: (store: CloudStore) => Promise<void>) => Promise<void>;
}

/**
 * `genkan cloud webhook set|show|remove --facility F`: a facility's signed outgoing webhook
 * (docs/webhooks.md). The running cloud picks a change up at its next poll: nothing is cached.
 */
export function registerWebhookCommands(cloud: Command, { storeCommand, withStore }: StoreCommands): void {
  const webhook = cloud
    .command('webhook')
    .description("manage a facility's webhook: its events POSTed, signed, to an integrator's URL");

  const set = storeCommand(
    webhook,
    'set',
    "set the facility's webhook URL and print its signing secret (shown only this once); setting it again keeps the delivery position",
  )
    .requiredOption('--facility <id>', 'facility id')
    .requiredOption('--url <url>', 'https:// URL the events are POSTed to (http only to localhost)')
    .option('--secret <secret>', 'the signing secret to use (16–256 characters); default: 32 random bytes')
    .action(async (options: { facility: string; url: string; secret?: string }) => {
      const { checkWebhookSecret, checkWebhookUrl, newWebhookSecret } =
        await import('../cloud-relay/webhooks/settings.ts');
      // Checked before the store opens, so that a typo changes nothing.
      const url = checkWebhookUrl(options.url);
      const secret = checkWebhookSecret(options.secret ?? newWebhookSecret());
      await withStore(set, async (store) => {
        await store.webhooks.set(options.facility, url, secret, new Date());
        printJson({ facilityId: options.facility, url, secret });
      });
    });

  const show = storeCommand(
    webhook,
    'show',
    "show the facility's webhook: URL, last outcome, pending events, next attempt (never the secret)",
  )
    .requiredOption('--facility <id>', 'facility id')
    .action(async (options: { facility: string }) => {
      await withStore(show, async (store) => {
        const found = await store.webhooks.get(options.facility);
        if (found === undefined) {
          throw new NotFoundError('unknown_webhook', `facility ${options.facility} has no webhook`);
        }
        printJson({
          facilityId: found.facilityId,
          url: found.url,
          createdAt: found.createdAt,
          since: found.since,
          pending: found.pending,
          lastStatus: found.lastStatus,
          lastError: found.lastError,
          lastAttemptAt: found.lastAttemptAt,
          attempts: found.attempts,
          // Only a failing webhook waits for a time; otherwise it is sent whenever events come.
          nextAttemptAt: found.attempts > 0 ? found.nextAttemptAt : null,
        });
      });
    });

  const remove = storeCommand(
    webhook,
    'remove',
    "remove the facility's webhook and its delivery position: nothing more is sent (a webhook set later starts from then)",
  )
    .requiredOption('--facility <id>', 'facility id')
    .action(async (options: { facility: string }) => {
      await withStore(remove, async (store) => {
        printJson({ facilityId: options.facility, removed: await store.webhooks.remove(options.facility) });
      });
    });
}
