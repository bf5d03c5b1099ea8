import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser } from 'playwright-core';
import { expect } from 'vitest';
import { newEventId } from '../../common/ids.ts';
import { ROSTER_HEADER } from '../../edge-hub/facility/roster.ts';
import { HUB_DB_FILE } from '../../edge-hub/store/hub-store.ts';
import type { AttendanceEvent } from '../../protocol/index.ts';
import { ParentInviteResultSchema, type ParentInviteResult } from '../../protocol/parents.ts';
import { launchChromium } from './browser.ts';
import { cloudProcess, cloudReady } from './cloud-process.ts';
import { publishAsKiosk } from './kiosk-publish.ts';
import { REACH_MS } from './parent-phone.ts';
import { genkanJson, tempDir, type GenkanProcess, type JsonLine } from './process.ts';
import { provisionSite, startHub, type Site } from './site.ts';
import { until } from './wait.ts';

/**
 * The parent app across real processes: a provisioned site, `genkan cloud` and a hub relaying to it, and
 * Chromium for the phones (parent-phone.ts); the director's invitations with the CLI, and kiosk taps.
 */

/**
 * Two families: 小林 真理 (g001) with two children in two classes (c001 ひよこ組 and c002 りす組), 中村 聡
 * (g002) with one (c003); a card each.
 */
export function twoFamilies(): { csv: string; cards: string[] } {
  const cards = { kobayashi: '0101000000000021', nakamura: '0101000000000022' };
  const rows = [
    ROSTER_HEADER,
    `k1,ひよこ組,c001,小林 一花,こばやし いちか,g001,小林 真理,${cards.kobayashi}`,
    `k2,りす組,c002,小林 二葉,こばやし ふたば,g001,小林 真理,`,
    `k1,ひよこ組,c003,中村 陸,なかむら りく,g002,中村 聡,${cards.nakamura}`,
  ];
  return { csv: `${rows.join('\n')}\n`, cards: [cards.kobayashi, cards.nakamura] };
}

/** The hub's relay took the guardian's current parent-access record (the cloud answered 200). */
export function parentAccessRelayed(hubData: string, guardianId: string): boolean {
  const db = new Database(join(hubData, HUB_DB_FILE), { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare('SELECT version, relayed_version AS relayedVersion FROM parent_access WHERE guardian_id = ?')
      .get(guardianId) as { version: number; relayedVersion: number } | undefined;
    return row !== undefined && row.relayedVersion >= row.version;
  } finally {
    db.close();
  }
}

export interface ParentSiteOptions {
  /** The temporary folder's name prefix. */
  prefix: string;
  kiosks: number;
  roster: { csv: string; cards: string[] };
  /** More command-line options of `genkan cloud`. */
  cloudArgs?: string[];
  /** Runs on the provisioned site before the processes start (staff accounts, say). */
  prepare?: (site: Site) => Promise<void>;
}

export interface ParentSite {
  site: Site;
  /** The hub's data folder. */
  hubData: string;
  cloud: GenkanProcess;
  hub: GenkanProcess;
  browser: Browser;
  cloudPort: number;
  /** The cloud as parents reach it: `localhost`, since WebAuthn takes a domain as its RP ID, never an IP. */
  parentUrl: string;
  /** The hub's ready line (its ports). */
  hubReady: JsonLine;
  mqttPort: number;
  /** The director invites the guardian with the CLI; resolves once the hub relayed it (within REACH_MS). */
  invite(guardianId: string): Promise<ParentInviteResult>;
  /** A card tap at kiosk-1, published as the kiosk does; the hub takes it. */
  tap(type: AttendanceEvent['type'], childId: string, actor: string): Promise<void>;
  /** Prints the tails of both processes' logs (after a failed test). */
  printLogs(): void;
  /** Closes the browser, stops the hub and the cloud, and removes the folder. */
  close(): Promise<void>;
}

/** Provisions a site and starts the cloud, the hub (facility ひまわり保育園) and Chromium. */
export async function startParentSite(options: ParentSiteOptions): Promise<ParentSite> {
  const dir = await tempDir(options.prefix);
  const started: { close(): Promise<void> }[] = [{ close: () => dir.remove() }];
  const stopAll = async (): Promise<void> => {
    for (const s of started.splice(0).reverse()) await s.close();
  };
  try {
    const site = await provisionSite(dir.path, {
      kiosks: options.kiosks,
      children: 0,
      roster: options.roster,
    });
    await options.prepare?.(site);
    const hubData = join(dir.path, 'hub');
    const cloud = cloudProcess('cloud', { dataDir: join(dir.path, 'cloud') }, site.cloudAdminToken, {
      args: options.cloudArgs ?? [],
    });
    started.push({ close: () => cloud.stop() });
    const { ready } = await cloudReady(cloud);
    const cloudPort = Number(ready['http']);
    const parentUrl = `http://localhost:${String(cloudPort)}`;
    const hub = startHub(site, {
      cloudUrl: `http://127.0.0.1:${String(cloudPort)}`,
      facilityName: 'ひまわり保育園',
    });
    started.push({ close: () => hub.stop() });
    const hubReady = await hub.ready();
    const mqttPort = Number(hubReady['mqtt']);
    const browser = await launchChromium();
    started.push({ close: () => browser.close().catch(() => undefined) });
    let seq = 0;
    return {
      site,
      hubData,
      cloud,
      hub,
      browser,
      cloudPort,
      parentUrl,
      hubReady,
      mqttPort,
      invite: async (guardianId) => {
        const answer = ParentInviteResultSchema.parse(
          await genkanJson(['guardian', 'invite', guardianId, '--data', hubData, '--parent-url', parentUrl]),
        );
        await until(
          () => parentAccessRelayed(hubData, guardianId),
          `the invitation of ${guardianId} relayed`,
          {
            timeoutMs: REACH_MS,
            intervalMs: 100,
          },
        );
        return answer;
      },
      tap: async (type, childId, actor) => {
        const event: AttendanceEvent = {
          id: newEventId(),
          type,
          childId,
          occurredAt: new Date().toISOString(),
          deviceId: 'kiosk-1',
          seq: ++seq,
          method: 'card',
          actor,
        };
        expect((await publishAsKiosk(site, mqttPort, 'kiosk-1', [event])).rejected).toEqual([]);
      },
      printLogs: () => {
        console.log('cloud log (tail):', cloud.stderr.slice(-3000));
        console.log('hub log (tail):', hub.stderr.slice(-3000));
      },
      close: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
