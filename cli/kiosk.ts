import { readFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { ID_RE } from '../protocol/topics.ts';
import { GenkanError } from '../common/errors.ts';
import { parseReaderSpec, SUPPORTED_READER_SPECS } from '../hardware/reader-spec.ts';
import { KIOSK_DEFAULTS, UI_DEFAULTS, UI_MODES, type UiMode } from '../kiosk/main/defaults.ts';
import { PIN_RE } from '../kiosk/main/staff-pin.ts';
import { LOCALES, type Locale } from '../kiosk/common/locales.ts';
import { electronBinary } from '../kiosk/main/electron/launch.ts';
import { fail, GENKAN_VERSION, parseNonNegativeInt, parsePort, printJson, readSecretLine } from './util.ts';

interface KioskCliOptions {
  data: string;
  hub?: string;
  hubCa?: string;
  device?: string;
  password?: string;
  reader: string[];
  debounceMs: number;
  reversalGuardMs?: number;
  facility?: string;
  ui?: UiMode;
  uiPort: number;
  lang: Locale;
  speak: boolean;
}

const HUB_PROTOCOLS = new Set(['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:']);

function parseId(value: string): string {
  if (!ID_RE.test(value)) throw new InvalidArgumentError('must be 1–64 letters, digits, _ or -');
  return value;
}

function parseHubUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('not a URL; expected mqtts://HOST:PORT');
  }
  if (!HUB_PROTOCOLS.has(url.protocol)) throw new InvalidArgumentError('expected mqtts://HOST:PORT');
  return value;
}

function collectReader(value: string, previous: string[]): string[] {
  try {
    parseReaderSpec(value);
  } catch (err) {
    if (err instanceof GenkanError) throw new InvalidArgumentError(err.message);
    throw err;
  }
  return [...previous, value];
}

function parsePortOption(value: string): number {
  try {
    return parsePort(value);
  } catch (err) {
    if (err instanceof GenkanError) throw new InvalidArgumentError(err.message);
    throw err;
  }
}

function parseCount(value: string): number {
  try {
    return parseNonNegativeInt(value);
  } catch (err) {
    if (err instanceof GenkanError) throw new InvalidArgumentError(err.message);
    throw err;
  }
}

/**
 * genkan kiosk: the headless kiosk agent. Stdout carries one JSON object per line (the ready line, taps,
 * acks, connection changes); logs go to stderr.
 */
export function register(program: Command): void {
  program
    .command('kiosk')
    .description('run a kiosk: read credentials, record each tap durably, deliver it to the hub')
    .requiredOption('--data <dir>', 'data directory (holds kiosk.sqlite)')
    .option(
      '--hub <url>',
      'hub MQTT broker, mqtts://HOST:PORT (mqtt:// for a --plain hub; default: from pairing)',
      parseHubUrl,
    )
    .option(
      '--hub-ca <file>',
      "the hub's CA certificate (its ready line's caFile), trusted alone for --hub mqtts:// (default: the system's CAs)",
    )
    .option('--device <id>', 'device id, also the MQTT user name (default: from pairing)', parseId)
    .addOption(
      new Option('--password <password>', 'device password (better: the environment variable)').env(
        'GENKAN_DEVICE_PASSWORD',
      ),
    )
    .addOption(
      new Option('--reader <spec>', `credential reader, repeatable: ${SUPPORTED_READER_SPECS.join(' | ')}`)
        .argParser(collectReader)
        .default([], 'stdin'),
    )
    .option(
      '--debounce-ms <n>',
      'ignore the same credential again within this many milliseconds (0: off)',
      parseCount,
      KIOSK_DEFAULTS.debounceMs,
    )
    .option(
      '--reversal-guard-ms <n>',
      "override the facility's reversal guard, in ms (0: off, for load tests; default: the hub's setting)",
      parseCount,
    )
    .option('--facility <id>', 'facility id (default: learned from the hub roster)', parseId)
    .addOption(
      new Option(
        '--ui <mode>',
        'screen: electron (default where installed), browser (served on 127.0.0.1), none',
      ).choices(UI_MODES),
    )
    .option('--ui-port <n>', 'port of the screen in browser mode (0: any free port)', parsePortOption, 0)
    .addOption(
      new Option('--lang <locale>', 'language the screen starts in')
        .choices(LOCALES)
        .default(UI_DEFAULTS.defaultLocale),
    )
    .option('--speak', 'speak a greeting after each recorded tap', false)
    .action(async (_options: unknown, command: Command) => {
      const opts = command.opts<KioskCliOptions>();
      // Either the whole hub login on the command line, or none (then: pairing).
      const given = [opts.hub, opts.device].filter((v) => v !== undefined).length;
      if (given === 1) {
        command.error('error: give both --hub and --device, or neither (then the kiosk pairs by QR code)', {
          exitCode: 2,
          code: 'genkan.partialLogin',
        });
      }
      if (given === 2 && (opts.password === undefined || opts.password.length === 0)) {
        command.error('error: a device password is required: --password or GENKAN_DEVICE_PASSWORD', {
          exitCode: 2,
          code: 'genkan.missingPassword',
        });
      }
      if (opts.hubCa !== undefined && opts.hub === undefined) {
        command.error('error: --hub-ca goes with --hub (a paired kiosk keeps the CA it pinned)', {
          exitCode: 2,
          code: 'genkan.partialLogin',
        });
      }
      let hubCa: string | undefined;
      try {
        hubCa = opts.hubCa === undefined ? undefined : readFileSync(opts.hubCa, 'utf8');
      } catch (err) {
        fail(err);
      }
      const login =
        opts.hub !== undefined && opts.device !== undefined && opts.password !== undefined
          ? {
              hubUrl: opts.hub,
              deviceId: opts.device,
              password: opts.password,
              ...(hubCa !== undefined && { hubCa }),
            }
          : undefined;
      const { rootLogger, runService } = await import('./service.ts');
      const logger = rootLogger();
      // A reader of stdout that goes away must not stop the kiosk: taps are still recorded and sent.
      process.stdout.on('error', (err) => {
        logger.error({ err }, 'stdout failed; output lines are lost, the kiosk keeps running');
      });
      // Electron where its binary is installed; headless otherwise (browser mode is asked for by name).
      const ui = opts.ui ?? (electronBinary() === undefined ? 'none' : 'electron');
      // The kiosk's code loads when it runs, not for `genkan --help` or other components' commands.
      const [{ startKioskApp }, { launchElectronShell }] = await Promise.all([
        import('../kiosk/main/app.ts'),
        import('../kiosk/main/electron/launch.ts'),
      ]);
      await runService(logger, () =>
        startKioskApp({
          ui,
          uiPort: opts.uiPort,
          defaultLocale: opts.lang,
          speak: opts.speak,
          ...(ui === 'electron' && {
            showScreen: (server) => launchElectronShell({ uiUrl: server.wsUrl, logger }),
          }),
          onPairing: (url) => {
            printJson({ pairing: true, ui: url });
          },
          // Never a ready line: the screen says out of order (headless, the start fails and exits 1).
          onOutOfOrder: (url, err) => {
            printJson({ outOfOrder: true, code: err.code, ui: url });
          },
          dataDir: opts.data,
          ...(login && { login }),
          readers: opts.reader.length > 0 ? opts.reader : ['stdin'],
          debounceMs: opts.debounceMs,
          ...(opts.reversalGuardMs !== undefined && { reversalGuardMs: opts.reversalGuardMs }),
          ...(opts.facility !== undefined && { facilityId: opts.facility }),
          logger,
          output: printJson,
          version: GENKAN_VERSION,
        }),
      );
    });
  registerKioskPin(program);
}

/**
 * genkan kiosk pin --data DIR: sets the staff PIN of the maintenance screen, from GENKAN_KIOSK_PIN or
 * one line on stdin (never an argument, which other users could see in the process list).
 */
function registerKioskPin(program: Command): void {
  const kiosk = program.commands.find((c) => c.name() === 'kiosk');
  if (!kiosk) throw new Error('the kiosk command must be registered first');
  kiosk
    .command('pin')
    .description('set the staff PIN (4–12 digits) of the maintenance screen, from GENKAN_KIOSK_PIN or stdin')
    .option('--data <dir>', 'data directory of the kiosk (holds kiosk.sqlite)')
    .action(async (_options: unknown, command: Command) => {
      // `kiosk` has a --data option too, and it takes the value wherever it is written.
      const { data } = command.optsWithGlobals<{ data?: string }>();
      if (data === undefined) {
        command.error('error: required option --data <dir> not specified', {
          exitCode: 2,
          code: 'commander.missingMandatoryOptionValue',
        });
      }
      try {
        const pin = (process.env['GENKAN_KIOSK_PIN'] ?? (await readSecretLine('GENKAN_KIOSK_PIN'))).trim();
        if (!PIN_RE.test(pin)) throw new GenkanError('bad_pin_format', 'the PIN must be 4–12 digits');
        const [{ KioskStore }, { setStaffPin }] = await Promise.all([
          import('../kiosk/main/store/kiosk-store.ts'),
          import('../kiosk/main/staff-pin.ts'),
        ]);
        const store = KioskStore.open(data);
        try {
          setStaffPin(store, pin);
        } finally {
          store.close();
        }
      } catch (err) {
        fail(err);
      }
      printJson({ ok: true });
    });
}
