import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatRfc3339 } from '../../common/time.ts';
import type { SnapshotVersion } from '../../protocol/index.ts';
import { applySnapshotChange, namePatchOf, snapshotOf } from '../facility/history.ts';
import { amendmentOf, type CorrectionRecord } from '../store/corrections.ts';
import { HubStore } from '../store/hub-store.ts';
import { sqliteBackend, startTestCloud, type TestCloud } from '../../test/support/cloud.ts';
import {
  acceptAll,
  dropConnection,
  FakeCloud,
  forwardTo,
  json,
  type Handler,
} from '../../test/support/fake-cloud.ts';
import { makeEvent, removeDir, tempDir } from '../../test/support/hub.ts';
import { startTestRelay } from '../../test/support/relay.ts';
import { until } from '../../test/support/wait.ts';
import type { Relay } from './relay.ts';

/**
 * The hub's dated history on its way to the cloud (issue 13): snapshot versions in version order, then
 * amendments, each marked relayed once taken, when no events wait; failures retried and reported in the
 * relay's health; an old cloud sent the snapshot in effect today instead.
 */

const TZ = 'Asia/Tokyo';

/** A correction of a closed month's day (an amendment), made `minutesAgo` before now. */
function amendment(store: HubStore, date: string, minutesAgo: number): CorrectionRecord {
  const record: CorrectionRecord = {
    id: randomUUID(),
    childId: 'c001',
    date,
    createdAt: formatRfc3339(new Date(Date.now() - minutesAgo * 60_000), TZ),
    actor: 'staff-1',
    actorName: '園長',
    childName: '山田 花子',
    reason: 'お迎えの記録漏れ',
    before: { checkIn: '08:00', checkOut: null, absent: null },
    after: { checkIn: '08:00', checkOut: '17:30', absent: null },
    eventIds: [],
    amendment: true,
  };
  store.corrections.insert(record);
  return record;
}

/** The hub's versions as the wire carries them. */
function wireVersions(store: HubStore): SnapshotVersion[] {
  return store.history.versions().map((v) => ({
    version: v.version,
    effectiveFrom: v.effectiveFrom,
    snapshot: snapshotOf(v.content, 'f1', TZ),
  }));
}

const pending = (store: HubStore) =>
  store.history.unrelayed(100).length + store.corrections.unrelayedAmendments(100).length;

describe('history relay', () => {
  let dir: string;
  let store: HubStore;
  let relay: Relay | undefined;
  let cloud: FakeCloud | undefined;

  const startRelay = (
    url: string,
    token = 'hub1.secret',
    extra: Partial<ConstructorParameters<typeof Relay>[0]> = {},
  ) => {
    relay = startTestRelay(store, url, { token, timeZone: TZ, ...extra });
    return relay;
  };

  beforeEach(async () => {
    dir = await tempDir();
    store = HubStore.open(dir, { timeZone: TZ });
  });
  afterEach(async () => {
    await relay?.close();
    relay = undefined;
    await cloud?.close();
    cloud = undefined;
    store.close();
    await removeDir(dir);
  });

  describe('to a real cloud', () => {
    let h: TestCloud & { token: string };
    beforeEach(async () => {
      h = await startTestCloud(await sqliteBackend('genkan-history-relay-'), {}, async (cloudStore) => ({
        token: await cloudStore.addHub('hub1', 'f1', TZ),
      }));
    });
    afterEach(async () => {
      await relay?.close();
      await h.close();
    });

    it('delivers versions, then amendments, in order and exactly once, also through an outage', async () => {
      // The seeded version 1, a rename from May (version 2), two amendments of April.
      applySnapshotChange(store, '2026-05-01', namePatchOf('さくら保育園'));
      const older = amendment(store, '2026-04-10', 20);
      const newer = amendment(store, '2026-04-03', 10);
      let down = true;
      const taken: string[] = [];
      const forward = forwardTo(h.base, (call, status) => {
        if (status === 200) taken.push(call);
      });
      cloud = new FakeCloud((req, res, body) => {
        if (down) dropConnection(req, res, body);
        else forward(req, res, body);
      });
      const r = startRelay(await cloud.listen(), h.token);

      // Down: nothing is marked relayed, and the health says why.
      await cloud.requests(3);
      expect(r.health().lastError?.reason).toMatch(/^snapshot v1: network /);
      expect(pending(store)).toBe(4);

      down = false;
      await until(() => pending(store) === 0, 'the history relayed');
      expect(taken).toStrictEqual([
        'PUT /v1/snapshots/1',
        'PUT /v1/snapshots/2',
        `PUT /v1/amendments/${older.id}`,
        `PUT /v1/amendments/${newer.id}`,
      ]);
      expect(r.health().lastError).toBeNull();
      expect(await h.store.ledgerVersions('f1', '2026-04-01', '2026-05-31')).toStrictEqual(
        wireVersions(store),
      );
      expect(await h.store.amendments('f1', '2026-04-01', '2026-04-30')).toStrictEqual(
        [older, newer].map(amendmentOf),
      );

      // Idle through more events: nothing is sent again; a new version goes, alone.
      store.events.insertEvents([makeEvent()]);
      r.notify();
      await until(() => taken.includes('POST /v1/batches'), 'the batch at the cloud');
      applySnapshotChange(store, '2026-06-01', namePatchOf('すみれ保育園'));
      await until(() => pending(store) === 0, 'version 3 relayed');
      expect(taken.filter((c) => c.startsWith('PUT'))).toStrictEqual([
        'PUT /v1/snapshots/1',
        'PUT /v1/snapshots/2',
        `PUT /v1/amendments/${older.id}`,
        `PUT /v1/amendments/${newer.id}`,
        'PUT /v1/snapshots/3',
      ]);
    });
  });

  it('retries a refused version after the delay, reporting it in the health, without holding up events', async () => {
    const refused: Handler = json(409, { error: { code: 'snapshot_version_conflict', message: 'x' } });
    let refuse = true;
    cloud = new FakeCloud((req, res, body) => {
      if (refuse && req.url === '/v1/snapshots/1') refused(req, res, body);
      else acceptAll(req, res, body);
    });
    const r = startRelay(await cloud.listen());
    await until(() => cloud?.calls().filter((c) => c === 'PUT /v1/snapshots/1').length === 2, 'a retry');
    expect(r.health().lastError?.reason).toBe('snapshot v1: HTTP 409 snapshot_version_conflict');
    expect(store.history.unrelayed(10).map((v) => v.version)).toStrictEqual([1]);
    // Events flow meanwhile.
    store.events.insertEvents([makeEvent()]);
    r.notify();
    await until(() => store.outbox.relayCursor() === 1, 'the event relayed');
    refuse = false;
    await until(() => store.history.unrelayed(10).length === 0, 'the version taken');
    expect(r.health().lastError).toBeNull();
  });

  it('sends an old cloud (404 for /v1/snapshots) the snapshot in effect today, once per change', async () => {
    cloud = new FakeCloud((req, res, body) => {
      if (req.url?.startsWith('/v1/snapshots/') === true || req.url?.startsWith('/v1/amendments/') === true) {
        json(404, { error: { code: 'not_found', message: `no route PUT ${req.url}` } })(req, res, body);
      } else acceptAll(req, res, body);
    });
    // Scheduled far ahead: not today's snapshot.
    applySnapshotChange(store, '2999-01-01', namePatchOf('未来保育園'));
    amendment(store, '2026-04-10', 5);
    const r = startRelay(await cloud.listen());
    const legacyPuts = () => cloud?.received.filter((c) => c.url === '/v1/snapshot') ?? [];
    await until(() => legacyPuts().length === 1, 'the snapshot of today');
    const today = store.history.versions().find((v) => v.version === 1);
    expect(legacyPuts()[0]?.body).toStrictEqual(today && snapshotOf(today.content, 'f1', TZ));
    // Idle steps (one after each batch) send nothing more while it holds, and the versions stay to be
    // relayed to a newer cloud.
    for (const cursor of [1, 2, 3]) {
      store.events.insertEvents([makeEvent()]);
      r.notify();
      await until(() => store.outbox.relayCursor() === cursor, 'the event relayed');
    }
    expect(legacyPuts()).toHaveLength(1);
    expect(cloud.calls().filter((c) => c.startsWith('PUT /v1/snapshots/'))).toStrictEqual([
      'PUT /v1/snapshots/1',
    ]);
    expect(pending(store)).toBe(3);
    expect(r.health().lastError).toBeNull();
    // A change in effect today is sent.
    applySnapshotChange(store, store.history.today(), namePatchOf('今日から保育園'));
    await until(() => legacyPuts().length === 2, 'the changed snapshot');
    expect(legacyPuts()[1]?.body).toMatchObject({ facilityName: '今日から保育園' });
  });
});
