import type { Command } from 'commander';
import { DEFAULT_INVITE_HOURS } from '../edge-hub/defaults.ts';
import { openHubStore } from './hub-init.ts';
import { fail, parseNonNegativeInt, printJson } from './util.ts';

const CLI_ACTOR = { kind: 'cli', id: null } as const;

/**
 * genkan guardian invite GUARDIAN / revoke-parent GUARDIAN --data DIR: a parent's access to the cloud's
 * parent app (issue 17). Both work while the hub runs: its relay uploads the change to the cloud within
 * seconds (a hub without --cloud uploads it at its next start with one).
 */
export function registerParentAccess(guardian: Command): void {
  guardian
    .command('invite <guardian>')
    .description(
      "invite a guardian to the parent app: prints the link (the cloud's /parent/ page with a one-time token) and when it expires; a new invitation replaces the old",
    )
    .requiredOption('--data <dir>', "the hub's data directory")
    .option(
      '--parent-url <url>',
      'base URL parents reach the cloud at (default: the --cloud URL the hub was last started with)',
    )
    .option('--hours <n>', 'hours the link works (at most 720)', parseNonNegativeInt, DEFAULT_INVITE_HOURS)
    .action(async (guardianId: string, opts: { data: string; parentUrl?: string; hours: number }) => {
      const { inviteParent } = await import('../edge-hub/parents/invite.ts');
      let answer: unknown;
      try {
        const store = await openHubStore(opts.data);
        try {
          answer = inviteParent(store, guardianId, {
            hours: opts.hours,
            actor: CLI_ACTOR,
            ...(opts.parentUrl !== undefined && { parentUrl: opts.parentUrl }),
          });
        } finally {
          store.close();
        }
      } catch (err) {
        fail(err);
      }
      printJson(answer);
    });
  guardian
    .command('revoke-parent <guardian>')
    .description(
      "end a guardian's access to the parent app: the open invitation, passkeys and sessions (at the cloud, once relayed)",
    )
    .requiredOption('--data <dir>', "the hub's data directory")
    .action(async (guardianId: string, opts: { data: string }) => {
      const { revokeParent } = await import('../edge-hub/parents/revoke.ts');
      let answer: unknown;
      try {
        const store = await openHubStore(opts.data);
        try {
          answer = revokeParent(store, guardianId, CLI_ACTOR);
        } finally {
          store.close();
        }
      } catch (err) {
        fail(err);
      }
      printJson(answer);
    });
}
