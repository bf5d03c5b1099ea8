import type { WebBundle } from '../../common/web-bundle.ts';
import type { CloudOptions } from '../../cloud-relay/server.ts';
import type { CloudStore } from '../../cloud-relay/store/types.ts';
import { sampleVersion } from '../contract/cloud-store.ts';
import { sqliteBackend, startTestCloud, type TestCloud } from './cloud.ts';

/** A parent app of no files: the API's tests need none. */
export const NO_PARENT_APP: WebBundle = { files: new Map() };

/** A cloud for the parent API's tests: hub-a of fac-a (organisation city-a) and the tokens. */
export interface ParentTestCloud extends TestCloud {
  /** hub-a's token. */
  hub: string;
  /** city-a's organisation token. */
  org: string;
  /** The SQLite store's folder (for a second cloud process on the same data). */
  dataDir: string;
}

/**
 * A cloud relay in-process on SQLite for the parent API's tests: fac-a of organisation city-a with hub-a
 * and the contract's sample snapshot (sampleVersion: 山田 花子 c-001 in ひよこ組, 佐藤 一郎 c-002 in うさぎ組,
 * 鈴木 次郎 c-003) in effect since 2026-01-01; no rate limits and NO_PARENT_APP unless `options` say
 * otherwise. `prepare` adds more to the store (other hubs) before the cloud starts.
 */
export async function startParentCloud(
  options: Partial<CloudOptions> = {},
  prepare: (store: CloudStore) => Promise<void> = () => Promise.resolve(),
): Promise<ParentTestCloud> {
  const backend = await sqliteBackend();
  const cloud = await startTestCloud(
    backend,
    {
      hubRateLimit: null,
      parentRateLimit: null,
      parentApp: () => Promise.resolve(NO_PARENT_APP),
      ...options,
    },
    async (store) => {
      await store.addOrganisation('city-a', '市A');
      await store.addFacility('fac-a', 'city-a');
      const hub = await store.addHub('hub-a', 'fac-a');
      await store.putSnapshotVersion('fac-a', 'hub-a', sampleVersion(1, '2026-01-01'));
      await prepare(store);
      return { hub, org: await store.issueOrgToken('city-a') };
    },
  );
  return { ...cloud, dataDir: backend.dir };
}
