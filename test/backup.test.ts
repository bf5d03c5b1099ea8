import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESTORE_MARK_FILE } from '../edge-hub/backup/restore-mark.ts';
import { HubStore } from '../edge-hub/store/hub-store.ts';
import { signGuardianQr } from '../protocol/index.ts';
import { cardInputs, okEventIds, tapAllOk, tapLines } from './support/kiosk-page.ts';
import { eventually, runGenkan, tempDir, type GenkanProcess } from './support/process.ts';
import {
  cloudEvents,
  hubEvents,
  provisionSite,
  startCloud,
  startHub,
  startKiosk,
  testDates,
  type Site,
} from './support/site.ts';

const PASSPHRASE = 'nursery backup passphrase 2024';
/** The files under `dir`, as sorted relative paths. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

const KIOSK_ARGS = ['--debounce-ms', '0', '--reversal-guard-ms', '0'];

/**
 * Issue 15 point 6 across real processes: a hub with a cloud and a kiosk is backed up while it runs and
 * taps keep coming, then lost; the backup is restored into a new folder and started on the same ports.
 * The same kiosk (same data dir, same password) logs in, its card and a QR code issued before the backup
 * work, and the cloud ends with every event exactly once. What the restored hub itself holds is also
 * checked: every event, those the lost hub acknowledged after the backup included (its catch-up from the
 * cloud and the kiosk's resend; test/restore-catchup.test.ts shows each on its own).
 */
describe('hub backup and restore', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  const procs: GenkanProcess[] = [];
  const startedAt = new Date();

  beforeAll(async () => {
    dir = await tempDir();
    site = await provisionSite(dir.path, { kiosks: 1, children: 4 });
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await dir.remove();
  });

  it('a restored backup serves the same kiosk, cards and QR codes; the cloud has every event once', async () => {
    const cloud = startCloud(site);
    procs.push(cloud);
    const cloudPort = Number((await cloud.ready())['http']);
    const cloudUrl = `http://127.0.0.1:${cloudPort}`;
    const hubDir = join(site.dir, 'hub');
    let hub = startHub(site, { cloudUrl });
    procs.push(hub);
    const hubReady = await hub.ready();
    const mqttPort = Number(hubReady['mqtt']);
    const httpPort = Number(hubReady['http']);

    // A guardian QR code signed before the backup, with the hub's key, as `genkan qr issue` signs.
    const store = HubStore.open(hubDir);
    const qr = signGuardianQr(store.facility.qrSigningKey(), {
      facilityId: site.facilityId,
      guardianId: 'g002',
      expires: Math.floor(Date.now() / 1000) + 3600,
    });
    store.close();

    const kiosks: GenkanProcess[] = [];
    const startTheKiosk = async () => {
      const k = startKiosk(site, 0, mqttPort, KIOSK_ARGS);
      procs.push(k);
      kiosks.push(k);
      await k.ready();
      return k;
    };
    let kiosk = await startTheKiosk();
    const tap = (inputs: string[]): Promise<string[]> => tapAllOk(kiosk, inputs, 30_000);
    const cards = (n: number, from = 0) => cardInputs(site, n, from);
    // Asked anew at each use: the run may cross midnight in Tokyo after this line.
    const dates = () => testDates(startedAt);
    const idsAt = async (port: number) => new Set((await hubEvents(site, port, dates())).map((e) => e.id));

    // Before the backup: these are in it for sure.
    const beforeBackup = await tap(cards(6));
    await eventually(
      async () => ((await idsAt(httpPort)).size === beforeBackup.length ? true : undefined),
      20_000,
      'the hub to store the first taps',
    );

    // The backup runs while taps keep coming (passphrase from the environment).
    const file = join(dir.path, 'hub.gkbk');
    const [made, during] = await Promise.all([
      runGenkan(['hub', 'backup', '--data', hubDir, '--out', file], { GENKAN_BACKUP_PASSPHRASE: PASSPHRASE }),
      tap(cards(8, 2)),
    ]);
    expect(made.code, made.stderr).toBe(0);
    const summary = JSON.parse(made.stdout) as {
      backup: string;
      bytes: number;
      facility: string;
      files: number;
    };
    expect(summary).toMatchObject({ backup: file, facility: site.facilityId });
    // The database and every other file of the data dir (the TLS keys, when the hub made them).
    const dataFiles = (await filesUnder(hubDir)).filter((f) => !/^hub\.sqlite-(wal|shm)$/.test(f));
    expect(summary.files).toBe(dataFiles.length);
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    // After the backup the lost hub acknowledges more taps and relays them to the cloud.
    const afterBackup = await tap(cards(4, 1));
    const acknowledgedByLostHub = [...beforeBackup, ...during, ...afterBackup];
    await eventually(
      async () => {
        const ids = new Set((await cloudEvents(site, cloudPort, dates())).map((e) => e.id));
        return acknowledgedByLostHub.every((id) => ids.has(id)) ? true : undefined;
      },
      30_000,
      'the cloud to hold every event the lost hub took',
    );

    // The failure: the hub is gone. The kiosk keeps taking taps into its outbox, then is stopped too.
    await hub.stop('SIGKILL');
    const whileDown = await tap(cards(3, 3));
    await kiosk.stop('SIGTERM');

    // Restore into a new folder: a wrong passphrase is refused and leaves nothing; the right one (on stdin).
    const restoredSite: Site = { ...site, dir: join(dir.path, 'new-site') };
    const newHubDir = join(restoredSite.dir, 'hub');
    const wrong = await runGenkan(['hub', 'restore', file, '--data', newHubDir], {}, 'not the passphrase!\n');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('bad_backup');
    expect(existsSync(newHubDir)).toBe(false);
    const restored = await runGenkan(['hub', 'restore', file, '--data', newHubDir], {}, `${PASSPHRASE}\n`);
    expect(restored.code, restored.stderr).toBe(0);
    expect(JSON.parse(restored.stdout)).toEqual({
      restored: true,
      data: newHubDir,
      facility: site.facilityId,
    });
    // The same files, and the mark that tells the hub it was restored (edge-hub/backup/restore-mark.ts).
    expect(await filesUnder(newHubDir)).toEqual([...dataFiles, RESTORE_MARK_FILE].sort());
    const again = await runGenkan(['hub', 'restore', file, '--data', newHubDir], {}, `${PASSPHRASE}\n`);
    expect(again.stderr).toContain('data_not_empty');

    // The restored hub on the same ports; the same kiosk logs in with its password and resends its outbox.
    hub = startHub(restoredSite, { cloudUrl, mqtt: mqttPort, http: httpPort });
    procs.push(hub);
    await hub.ready();
    kiosk = await startTheKiosk();
    await eventually(
      async () => {
        const ids = await idsAt(httpPort);
        return whileDown.every((id) => ids.has(id)) ? true : undefined;
      },
      30_000,
      "the kiosk's unacknowledged taps to reach the restored hub",
    );
    // The same card (credential key) and the QR code signed before the backup (QR signing key).
    const afterRestore = await tap([...cards(1, 3), `qr:${qr}`]);

    // What the lost hub took after the backup's snapshot comes back too: from the cloud (the restored
    // hub's catch-up) and from the kiosk (its resend of what it holds since the backup).
    const mustHold = [...beforeBackup, ...during, ...afterBackup, ...whileDown, ...afterRestore];
    const restoredIds = await eventually(
      async () => {
        const ids = await idsAt(httpPort);
        return mustHold.every((id) => ids.has(id)) ? ids : undefined;
      },
      30_000,
      'the restored hub to hold every event, those of after the backup included',
    );
    expect([...restoredIds].sort()).toEqual([...mustHold].sort());

    // The cloud: every event exactly once, including those made after the backup.
    const all = [...acknowledgedByLostHub, ...whileDown, ...afterRestore];
    const cloudList = await eventually(
      async () => {
        const events = await cloudEvents(site, cloudPort, dates());
        const ids = new Set(events.map((e) => e.id));
        return all.every((id) => ids.has(id)) ? events : undefined;
      },
      30_000,
      'the cloud to hold every event',
    );
    const cloudIds = cloudList.map((e) => e.id);
    expect(new Set(cloudIds).size).toBe(cloudIds.length);
    expect(cloudIds.sort()).toEqual([...all].sort());
    expect(okEventIds(kiosks.flatMap(tapLines)).sort()).toEqual([...all].sort());
  });
});
