import { beforeEach, describe, expect, it } from 'vitest';
import {
  ParentNoticeReadsSchema,
  ParentSettingsUploadSchema,
  type ParentNoticeReads,
} from '../../protocol/parent-notices.ts';
import { ParentGuardianUploadSchema } from '../../protocol/parents.ts';
import { sqliteBackend, startTestCloud } from '../../test/support/cloud.ts';
import { acceptAll, forwardTo, json, type Handler } from '../../test/support/fake-cloud.ts';
import { makeEvent, ROSTER_HEADER, TEST_ROSTER, useTempHubStore } from '../../test/support/hub.ts';
import { samplePickupPlan } from '../../test/support/hub-pickups.ts';
import { testNotice } from '../../test/support/parent-cloud.ts';
import { useRelayToFakeCloud } from '../../test/support/relay.ts';
import { until } from '../../test/support/wait.ts';
import { importRoster } from '../facility/roster.ts';
import { inviteParent } from '../parents/invite.ts';
import { revokeParent } from '../parents/revoke.ts';
import type { HubStore } from '../store/hub-store.ts';

/**
 * Parents' access on its way to the cloud (issue 17): each guardian's changed content PUT with its
 * version, marked relayed once taken, following roster changes; failures retried with the relay's
 * back-off and reported in its health, never holding up events.
 */

const CLI = { kind: 'cli', id: null } as const;

describe('parent relay', () => {
  let store: HubStore;
  useTempHubStore(
    (opened) => {
      store = opened;
    },
    { roster: TEST_ROSTER },
  );
  const hub = useRelayToFakeCloud();
  const startRelay = (handler: Handler, token = 'hub1.secret') => hub.start(store, handler, { token });
  const parentPuts = () =>
    (hub.cloud?.received ?? [])
      .filter((r) => r.url.startsWith('/v1/hub/parents/'))
      .map((r) => ({ url: r.url, auth: r.auth, body: ParentGuardianUploadSchema.parse(r.body) }));
  const relayed = () => store.parentAccess.unrelayed(10).length === 0;
  const invite = (guardianId: string) =>
    inviteParent(store, guardianId, { parentUrl: 'https://cloud.example', actor: CLI });

  it('uploads each change of a guardian once, with its version, following the roster', async () => {
    invite('g001');
    await startRelay(acceptAll);
    await until(relayed, 'the invitation relayed');
    const [first] = parentPuts();
    expect(first).toMatchObject({
      url: '/v1/hub/parents/g001',
      auth: 'Bearer hub1.secret',
      body: { version: 1, name: '山田 花子', childIds: ['c001', 'c002'], revoked: false },
    });
    expect(first?.body.invitation).toStrictEqual(store.parentAccess.get('g001')?.invitation);

    // Idle through events: nothing is sent again.
    store.events.insertEvents([makeEvent()]);
    hub.relay?.notify();
    await until(() => store.outbox.relayCursor() === 1, 'the event relayed');
    expect(parentPuts()).toHaveLength(1);

    // A roster import (as by another process) moves the guardian's children: version 2 goes.
    importRoster(
      store,
      [ROSTER_HEADER, 'k1,ひよこ組,c001,山田 太郎,やまだ たろう,g001,山田 花子,04A23B4C'].join('\n'),
    );
    await until(() => parentPuts().length === 2 && relayed(), 'the new children relayed');
    expect(parentPuts()[1]?.body).toMatchObject({ version: 2, childIds: ['c001'] });

    // A revocation goes with no invitation.
    revokeParent(store, 'g001', CLI);
    await until(() => parentPuts().length === 3 && relayed(), 'the revocation relayed');
    expect(parentPuts()[2]?.body).toMatchObject({ version: 3, invitation: null, revoked: true });
    expect(store.parentAccess.get('g001')?.relayedVersion).toBe(3);
    expect(hub.relay?.health().lastError).toBeNull();
  });

  it('reaches a real cloud, which keeps the guardian and ends access on revocation', async () => {
    const h = await startTestCloud(await sqliteBackend('genkan-parent-relay-'), {}, async (cloudStore) => ({
      token: await cloudStore.addHub('hub1', 'f1', 'Asia/Tokyo'),
    }));
    try {
      const statuses: number[] = [];
      await startRelay(
        forwardTo(h.base, (call, status) => {
          if (call.startsWith('PUT /v1/hub/parents/')) statuses.push(status);
        }),
        h.token,
      );
      invite('g001');
      hub.relay?.notify();
      await until(relayed, 'the invitation relayed');
      expect(await h.store.parents.getGuardian('f1', 'g001')).toMatchObject({
        version: 1,
        name: '山田 花子',
        childIds: ['c001', 'c002'],
        revoked: false,
      });
      revokeParent(store, 'g001', CLI);
      hub.relay?.notify();
      await until(relayed, 'the revocation relayed');
      expect(await h.store.parents.getGuardian('f1', 'g001')).toMatchObject({ version: 2, revoked: true });
      expect(statuses).toStrictEqual([200, 200]);
    } finally {
      await hub.relay?.close();
      await h.close();
    }
  });

  it('retries a failed upload with back-off, reporting it, while events flow', async () => {
    invite('g002');
    let answer: Handler | undefined = json(503, { error: { code: 'unavailable', message: 'x' } });
    const r = await startRelay((req, res, body) => {
      if (req.url?.startsWith('/v1/hub/parents/') === true && answer !== undefined) answer(req, res, body);
      else acceptAll(req, res, body);
    });
    await until(() => parentPuts().length >= 2, 'a retry');
    expect(r.health().lastError?.reason).toBe('parent g002: HTTP 503 unavailable');
    expect(relayed()).toBe(false);
    // A refusal (a cloud without the route) is retried too, and events are not held up meanwhile.
    answer = json(404, { error: { code: 'not_found', message: 'x' } });
    store.events.insertEvents([makeEvent()]);
    r.notify();
    await until(() => store.outbox.relayCursor() === 1, 'the event relayed');
    await until(() => r.health().lastError?.reason === 'parent g002: HTTP 404 not_found', 'the 404 reported');
    answer = undefined;
    await until(relayed, 'the invitation relayed');
    expect(r.health().lastError).toBeNull();
    expect(new Set(parentPuts().map((p) => p.body.version))).toStrictEqual(new Set([1]));
  });

  it('sends again with a later version when the cloud holds a later one (a restored hub)', async () => {
    invite('g001');
    // The cloud had versions up to 2 from before the backup this hub was restored from.
    await startRelay((req, res, body) => {
      const version = (body as { version?: number }).version ?? 0;
      json(200, { stored: version > 2 })(req, res, body);
    });
    await until(() => relayed() && parentPuts().length === 3, 'the guardian taken');
    expect(parentPuts().map((p) => p.body.version)).toStrictEqual([1, 2, 3]);
    expect(store.parentAccess.get('g001')).toMatchObject({ version: 3, relayedVersion: 3 });
    expect(parentPuts()[2]?.body.invitation).toStrictEqual(store.parentAccess.get('g001')?.invitation);
  });

  it('keeps a revocation the cloud holds from after the backup (a restored hub), instead of undoing it', async () => {
    // The backup had g001 invited (version 1); after it, the lost hub revoked access (version 2 at the
    // cloud). This restored hub then changes g001 (the roster): its version 2 still gives access.
    invite('g001');
    store.parentAccess.markRelayed('g001', 1);
    importRoster(
      store,
      [ROSTER_HEADER, 'k1,ひよこ組,c001,山田 太郎,やまだ たろう,g001,山田 花子,04A23B4C'].join('\n'),
    );
    await startRelay((req, res, body) => {
      const upload = body as { version?: number; revoked?: boolean };
      const version = upload.version ?? 0;
      json(200, version > 2 ? { stored: true } : { stored: false, revoked: true })(req, res, body);
    });
    await until(() => relayed() && parentPuts().length === 2, 'the revocation taken');
    expect(parentPuts().map((p) => [p.body.version, p.body.revoked])).toStrictEqual([
      [2, false],
      [3, true],
    ]);
    expect(parentPuts()[1]?.body.invitation).toBeNull();
    expect(store.parentAccess.get('g001')).toMatchObject({ version: 3, relayedVersion: 3, revoked: true });
    expect(store.audit.all().filter((a) => a.action === 'parent.revoke_adopted')).toMatchObject([
      {
        actorKind: 'api',
        actorId: 'cloud',
        subject: 'guardian:g001',
        before: { version: 2 },
        after: { version: 3 },
      },
    ]);
  });

  it('against a real cloud: a restored hub’s older version neither undoes the revocation nor revives the invitation', async () => {
    const h = await startTestCloud(await sqliteBackend('genkan-parent-revoked-'), {}, async (cloudStore) => ({
      token: await cloudStore.addHub('hub1', 'f1', 'Asia/Tokyo'),
    }));
    try {
      // What the lost hub relayed after the backup: the revocation, version 2.
      const invited = store.parentAccess.put('g001', {
        name: '山田 花子',
        childIds: ['c001', 'c002'],
        invitation: { tokenHash: 'a'.repeat(64), expires: '2099-01-01T00:00:00+09:00' },
        revoked: false,
      });
      await h.store.parents.putGuardian('f1', 'hub1', 'g001', {
        version: invited + 1,
        name: '山田 花子',
        childIds: ['c001', 'c002'],
        invitation: null,
        revoked: true,
      });
      // The restored hub knows only version 1 (invited), unrelayed as far as it knows.
      await startRelay(
        forwardTo(h.base, () => undefined),
        h.token,
      );
      await until(relayed, 'the guardian settled');
      // Version 1 not taken (the cloud's is a revocation): revoked here as version 2, which the cloud holds
      // already, so sent again as 3.
      expect(store.parentAccess.get('g001')).toMatchObject({ version: 3, revoked: true, invitation: null });
      expect(await h.store.parents.getGuardian('f1', 'g001')).toMatchObject({ version: 3, revoked: true });
      expect(await h.store.parents.guardianByInvitation('a'.repeat(64), new Date())).toBeUndefined();
    } finally {
      await hub.relay?.close();
      await h.close();
    }
  });

  it('sends nothing for guardians never invited', async () => {
    await startRelay(acceptAll);
    store.events.insertEvents([makeEvent()]);
    hub.relay?.notify();
    await until(() => store.outbox.relayCursor() === 1, 'the event relayed');
    await until(() => store.history.unrelayed(1).length === 0, 'the history relayed');
    expect(parentPuts()).toStrictEqual([]);
    // Nor the cut-offs: no notice can come before some guardian has the parent app.
    expect(hub.cloud?.calls().filter((c) => c.includes('parent-settings'))).toStrictEqual([]);
  });

  describe("staff's confirmations and the cut-offs", () => {
    const N1 = '11111111-1111-4111-8111-111111111111';
    const N2 = '22222222-2222-4222-8222-222222222222';
    let readsAnswer: Handler | undefined;
    const handler: Handler = (req, res, body) => {
      if (req.url === '/v1/hub/parent-notices/read') {
        (readsAnswer ?? json(200, { stored: (body as unknown as ParentNoticeReads).reads.length }))(
          req,
          res,
          body,
        );
      } else acceptAll(req, res, body);
    };
    const readPosts = () =>
      (hub.cloud?.received ?? [])
        .filter((r) => r.url === '/v1/hub/parent-notices/read')
        .map((r) => ParentNoticeReadsSchema.parse(r.body));
    const settingsPuts = () =>
      (hub.cloud?.received ?? [])
        .filter((r) => r.url === '/v1/hub/parent-settings')
        .map((r) => ParentSettingsUploadSchema.parse(r.body));
    const settled = () => {
      const upload = store.parentNotices.settingsUpload();
      return store.parentNotices.unrelayedReads(10).length === 0 && upload.relayedVersion === upload.version;
    };

    beforeEach(() => {
      readsAnswer = undefined;
      invite('g001');
      store.parentNotices.insert(testNotice({ id: N1 }));
      store.parentNotices.insert(testNotice({ id: N2, childIds: ['c002'] }));
      store.settings.setClassSettings('k1', { cutoff: '09:30', maxChildrenPerStaff: null });
    });

    it('relays each confirmation once, and the cut-offs whenever they change, versioned', async () => {
      store.parentNotices.markRead(N1, 's1');
      await startRelay(handler);
      await until(settled, 'the confirmation and the cut-offs relayed');
      expect(readPosts()).toStrictEqual([
        { reads: [{ id: N1, readAt: store.parentNotices.get(N1)?.notice.readAt }] },
      ]);
      expect(settingsPuts()).toStrictEqual([
        { version: 1, defaultCutoff: '10:00', classCutoffs: { k1: '09:30' } },
      ]);

      store.parentNotices.markRead(N2, 's2');
      hub.relay?.notify();
      await until(() => settled() && readPosts().length === 2, 'the second confirmation relayed');
      expect(readPosts()[1]?.reads.map((r) => r.id)).toStrictEqual([N2]);

      store.settings.setFacilitySettings({ ...store.settings.facilitySettings(), defaultCutoff: '09:00' });
      hub.relay?.notify();
      await until(() => settled() && settingsPuts().length === 2, 'the new cut-offs relayed');
      expect(settingsPuts()[1]).toStrictEqual({
        version: 2,
        defaultCutoff: '09:00',
        classCutoffs: { k1: '09:30' },
      });
      expect(hub.relay?.health().lastError).toBeNull();
    });

    it('retries confirmations the cloud did not take, reporting it, without holding up the rest', async () => {
      readsAnswer = json(404, { error: { code: 'not_found', message: 'x' } });
      store.parentNotices.markRead(N1, 's1');
      const r = await startRelay(handler);
      await until(() => readPosts().length >= 2, 'a retry');
      expect(r.health().lastError?.reason).toBe('notice reads: HTTP 404 not_found');
      // The cut-offs went meanwhile.
      await until(() => settingsPuts().length === 1, 'the cut-offs relayed');
      readsAnswer = undefined;
      await until(settled, 'the confirmation relayed');
      expect(r.health().lastError).toBeNull();
    });

    it('sends a confirmed pickup plan with the notices’ confirmations, once, and marks it relayed', async () => {
      const PLAN = '33333333-3333-4333-8333-333333333333';
      store.pickups.insertPlan(samplePickupPlan({ id: PLAN }));
      store.parentNotices.markRead(N1, 's1');
      const plan = store.pickups.markPlanRead(PLAN, 's1')?.record;
      await startRelay(handler);
      await until(
        () => settled() && store.pickups.unrelayedPlanReads(10).length === 0,
        'both confirmations relayed',
      );
      // One read for the plan, whatever the number of its children.
      expect(readPosts()).toStrictEqual([
        {
          reads: [
            { id: N1, readAt: store.parentNotices.get(N1)?.notice.readAt },
            { id: PLAN, readAt: plan?.readAt },
          ],
        },
      ]);
      // Idle through events: nothing is sent again.
      store.events.insertEvents([makeEvent()]);
      hub.relay?.notify();
      await until(() => store.outbox.relayCursor() === 1, 'the event relayed');
      expect(readPosts()).toHaveLength(1);
    });
  });
});
