import { readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Option, type Command } from 'commander';
import { GenkanError } from '../common/errors.ts';
import type { HubOptions } from '../edge-hub/hub.ts';
import { DEFAULT_PAIRING_MINUTES, DEFAULT_QR_DAYS } from '../edge-hub/defaults.ts';
import { DEVICE_ROLES, type DeviceRole } from '../edge-hub/store/devices.ts';
import { registerHubBackup } from './hub-backup.ts';
import {
  addListenerOptions,
  listenerHubOptions,
  pairingFingerprint,
  readyListeners,
  type HubListenerCliOptions,
} from './hub-tls.ts';
import { openHubStore, registerHubInit } from './hub-init.ts';
import { registerQrSheet } from './qr-sheet.ts';
import { registerDeviceRemove, registerQrRevoke } from './revocation.ts';
import { fail, parseNonNegativeInt, printJson } from './util.ts';

interface HubCliOptions extends HubListenerCliOptions {
  facility?: string;
  facilityName?: string;
  host: string;
  cloud?: string;
  cloudToken?: string;
  adminToken?: string;
  parentMessagesStalledSeconds?: number;
}

/** The `--data` of `genkan hub` as its subcommands (and itself) see it; fails the command without one. */
export function hubDataOf(command: Command): string {
  const data = command.optsWithGlobals<{ data?: string }>().data;
  if (data === undefined) fail(new GenkanError('bad_usage', "required option '--data <dir>' not specified"));
  return data;
}

/**
 * Commands of the edge hub: `hub`, `device add`, `device pair`, `roster import`, `qr issue`. Each action
 * imports the hub code it needs when it runs, so that `genkan --help` and other commands load none of it.
 */
export function register(program: Command): void {
  // `--data` is an option of `hub` that its subcommands (`genkan hub SUB --data DIR`) read with
  // hubDataOf(): a subcommand's own --data would never see its value, and a required option of `hub`
  // would be demanded of the subcommands too (as `genkan cloud` does).
  const hub = program
    .command('hub')
    .description('run the edge hub: MQTT broker for the kiosks, roll-call, admin HTTP API, cloud relay')
    .option('--data <dir>', 'data directory (holds hub.sqlite); required')
    .option('--facility <id>', 'facility id, checked against the one `hub init` fixed')
    .option('--facility-name <name>', 'display name (kiosks, tablets, admin app, ledgers); also a setting');
  addListenerOptions(hub)
    .option('--host <host>', 'interface to listen on', '0.0.0.0')
    .option('--cloud <url>', 'cloud relay base URL to forward events to')
    .addOption(
      // Prefer the variable: an argument shows in `ps` to every user of the machine.
      new Option('--cloud-token <token>', 'hub token issued by the cloud (HUBID.SECRET)').env(
        'GENKAN_CLOUD_TOKEN',
      ),
    )
    .addOption(
      new Option(
        '--admin-token <token>',
        'admin API token (default: keep the stored one, or generate one)',
      ).env('GENKAN_ADMIN_TOKEN'),
    )
    .addOption(
      // For tests: the warning's two minutes are too long to wait for.
      new Option(
        '--parent-messages-stalled-seconds <n>',
        "seconds parents' messages may fail to arrive before the warning (default 120)",
      )
        .argParser(parseNonNegativeInt)
        .hideHelp(),
    )
    .action(async (opts: HubCliOptions) => {
      const data = hubDataOf(hub);
      const listeners = listenerHubOptions(opts, hub);
      if ((opts.cloud === undefined) !== (opts.cloudToken === undefined)) {
        fail(new GenkanError('bad_usage', '--cloud and --cloud-token go together'));
      }
      const [{ rootLogger, runService }, { startHub }, { hubInitProblem, HubNotInitialisedError }] =
        await Promise.all([
          import('./service.ts'),
          import('../edge-hub/hub.ts'),
          import('../edge-hub/store/hub-data.ts'),
        ]);
      // A hub is made by `genkan hub init`: a start never creates one (nor its keys) in an empty dir.
      const notInitialised = hubInitProblem(data);
      if (notInitialised !== undefined) fail(new HubNotInitialisedError(data, notInitialised));
      const logger = rootLogger();
      await runService(logger, async () => {
        const options: HubOptions = {
          dataDir: data,
          host: opts.host,
          ...listeners,
          logger,
        };
        if (opts.facility !== undefined) options.facilityId = opts.facility;
        if (opts.facilityName !== undefined) options.facilityName = opts.facilityName;
        if (opts.adminToken !== undefined) options.adminToken = opts.adminToken;
        if (opts.parentMessagesStalledSeconds !== undefined) {
          options.tuning = { parentMessagesStalledSeconds: opts.parentMessagesStalledSeconds };
        }
        if (opts.cloud !== undefined && opts.cloudToken !== undefined) {
          options.cloud = { url: opts.cloud, token: opts.cloudToken };
        }
        const hub = await startHub(options);
        printJson({
          ready: true,
          ...readyListeners(hub),
          facility: hub.facilityId,
          ...(hub.generatedAdminToken !== undefined && { adminToken: hub.generatedAdminToken }),
        });
        return hub;
      });
    });
  registerHubInit(hub);
  registerHubBackup(hub);

  const device = program.command('device').description("manage the devices allowed on a hub's broker");
  registerDeviceRemove(device);
  device
    .command('add <id>')
    .description('register a device (or rotate its password) and print its credentials')
    .requiredOption('--data <dir>', "the hub's data directory")
    .addOption(new Option('--role <role>', 'device role').choices(DEVICE_ROLES).default('kiosk'))
    .action(async (id: string, opts: { data: string; role: DeviceRole }) => {
      // A tablet has no broker login (it works through its device cookie and staff sessions): a password
      // printed for it would open nothing.
      if (opts.role === 'tablet') {
        fail(
          new GenkanError(
            'bad_role',
            'a tablet is set up with a pairing code: genkan device pair ID --role tablet --hub-url URL --data DIR',
          ),
        );
      }
      const { addDevice } = await import('../edge-hub/access/devices.ts');
      const store = await openHubStore(opts.data);
      try {
        const created = await addDevice(store, id, opts.role);
        // Fixed by `genkan hub init` (kiosks can also learn it from the roster).
        printJson({ ...created, facilityId: store.facility.meta().facilityId });
      } finally {
        store.close();
      }
    });

  device
    .command('pair <id>')
    .description(
      'issue a one-time pairing code for a device (created if absent) and print it as a GKP1 payload; scanning it at the kiosk replaces typing the password',
    )
    .requiredOption('--data <dir>', "the hub's data directory")
    .requiredOption(
      '--hub-url <url>',
      "the hub's address as the device reaches it: https://HOST:PORT (the code then carries the hub CA's fingerprint), or http://HOST:PORT of a --plain hub",
    )
    .option(
      '--hub-ca <file>',
      "the CA devices should trust, for https (default: the hub's own, DATA/tls/ca.pem)",
    )
    .addOption(
      new Option('--role <role>', "device role (default: the existing device's, or kiosk)").choices(
        DEVICE_ROLES,
      ),
    )
    .option('--minutes <n>', 'minutes until the code expires', parseNonNegativeInt, DEFAULT_PAIRING_MINUTES)
    .option('--out <file>', 'also write the QR code: FILE.svg (with a caption) or FILE.png (code only)')
    .action(
      async (
        id: string,
        opts: {
          data: string;
          hubUrl: string;
          hubCa?: string;
          role?: DeviceRole;
          minutes: number;
          out?: string;
        },
      ) => {
        const ext = opts.out === undefined ? undefined : extname(opts.out).toLowerCase();
        if (ext !== undefined && ext !== '.svg' && ext !== '.png') {
          fail(new GenkanError('bad_usage', '--out must name a .svg or .png file'));
        }
        const [{ issuePairingCode }, { tabletPairingUrl }, { renderQrCardSvg, renderQrPng }] =
          await Promise.all([
            import('../edge-hub/access/pairing.ts'),
            import('../edge-hub/access/staff.ts'),
            import('../edge-hub/facility/qr-card.ts'),
          ]);
        const tls = await pairingFingerprint(opts.hubUrl, opts.data, opts.hubCa);
        const store = await openHubStore(opts.data);
        try {
          const issued = await issuePairingCode(store, id, {
            hubUrl: opts.hubUrl,
            minutes: opts.minutes,
            ...(tls !== undefined && { tls }),
            ...(opts.role !== undefined && { role: opts.role }),
          });
          // A tablet opens the hub's tablet app with the code in the fragment (never sent to a server, so
          // never in a log); the QR code holds that URL, so that the tablet's camera app opens it.
          const url = issued.role === 'tablet' ? tabletPairingUrl(opts.hubUrl, issued.payload) : undefined;
          const qrText = url ?? issued.payload;
          if (opts.out !== undefined) {
            if (ext === '.svg') {
              const meta = store.facility.meta();
              writeFileSync(
                opts.out,
                renderQrCardSvg(qrText, {
                  guardianName: `${issued.deviceId} (${issued.role})`,
                  facilityName: meta.facilityName,
                  note: `端末ペアリング Device pairing · 有効期限 Valid until ${issued.expires.slice(11, 16)}`,
                }),
              );
            } else {
              writeFileSync(opts.out, renderQrPng(qrText));
            }
          }
          // Unlike a guardian QR code the payload is printed: it is single use and short-lived, and the
          // person pairing may show it on screen instead of printing it.
          printJson({
            deviceId: issued.deviceId,
            expires: issued.expires,
            payload: issued.payload,
            ...(url !== undefined && { url }),
            ...(opts.out !== undefined && { file: opts.out }),
          });
        } catch (err) {
          store.close();
          fail(err);
        } finally {
          store.close();
        }
      },
    );

  const roster = program.command('roster').description("manage a hub's roster");
  roster
    .command('import <file>')
    .description(
      'replace the roster with a CSV (UTF-8 or Shift_JIS) or XLSX file (all or nothing) from a day on; the days before keep theirs',
    )
    .requiredOption('--data <dir>', "the hub's data directory")
    .option(
      '--effective <date>',
      "the day it takes effect from, YYYY-MM-DD (default: today in the facility's time zone; a hub's first roster: all of its past)",
    )
    .option('--dry-run', 'check the file and print what would change, changing nothing')
    .action(async (file: string, opts: { data: string; effective?: string; dryRun?: true }) => {
      const [
        { checkMonthsOpen, effectiveDateOf, importRosterAsync, parseRosterCsv, RosterImportError },
        { previewRoster },
      ] = await Promise.all([
        import('../edge-hub/facility/roster.ts'),
        import('../edge-hub/facility/roster-preview.ts'),
      ]);
      const { decodeRosterFile, RosterEncodingError } = await import('../edge-hub/facility/roster-file.ts');
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(file);
      } catch (err) {
        fail(err);
      }
      // UTF-8 (with or without BOM), Shift_JIS as Excel saves it, or an XLSX workbook.
      const decoded = await decodeRosterFile(bytes, file);
      if (!decoded.ok) fail(new RosterEncodingError(decoded.refusal));
      const { text } = decoded;
      const store = await openHubStore(opts.data);
      try {
        const effectiveFrom = effectiveDateOf(store, opts.effective);
        checkMonthsOpen(store, effectiveFrom);
        const preview = previewRoster(store, parseRosterCsv(text), effectiveFrom);
        if (opts.dryRun === true) printJson({ dryRun: true, effectiveFrom, preview });
        else printJson({ ...(await importRosterAsync(store, text, effectiveFrom)), preview });
      } catch (err) {
        if (!(err instanceof RosterImportError)) {
          store.close();
          fail(err);
        }
        // Operators read English; a Japanese terminal also gets the admin app's wording of each problem.
        const { rosterProblemLine } = await import('../protocol/roster-problems.ts');
        const japanese = (process.env['LANG'] ?? '').toLowerCase().startsWith('ja');
        for (const p of err.problems) {
          process.stderr.write(`line ${p.line}: ${p.reason}\n`);
          if (japanese) process.stderr.write(`  ${rosterProblemLine('ja', p)}\n`);
        }
        process.stderr.write('genkan: roster not imported; nothing was changed\n');
        process.exitCode = 1;
      } finally {
        store.close();
      }
    });

  const qr = program.command('qr').description('signed guardian QR codes');
  registerQrRevoke(qr);
  registerQrSheet(qr);
  qr.command('issue <guardian>')
    .description("sign a guardian's QR code with the hub's facility key and write it as a printable image")
    .requiredOption('--data <dir>', "the hub's data directory")
    .option('--days <n>', 'days until the code expires', parseNonNegativeInt, DEFAULT_QR_DAYS)
    .requiredOption('--out <file>', 'image to write: FILE.svg (card with the name) or FILE.png (code only)')
    .action(async (guardianId: string, opts: { data: string; days: number; out: string }) => {
      const ext = extname(opts.out).toLowerCase();
      if (ext !== '.svg' && ext !== '.png') {
        fail(new GenkanError('bad_usage', '--out must name a .svg or .png file'));
      }
      const { issueGuardianQr, renderQrCardSvg, renderQrPng } =
        await import('../edge-hub/facility/qr-card.ts');
      const store = await openHubStore(opts.data);
      try {
        const issued = issueGuardianQr(store, guardianId, { days: opts.days });
        // The payload goes into the image only: it is a bearer credential, and stdout ends up in logs.
        if (ext === '.svg') {
          const date = issued.expiresAt.slice(0, 10);
          writeFileSync(
            opts.out,
            renderQrCardSvg(issued.payload, {
              guardianName: issued.guardianName,
              facilityName: issued.facilityName,
              note: `有効期限 Valid until ${date}`,
            }),
          );
        } else {
          writeFileSync(opts.out, renderQrPng(issued.payload));
          process.stderr.write(
            "genkan: note: the PNG holds the QR code only (there is no font to draw names with); the SVG variant (--out FILE.svg) is a card with the guardian's name\n",
          );
        }
        printJson({ guardianId: issued.guardianId, expires: issued.expiresAt, file: opts.out });
      } catch (err) {
        store.close();
        fail(err);
      } finally {
        store.close();
      }
    });
}
