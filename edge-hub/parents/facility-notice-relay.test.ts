import { describe, expect, it } from 'vitest';
import { FacilityNoticeUploadSchema, type FacilityNoticeUpload } from '../../protocol/facility-notices.ts';
import { acceptAll, json, type Handler } from '../../test/support/fake-cloud.ts';
import { makeEvent, TEST_ROSTER, useTempHubStore } from '../../test/support/hub.ts';
import { useRelayToFakeCloud } from '../../test/support/relay.ts';
import { until } from '../../test/support/wait.ts';
import type { HubStore } from '../store/hub-store.ts';
import { publishFacilityNotice, withdrawFacilityNotice } from './facility-notice-publish.ts';

/**
 * The facility's notices on their way to the cloud (test roster: k1 c001 c002 of g001; k2 c003 of g002,
 * c004 of g003): PUT /v1/hub/facility-notices/ID with the recipients and the version whenever it moved
 * (published, withdrawn, a guardian of the audience given access later), retried after a failure, sent
 * again with the next version when the cloud holds a later one.
 */
describe('facility notice relay', () => {
  let store: HubStore;
  useTempHubStore(
    (opened) => {
      store = opened;
    },
    { roster: TEST_ROSTER },
  );
  const hub = useRelayToFakeCloud();
  const startRelay = (handler: Handler) => hub.start(store, handler);
  const puts = (): { url: string; auth: string | undefined; body: FacilityNoticeUpload }[] =>
    (hub.cloud?.received ?? [])
      .filter((r) => r.method === 'PUT' && r.url.startsWith('/v1/hub/facility-notices/'))
      .map((r) => ({ url: r.url, auth: r.auth, body: FacilityNoticeUploadSchema.parse(r.body) }));
  const relayed = () => store.facilityNotices.unrelayed(10).length === 0;
  const access = (guardianId: string, childIds: string[]) =>
    store.parentAccess.put(guardianId, { name: guardianId, childIds, invitation: null, revoked: false });

  it('uploads each version once, retrying a failure; recipients grow with parent access given later', async () => {
    access('g001', ['c001', 'c002']);
    access('g002', ['c003']);
    const k1 = publishFacilityNotice(
      store,
      { title: '遠足', body: '持ち物', classIds: ['k1'] },
      'boss',
    ).notice;
    const all = publishFacilityNotice(store, { title: '休園日', body: '6月20日' }, 'boss').notice;

    let failed = false;
    await startRelay((req, res, body) => {
      if (!failed && req.url?.startsWith('/v1/hub/facility-notices/') === true) {
        failed = true;
        json(503, { error: { code: 'unavailable', message: 'down' } })(req, res, body);
        return;
      }
      acceptAll(req, res, body);
    });
    await until(relayed, 'both notices relayed');
    // The first PUT failed and went again.
    expect(puts().map((p) => p.url)).toEqual([
      `/v1/hub/facility-notices/${k1.id}`,
      `/v1/hub/facility-notices/${k1.id}`,
      `/v1/hub/facility-notices/${all.id}`,
    ]);
    expect(puts()[0]).toMatchObject({
      auth: 'Bearer hub1.secret',
      body: { version: 1, notice: k1, guardianIds: ['g001'] },
    });
    expect(puts()[2]?.body).toEqual({ version: 1, notice: all, guardianIds: ['g001', 'g002'] });
    expect(hub.relay?.health().lastError).toBeNull();

    // g003 (c004, class k2) gets the parent app: the notice to everyone goes again with them.
    access('g003', ['c004']);
    hub.relay?.notify();
    await until(() => puts().length === 4 && relayed(), 'the grown notice relayed');
    expect(puts()[3]?.body).toMatchObject({
      version: 2,
      notice: { id: all.id },
      guardianIds: ['g001', 'g002', 'g003'],
    });
    expect(store.facilityNotices.get(k1.id)?.version).toBe(1);

    // Withdrawn: the next version says so.
    withdrawFacilityNotice(store, k1.id, 'boss');
    hub.relay?.notify();
    await until(() => puts().length === 5 && relayed(), 'the withdrawal relayed');
    expect(puts()[4]?.body).toMatchObject({ version: 2, notice: { id: k1.id, withdrawn: true } });
  });

  it('sends again with the next version when the cloud holds a later one', async () => {
    access('g001', ['c001', 'c002']);
    const k1 = publishFacilityNotice(
      store,
      { title: '遠足', body: '持ち物', classIds: ['k1'] },
      'boss',
    ).notice;
    let answered = 0;
    await startRelay((req, res, body) => {
      if (req.url?.startsWith('/v1/hub/facility-notices/') === true) {
        answered++;
        json(200, { stored: answered > 1 })(req, res, body);
        return;
      }
      acceptAll(req, res, body);
    });
    await until(() => puts().length === 2 && relayed(), 'the next version taken');
    expect(puts().map((p) => p.body.version)).toEqual([1, 2]);
    expect(store.facilityNotices.get(k1.id)).toMatchObject({ version: 2, relayedVersion: 2 });
  });

  it('sends nothing while no guardian has the parent app', async () => {
    publishFacilityNotice(store, { title: '遠足', body: '持ち物' }, 'boss');
    await startRelay(acceptAll);
    // Idle through an event: the notice waits.
    store.events.insertEvents([makeEvent()]);
    hub.relay?.notify();
    await until(() => store.outbox.relayCursor() === 1, 'the event relayed');
    expect(puts()).toEqual([]);
    expect(store.facilityNotices.list(1)[0]?.recipients).toEqual([]);
  });
});
