import { Option, type Command } from 'commander';
import { GenkanError } from '../common/errors.ts';
import {
  DEFAULT_HOST,
  DEFAULT_HUB_RATE_LIMIT,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_PARENT_RATE_LIMIT,
  DEFAULT_PORT,
  DEFAULT_STALE_AFTER_MS,
} from '../cloud-relay/defaults.ts';
import { isPostgresUrl, redactDatabaseUrl, type CloudStoreLocation } from '../cloud-relay/store/location.ts';
import type { CloudStore } from '../cloud-relay/store/types.ts';
import { registerWebhookCommands } from './cloud-webhook.ts';
import { fail, parsePort, printJson } from './util.ts';

interface StoreOptions {
  data?: string;
  db?: string;
}

interface ServeOptions extends StoreOptions {
  port: number;
  host: string;
  adminToken?: string;
  metricsToken?: string;
  metricsPublic?: true;
  hubRate: number;
  hubBurst: number;
  maxInFlight: number;
  staleMinutes: number;
  parentOrigin?: string;
  parentRate: number;
  pushInsecureEndpoints?: true;
  pushContact?: string;
  trustProxy?: true | string;
}

interface HubAddOptions {
  facility: string;
  org?: string;
  timeZone?: string;
}

/** Default grace period of `hub rotate`: a hub syncs within minutes, a day covers one that was offline. */
const DEFAULT_GRACE_HOURS = 24;

/** A positive finite number (rates, hours, minutes; 0 allowed where `zero` is). */
function parseNumber(zero: boolean) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || (!zero && n === 0)) {
      throw new GenkanError('bad_number', `not a ${zero ? 'non-negative' : 'positive'} number: ${value}`);
    }
    return n;
  };
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
    .addOption(
      new Option(
        '--metrics-token <token>',
        'token GET /metrics takes (the admin token also works; without either /metrics answers 401)',
      ).env('GENKAN_CLOUD_METRICS_TOKEN'),
    )
    .option('--metrics-public', 'serve GET /metrics to anyone, without a token (not with --metrics-token)')
    .option(
      '--hub-rate <n>',
      'uploads per second per hub (POST /v1/batches, PUT /v1/snapshot) before 429; 0 disables the limit',
      parseNumber(true),
      DEFAULT_HUB_RATE_LIMIT.perSecond,
    )
    .option(
      '--hub-burst <n>',
      'uploads a hub may send at once',
      parseNumber(false),
      DEFAULT_HUB_RATE_LIMIT.burst,
    )
    .option(
      '--max-in-flight <n>',
      'requests served at once before new ones get 503',
      parseNumber(false),
      DEFAULT_MAX_IN_FLIGHT,
    )
    .option(
      '--stale-minutes <n>',
      'the org rollup marks a facility stale after this long without a relay',
      parseNumber(false),
      DEFAULT_STALE_AFTER_MS / 60_000,
    )
    .addOption(
      new Option(
        '--parent-origin <url>',
        "the origin parents open the parent app at (https://parents.example.jp): passkeys are bound to it; set it behind a proxy (default: each request's own origin)",
      ).env('GENKAN_CLOUD_PARENT_ORIGIN'),
    )
    .option(
      '--parent-rate <n>',
      'requests per minute per client address on /parent/api/ before 429 (failed sign-ins: 5 a minute); 0 disables both',
      parseNumber(true),
      DEFAULT_PARENT_RATE_LIMIT.perMinute,
    )
    .addOption(
      new Option(
        '--push-contact <url>',
        'the contact (mailto: or https:) push services may reach the operator at, sent with every Web Push',
      ).env('GENKAN_CLOUD_PUSH_CONTACT'),
    )
    .addOption(
      new Option(
        '--trust-proxy [addresses]',
        'behind a reverse proxy (TLS for the parent app): believe X-Forwarded-For/-Proto/-Host from these comma-separated addresses or CIDRs (alone or "true": from any peer); rate limits then count each parent\'s own address',
      ).env('GENKAN_CLOUD_TRUST_PROXY'),
    )
    .option(
      '--push-insecure-endpoints',
      'send Web Push to plain http and local endpoints too: for tests and local development only',
    )
    .action(async (options: ServeOptions) => {
      const location = requireStore(cloud, cloud, options);
      if (options.metricsPublic === true && options.metricsToken !== undefined) {
        fail(new GenkanError('bad_usage', '--metrics-public and --metrics-token exclude each other'));
      }
      const [{ rootLogger, runService }, { startCloud }] = await Promise.all([
        import('./service.ts'),
        import('../cloud-relay/server.ts'),
      ]);
      const logger = rootLogger();
      await runService(logger, async () => {
        const server = await startCloud({
          ...location,
          port: options.port,
          host: options.host,
          adminToken: options.adminToken,
          metricsToken: options.metricsToken,
          metricsPublic: options.metricsPublic === true,
          hubRateLimit:
            options.hubRate === 0
              ? null
              : { perSecond: options.hubRate, burst: Math.max(1, options.hubBurst) },
          maxInFlight: Math.floor(options.maxInFlight),
          staleAfterMs: options.staleMinutes * 60_000,
          parentOrigin: options.parentOrigin,
          parentRateLimit:
            options.parentRate === 0
              ? null
              : { ...DEFAULT_PARENT_RATE_LIMIT, perMinute: Math.max(1, Math.floor(options.parentRate)) },
          ...(options.trustProxy !== undefined && {
            trustProxy:
              options.trustProxy === true || options.trustProxy === 'true' ? true : options.trustProxy,
          }),
          pushAllowInsecure: options.pushInsecureEndpoints === true,
          pushContact: options.pushContact,
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

  /** A store subcommand: opens the store named by --data/--db, runs `work`, closes the store. */
  const storeCommand = (parent: Command, name: string, description: string): Command =>
    parent
      .command(name)
      .description(description)
      .configureHelp({ showGlobalOptions: true })
      .addHelpText('after', '\nRequired: --data <dir>, the cloud data directory, or --db <postgres URL>.');
  const withStore = async (command: Command, work: (store: CloudStore) => Promise<void>): Promise<void> => {
    const location = requireStore(command, cloud, command.optsWithGlobals<StoreOptions>());
    const [{ rootLogger }, { openCloudStore }] = await Promise.all([
      import('./service.ts'),
      import('../cloud-relay/store/open.ts'),
    ]);
    const store = await openCloudStore(location, rootLogger());
    try {
      await work(store);
    } finally {
      await store.close();
    }
  };

  const hub = cloud.command('hub').description('manage the hubs allowed to upload');
  const add = storeCommand(
    hub,
    'add',
    'register a hub, or replace all its tokens at once, and print the token (shown only this once)',
  )
    .argument('<hubId>', 'hub id')
    .requiredOption('--facility <id>', 'facility the hub belongs to')
    .option('--org <id>', "the facility's organisation (attaches a facility that has none)")
    .option(
      '--time-zone <tz>',
      "the facility's IANA time zone, when the facility is new (default Asia/Tokyo)",
    )
    .action(async (hubId: string, options: HubAddOptions) => {
      await withStore(add, async (store) => {
        if (options.org !== undefined)
          await store.addFacility(options.facility, options.org, options.timeZone);
        const token = await store.addHub(hubId, options.facility, options.timeZone);
        printJson({
          hubId,
          facilityId: options.facility,
          ...(options.org === undefined ? {} : { orgId: options.org }),
          token,
        });
      });
    });

  const rotate = storeCommand(
    hub,
    'rotate',
    'print a new token for a hub; the previous one works until the hub uses the new one or the grace period ends',
  )
    .argument('<hubId>', 'hub id')
    .option(
      '--grace-hours <n>',
      'how long the previous token keeps working at most',
      parseNumber(true),
      DEFAULT_GRACE_HOURS,
    )
    .action(async (hubId: string, options: { graceHours: number }) => {
      await withStore(rotate, async (store) => {
        const graceMs = Math.round(options.graceHours * 3_600_000);
        const token = await store.rotateHub(hubId, graceMs);
        printJson({ hubId, token, previousValidUntil: new Date(Date.now() + graceMs).toISOString() });
      });
    });

  const revoke = storeCommand(
    hub,
    'revoke',
    'stop every token of a hub at once (hub add or rotate re-enables it)',
  )
    .argument('<hubId>', 'hub id')
    .action(async (hubId: string) => {
      await withStore(revoke, async (store) => {
        await store.revokeHub(hubId);
        printJson({ hubId, revoked: true });
      });
    });

  const org = cloud
    .command('org')
    .description('manage organisations (a city, a chain) and their admin tokens');
  const orgAdd = storeCommand(org, 'add', 'create an organisation, or rename it')
    .argument('<orgId>', 'organisation id')
    .requiredOption('--name <name>', 'display name')
    .action(async (orgId: string, options: { name: string }) => {
      await withStore(orgAdd, async (store) => {
        printJson(await store.addOrganisation(orgId, options.name));
      });
    });

  const orgToken = storeCommand(
    org,
    'token',
    "print a new org admin token (reads only the organisation's facilities; shown only this once)",
  )
    .argument('<orgId>', 'organisation id')
    .option('--revoke-all', 'instead, revoke every token of the organisation')
    .action(async (orgId: string, options: { revokeAll?: boolean }) => {
      await withStore(orgToken, async (store) => {
        if (options.revokeAll === true) {
          printJson({ orgId, revoked: await store.revokeOrgTokens(orgId) });
        } else {
          printJson({ orgId, token: await store.issueOrgToken(orgId) });
        }
      });
    });

  const facility = cloud.command('facility').description('manage facilities');
  const facilityAdd = storeCommand(
    facility,
    'add',
    'create a facility in an organisation, or attach one that has none',
  )
    .argument('<facilityId>', 'facility id')
    .requiredOption('--org <id>', 'organisation the facility belongs to')
    .option(
      '--time-zone <tz>',
      "the facility's IANA time zone, when the facility is new (default Asia/Tokyo)",
    )
    .action(async (facilityId: string, options: { org: string; timeZone?: string }) => {
      await withStore(facilityAdd, async (store) => {
        const added = await store.addFacility(facilityId, options.org, options.timeZone);
        printJson({ ...added, orgId: options.org });
      });
    });

  registerWebhookCommands(cloud, { storeCommand, withStore });
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
