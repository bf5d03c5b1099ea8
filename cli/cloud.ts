import { Option, type Command } from 'commander';
import { DEFAULT_HOST, DEFAULT_PORT, startCloud } from '../cloud-relay/server.ts';
import { openCloudStore, redactDatabaseUrl, type CloudStoreLocation } from '../cloud-relay/store/open.ts';
import { isPostgresUrl } from '../cloud-relay/store/postgres.ts';
import { parsePort, printJson, rootLogger, runService } from './util.ts';

interface StoreOptions {
  data?: string;
  db?: string;
}

interface ServeOptions extends StoreOptions {
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
 * `--data` and `--db` are defined once, on `cloud`, and subcommands read them from there. Commander lets
 * a parent take its options from anywhere on the line (unless the root enables positional options), so an
 * own `--data` on `add` would never see its value; it would also check the parent's mandatory options for
 * the subcommand. Hence no requiredOption: each action checks the store options itself.
 */
export function register(program: Command): void {
  const cloud = program
    .command('cloud')
    .description('run the cloud relay: receives event batches from hubs over HTTP')
    .option('--data <dir>', 'data directory holding cloud.sqlite (required unless --db is given)')
    .addOption(
      new Option(
        '--db <url>',
        'postgres://user:password@host:5432/db: store in PostgreSQL instead of --data (prefer the environment variable: it holds a password)',
      ).env('GENKAN_CLOUD_DB'),
    )
    .option('--port <n>', 'HTTP port, 0 for any free port', parsePort, DEFAULT_PORT)
    .option('--host <host>', 'address to listen on', DEFAULT_HOST)
    .addOption(
      new Option(
        '--admin-token <token>',
        'token for reading every facility (prefer the environment variable)',
      ).env('GENKAN_CLOUD_ADMIN_TOKEN'),
    )
    .action(async (options: ServeOptions) => {
      const location = requireStore(cloud, cloud, options);
      const logger = rootLogger();
      await runService(logger, async () => {
        const server = await startCloud({
          ...location,
          port: options.port,
          host: options.host,
          adminToken: options.adminToken,
          logger,
        });
        printJson({
          ready: true,
          http: server.port,
          ...(location.db === undefined ? {} : { db: redactDatabaseUrl(location.db) }),
        });
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
    .addHelpText('after', '\nRequired: --data <dir>, the cloud data directory, or --db <postgres URL>.')
    .action(async (hubId: string, options: HubAddOptions) => {
      const location = requireStore(add, cloud, add.optsWithGlobals<StoreOptions>());
      const store = await openCloudStore(location, rootLogger());
      try {
        const token = await store.addHub(hubId, options.facility, options.timeZone);
        printJson({ hubId, facilityId: options.facility, token });
      } finally {
        await store.close();
      }
    });
}

/**
 * Exactly one store: `--db` (PostgreSQL) or `--data` (SQLite); a usage error otherwise. `--data` on the
 * command line wins over a GENKAN_CLOUD_DB from the environment (the demo runs `cloud --data`).
 */
function requireStore(command: Command, owner: Command, options: StoreOptions): CloudStoreLocation {
  const { data } = options;
  const hasData = data !== undefined && data !== '';
  const db = hasData && owner.getOptionValueSource('db') === 'env' ? undefined : options.db;
  const hasDb = db !== undefined && db !== '';
  const usage = (message: string): never =>
    command.error(`error: ${message}`, { exitCode: 2, code: 'commander.invalidArgument' });
  if (hasDb) {
    // The value is never echoed: it may hold a password.
    if (!isPostgresUrl(db)) usage("option '--db <url>' must be a postgres:// or postgresql:// URL");
    // Refused rather than ignored: someone passing both could believe the SQLite file is used.
    if (hasData) usage("options '--data <dir>' and '--db <url>' cannot be used together");
    return { db };
  }
  if (!hasData) {
    command.error("error: required option '--data <dir>' (or '--db <url>') not specified", {
      exitCode: 2,
      code: 'commander.missingMandatoryOptionValue',
    });
  }
  return { dataDir: data };
}
