import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRestoreMark } from '../edge-hub/backup/restore-mark.ts';
import { HubStore } from '../edge-hub/store/hub-store.ts';
import { HubSnapshotsPageSchema } from '../protocol/index.ts';
import { eventually, genkanJson, runGenkan, tempDir, type GenkanProcess } from './support/process.ts';
import { cardInputs, okEventIds, tapAllOk, tapLines } from './support/kiosk-page.ts';
import {
  cloudEvents,
  hubEvents,
  provisionSite,
  simpleRoster,
  startCloud,
  startHub,
  startKiosk,
  testDates,
  type Site,
} from './support/site.ts';

const PASSPHRASE = 'nursery backup passphrase 2024';
const KIOSK_ARGS = ['--debounce-ms', '0', '--reversal-guard-ms', '0'];

/**
 * Issue 15 point 6, follow-up: a restored hub loses nothing that came after its backup. Taps the lost hub
 * acknowledged and relayed after the backup come back from the cloud (and the kiosk); a roster import it
 * relayed after the backup comes back as the same snapshot version, so the restored hub's next import is
 * numbered above it and relays without a conflict; taps the lost hub acknowledged but never relayed come
 * back from the kiosk's resend. The cloud ends with every event exactly once, and the restored hub with
 * the same events as the cloud.
 */
describe('restored hub catches up', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  const procs: GenkanProcess[] = [];
  const startedAt = new Date();

  beforeAll(async () => {
    dir = await tempDir();
    site = await provisionSite(dir.path, { kiosks: 1, children: 6 });
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await dir.remove();
  });

  it('gets back the events and roster versions of after the backup, exactly once at the cloud', async () => {
    const cloud = startCloud(site);
    procs.push(cloud);
    const cloudUrl = `http://127.0.0.1:${String((await cloud.ready())['http'])}`;
    const cloudPort = Number(new URL(cloudUrl).port);
    const hubDir = join(site.dir, 'hub');
    let hub = startHub(site, { cloudUrl });
    procs.push(hub);
    const ready = await hub.ready();
    const mqttPort = Number(ready['mqtt']);
    const httpPort = Number(ready['http']);

    const kiosks: GenkanProcess[] = [];
    const kiosk = startKiosk(site, 0, mqttPort, KIOSK_ARGS);
    procs.push(kiosk);
    kiosks.push(kiosk);
    await kiosk.ready();
    const ackedIds = () =>
      new Set(kiosk.lines.filter((l) => l['type'] === 'acked').flatMap((l) => l['ids'] as string[]));
    const tap = (from: number, n: number): Promise<string[]> =>
      tapAllOk(kiosk, cardInputs(site, n, from), 30_000);
    const acked = (ids: string[], what: string) =>
      eventually(
        () => Promise.resolve(ids.every((id) => ackedIds().has(id)) ? true : undefined),
        30_000,
        what,
      );
    // Asked anew at each use: the run may cross midnight in Tokyo after this line.
    const dates = () => testDates(startedAt);
    const cloudIds = async () => (await cloudEvents(site, cloudPort, dates())).map((e) => e.id);
    const cloudHas = (ids: string[], what: string) =>
      eventually(
        async () => {
          const held = new Set(await cloudIds());
          return ids.every((id) => held.has(id)) ? true : undefined;
        },
        30_000,
        what,
      );
    /** The cloud's snapshot versions, as the hub's token reads them (GET /v1/hub/snapshots). */
    const cloudVersions = async (): Promise<number[]> => {
      const res = await fetch(`${cloudUrl}/v1/hub/snapshots?after=0`, {
        headers: { authorization: `Bearer ${site.hubToken}` },
        signal: AbortSignal.timeout(10_000),
      });
      expect(res.status).toBe(200);
      return HubSnapshotsPageSchema.parse(await res.json()).versions.map((v) => v.version);
    };
    const importRoster = async (children: number) => {
      const file = join(dir.path, `roster-${String(children)}.csv`);
      await writeFile(file, simpleRoster(children).csv);
      const { dir: siteDir } = site;
      await genkanJson(['roster', 'import', file, '--data', join(siteDir, 'hub')]);
    };

    // Before the backup, relayed.
    const beforeBackup = await tap(0, 3);
    await cloudHas(beforeBackup, 'the first taps at the cloud');
    const versionsAtBackup = await eventually(
      async () => {
        const v = await cloudVersions();
        return v.length > 0 ? v : undefined;
      },
      30_000,
      'the roster at the cloud',
    );
    const file = join(dir.path, 'hub.gkbk');
    const made = await runGenkan(['hub', 'backup', '--data', hubDir, '--out', file], {
      GENKAN_BACKUP_PASSPHRASE: PASSPHRASE,
    });
    expect(made.code, made.stderr).toBe(0);

    // After the backup: taps acknowledged and relayed, and a roster import that reaches the cloud.
    const relayedAfter = await tap(3, 3);
    await cloudHas(relayedAfter, 'the taps after the backup at the cloud');
    await importRoster(7);
    const importedVersion = Math.max(...versionsAtBackup) + 1;
    await eventually(
      async () => ((await cloudVersions()).includes(importedVersion) ? true : undefined),
      30_000,
      'the import of after the backup at the cloud',
    );

    // The hub, without its cloud now, acknowledges taps it never relays; then it is lost.
    await hub.stop('SIGKILL');
    hub = startHub(site, { mqtt: mqttPort, http: httpPort });
    procs.push(hub);
    await hub.ready();
    const neverRelayed = await tap(1, 2);
    await acked(neverRelayed, 'acks of the taps the lost hub never relayed');
    await hub.stop('SIGKILL');

    // Restored into a new folder, started with the cloud on the same ports; the kiosk reconnects.
    const restoredSite: Site = { ...site, dir: join(dir.path, 'new-site') };
    const newHubDir = join(restoredSite.dir, 'hub');
    const restored = await runGenkan(['hub', 'restore', file, '--data', newHubDir], {}, `${PASSPHRASE}\n`);
    expect(restored.code, restored.stderr).toBe(0);
    expect(readRestoreMark(newHubDir)).toMatchObject({ caughtUpAt: null, resync: { clearedAt: null } });
    hub = startHub(restoredSite, { cloudUrl, mqtt: mqttPort, http: httpPort });
    procs.push(hub);
    await hub.ready();

    // The version imported after the backup is back, as relayed; the catch-up is recorded.
    await eventually(
      () => {
        const store = HubStore.open(newHubDir);
        try {
          const v = store.history.versions().find((x) => x.version === importedVersion);
          return Promise.resolve(v?.relayedAt != null ? true : undefined);
        } finally {
          store.close();
        }
      },
      30_000,
      'the restored hub to hold the version imported after the backup',
    );
    await eventually(
      () => Promise.resolve(readRestoreMark(newHubDir)?.caughtUpAt != null ? true : undefined),
      30_000,
      'the catch-up to be recorded',
    );

    // Every event: the backup's, those relayed after it (from the cloud), those never relayed (the kiosk's
    // resend). The restored hub and the cloud hold the same ones, each once.
    const all = [...beforeBackup, ...relayedAfter, ...neverRelayed];
    const restoredHubIds = await eventually(
      async () => {
        const ids = (await hubEvents(restoredSite, httpPort, dates())).map((e) => e.id);
        const fromCloud = await cloudIds();
        const held = new Set(ids);
        return all.every((id) => held.has(id)) && fromCloud.length === ids.length ? ids : undefined;
      },
      30_000,
      'the restored hub and the cloud to hold every event',
    );
    const atCloud = await cloudIds();
    expect(new Set(atCloud).size).toBe(atCloud.length);
    expect(new Set(restoredHubIds).size).toBe(restoredHubIds.length);
    expect([...atCloud].sort()).toEqual([...all].sort());
    expect([...restoredHubIds].sort()).toEqual([...all].sort());

    // The kiosk served the resync; the request is withdrawn.
    await eventually(
      () => Promise.resolve(readRestoreMark(newHubDir)?.resync.clearedAt != null ? true : undefined),
      30_000,
      'the resync request to be served and withdrawn',
    );
    expect(readRestoreMark(newHubDir)?.resync.served).toEqual([site.devices[0]?.deviceId]);

    // A roster import after the restore is numbered above the cloud's and relays without a conflict.
    const restoredSiteImport = async () => {
      const csv = join(dir.path, 'roster-8.csv');
      await writeFile(csv, simpleRoster(8).csv);
      await genkanJson(['roster', 'import', csv, '--data', newHubDir]);
    };
    await restoredSiteImport();
    await eventually(
      async () => ((await cloudVersions()).includes(importedVersion + 1) ? true : undefined),
      30_000,
      'the import after the restore at the cloud',
    );
    const health = (await (
      await fetch(`http://127.0.0.1:${String(httpPort)}/healthz`, { signal: AbortSignal.timeout(10_000) })
    ).json()) as { relay?: { lastError?: unknown; catchingUp?: boolean } };
    expect(health.relay?.catchingUp).toBeUndefined();

    // A tap after all this: exactly once at the cloud too.
    const afterRestore = await tap(0, 1);
    await cloudHas(afterRestore, 'the tap after the restore at the cloud');
    const final = await cloudIds();
    expect(new Set(final).size).toBe(final.length);
    expect([...final].sort()).toEqual([...all, ...afterRestore].sort());
    expect(okEventIds(kiosks.flatMap(tapLines)).sort()).toEqual([...all, ...afterRestore].sort());
  });
});
