import { Option, type Command } from 'commander';
import { openCloudSqliteStore } from '../cloud-relay/store/sqlite.ts';
import { DEFAULT_HOST, DEFAULT_PORT, startCloud } from '../cloud-relay/server.ts';
import { parsePort, printJson, rootLogger, runService } from './util.ts';

interface ServeOptions {
  data?: string;
  port: number;
  host: string;
  adminToken?: string;
}

interface HubAddOptions {
  facility: string;
  timeZone?: string;
}

/**
 * `genkan cloud …`: runs the cloud relay, or with `hub add` registers a hub and prints its token.
 *
 * `--data` is defined once, on `cloud`, and `hub add` reads it from there. Commander lets a parent take
 * its options from anywhere on the line (unless the root enables positional options), so an own `--data`
 * on `add` would never see its value; it would also check the parent's mandatory options for the
 * subcommand. Hence no requiredOption: each action checks `--data` itself.
 */
export function register(program: Command): void {
  const cloud = program
    .command('cloud')
    .description('run the cloud relay: receives event batches from hubs over HTTP')
    .option('--data <dir>', 'data directory holding cloud.sqlite (required)')
    .option('--port <n>', 'HTTP port, 0 for any free port', parsePort, DEFAULT_PORT)
    .option('--host <host>', 'address to listen on', DEFAULT_HOST)
    .addOption(
      new Option(
        '--admin-token <token>',
        'token for reading every facility (prefer the environment variable)',
      ).env('GENKAN_CLOUD_ADMIN_TOKEN'),
    )
    .action(async (options: ServeOptions) => {
      const dataDir = requireData(cloud, options.data);
      const logger = rootLogger();
      await runService(logger, async () => {
        const server = await startCloud({
          dataDir,
          port: options.port,
          host: options.host,
          adminToken: options.adminToken,
          logger,
        });
        printJson({ ready: true, http: server.port });
        return server;
      });
    });

  const hub = cloud.command('hub').description('manage the hubs allowed to upload');
  const add = hub
    .command('add')
    .description('register a hub, or rotate its token, and print the token (shown only this once)')
    .argument('<hubId>', 'hub id')
    .requiredOption('--facility <id>', 'facility the hub belongs to')
    .option(
      '--time-zone <tz>',
      "the facility's IANA time zone, when the facility is new (default Asia/Tokyo)",
    )
    .configureHelp({ showGlobalOptions: true })
    .addHelpText('after', '\nRequired: --data <dir>, the cloud data directory.')
    .action(async (hubId: string, options: HubAddOptions) => {
      const dataDir = requireData(add, add.optsWithGlobals<{ data?: string }>().data);
      const store = await openCloudSqliteStore(dataDir, { logger: rootLogger() });
      try {
        const token = await store.addHub(hubId, options.facility, options.timeZone);
        printJson({ hubId, facilityId: options.facility, token });
      } finally {
        await store.close();
      }
    });
}

function requireData(command: Command, data: string | undefined): string {
  if (data === undefined || data === '') {
    command.error("error: required option '--data <dir>' not specified", {
      exitCode: 2,
      code: 'commander.missingMandatoryOptionValue',
    });
  }
  return data;
}
