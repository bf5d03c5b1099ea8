import { InvalidArgumentError, Option, type Command } from 'commander';
import { ID_RE } from '../protocol/index.ts';
import { GenkanError } from '../common/errors.ts';
import { parseReaderSpec, SUPPORTED_READER_SPECS } from '../hardware/reader.ts';
import { KIOSK_DEFAULTS } from '../kiosk/main/agent.ts';
import { startKioskApp, UI_MODES, type UiMode } from '../kiosk/main/app.ts';
import { LOCALES, type Locale } from '../kiosk/common/ui-api.ts';
import { UI_DEFAULTS } from '../kiosk/main/ui-controller.ts';
import { electronBinary, launchElectronShell } from '../kiosk/main/electron/launch.ts';
import { parseNonNegativeInt, parsePort, printJson, rootLogger, runService } from './util.ts';

interface KioskCliOptions {
  data: string;
  hub: string;
  device: string;
  password?: string;
  reader: string[];
  debounceMs: number;
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
    throw new InvalidArgumentError('not a URL; expected mqtt://HOST:PORT');
  }
  if (!HUB_PROTOCOLS.has(url.protocol)) throw new InvalidArgumentError('expected mqtt://HOST:PORT');
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
    .requiredOption('--hub <url>', 'hub MQTT broker, mqtt://HOST:PORT', parseHubUrl)
    .requiredOption('--device <id>', 'device id, also the MQTT user name', parseId)
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
      if (opts.password === undefined || opts.password.length === 0) {
        command.error('error: a device password is required: --password or GENKAN_DEVICE_PASSWORD', {
          exitCode: 2,
          code: 'genkan.missingPassword',
        });
      }
      const password = opts.password;
      const logger = rootLogger();
      // A reader of stdout that goes away must not stop the kiosk: taps are still recorded and sent.
      process.stdout.on('error', (err) => {
        logger.error({ err }, 'stdout failed; output lines are lost, the kiosk keeps running');
      });
      // Electron where its binary is installed; headless otherwise (browser mode is asked for by name).
      const ui = opts.ui ?? (electronBinary() === undefined ? 'none' : 'electron');
      await runService(logger, () =>
        startKioskApp({
          ui,
          uiPort: opts.uiPort,
          defaultLocale: opts.lang,
          speak: opts.speak,
          ...(ui === 'electron' && {
            showScreen: (server, kiosk) =>
              launchElectronShell({
                uiUrl: server.wsUrl,
                logger,
                env: { GENKAN_KIOSK_TIME_ZONE: kiosk.state().timeZone ?? 'Asia/Tokyo' },
              }),
          }),
          dataDir: opts.data,
          hubUrl: opts.hub,
          deviceId: opts.device,
          password,
          readers: opts.reader.length > 0 ? opts.reader : ['stdin'],
          debounceMs: opts.debounceMs,
          ...(opts.facility !== undefined && { facilityId: opts.facility }),
          logger,
          output: printJson,
        }),
      );
    });
}
