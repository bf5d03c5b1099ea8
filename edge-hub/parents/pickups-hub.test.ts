import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics, type TabletRollcall } from '../../protocol/index.ts';
import {
  KioskPickupsSchema,
  TabletPickupPlanSchema,
  type KioskPickups,
  type ParentPickup,
} from '../../protocol/parent-pickups.ts';
import { movableClock } from '../../test/support/clock.ts';
import { connect, waitForMessage, type TestSite } from '../../test/support/hub.ts';
import { samplePickupPlan } from '../../test/support/hub-pickups.ts';
import type { ParentMessagesCloud } from '../../test/support/parent-cloud.ts';
import { startParentTestHub, type ParentTestHub } from '../../test/support/parent-hub.ts';
import { until } from '../../test/support/wait.ts';
import type { RunningHubWithPlain } from '../hub.ts';
import type { HubStore } from '../store/hub-store.ts';

/**
 * Parents' pickup plans on a running hub with a stand-in cloud: fetched and stored once per child (audited
 * without names), the latest of the day on the tablet's row (someone else flagged, the photo of a person
 * the admin added from the tablet's photo route), staff's 確認 of a plan (once, audited, relayed to the
 * cloud), and the kiosks' retained plans of the day on MQTT.
 */

const PLAN1 = 'a1111111-1111-4111-8111-111111111111';
const PLAN2 = 'b2222222-2222-4222-8222-222222222222';
const PLAN3 = 'c3333333-3333-4333-8333-333333333333';
const PHOTO = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 9, 9, 9]);

const plan = (over: Partial<ParentPickup>): ParentPickup => samplePickupPlan({ id: PLAN1, ...over });

describe('pickup plans at the hub', () => {
  let t: ParentTestHub;
  let site: TestSite;
  let hub: RunningHubWithPlain;
  let store: HubStore;
  let cloud: ParentMessagesCloud;
  let base: string;
  let cookies: string[];
  let kiosk: MqttClient;
  let personId: string;
  const clock = movableClock('2026-04-01T10:30:00+09:00');

  const tabletView = (): Promise<TabletRollcall> => t.tabletRollcall();
  const childOf = (r: TabletRollcall, id: string) =>
    r.classes.flatMap((c) => c.children).find((c) => c.id === id);

  beforeAll(async () => {
    t = await startParentTestHub({
      clock,
      seed: (setup) => {
        personId = setup.pickups.addPerson({
          childId: 'c001',
          name: '山田 梅子',
          relation: '祖母',
          photo: { data: PHOTO, type: 'image/jpeg' },
        }).id;
      },
    });
    ({ site, hub, store, cloud, base, cookies } = t);
    const [device1] = site.devices;
    if (device1 === undefined) throw new Error('no kiosk');
    kiosk = await connect(hub.ports.mqtt, device1);
  });
  afterAll(async () => {
    await kiosk.endAsync();
    await t.close();
  });

  it('publishes an empty day to the kiosks at start; a kiosk may subscribe', async () => {
    const first = waitForMessage<KioskPickups>(kiosk, topics.pickups('f1'));
    const granted = await kiosk.subscribeAsync(topics.pickups('f1'));
    expect(granted[0]?.qos).not.toBe(128);
    expect(KioskPickupsSchema.parse(await first)).toEqual({ date: '2026-04-01', plans: [] });
  });

  it('stores a plan once per child, shows it on the tablet and the kiosks; a later one replaces it', async () => {
    const kioskNext = waitForMessage<KioskPickups>(kiosk, topics.pickups('f1'), (m) => m.plans.length === 2);
    cloud.postPickup(plan({}));
    await until(
      async () => childOf(await tabletView(), 'c001')?.pickupPlan !== null,
      'the plan on the tablet',
    );
    const view = await tabletView();
    expect(childOf(view, 'c001')?.pickupPlan).toEqual({
      id: PLAN1,
      time: '17:30',
      personId: 'g001',
      personName: '山田 花子',
      relation: '',
      someoneElse: false,
      hasPhoto: false,
      guardianName: '山田 花子',
      status: 'sent',
    });
    expect(childOf(view, 'c003')?.pickupPlan).toBeNull();
    expect(KioskPickupsSchema.parse(await kioskNext).plans).toEqual([
      { childId: 'c001', time: '17:30', personName: '山田 花子', relation: '', someoneElse: false },
      { childId: 'c002', time: '17:30', personName: '山田 花子', relation: '', someoneElse: false },
    ]);

    // The grandmother for c001 (with her photo), then someone else for c002, each later.
    const kioskLast = waitForMessage<KioskPickups>(kiosk, topics.pickups('f1'), (m) =>
      m.plans.some((p) => p.someoneElse),
    );
    cloud.postPickup(
      plan({
        id: PLAN2,
        childIds: ['c001'],
        time: '16:00',
        person: { id: personId, kind: 'person', name: '山田 梅子', relation: '祖母' },
        sentAt: '2026-04-01T09:00:00.000+09:00',
      }),
    );
    cloud.postPickup(
      plan({
        id: PLAN3,
        childIds: ['c002'],
        time: '18:00',
        person: { id: null, kind: 'other', name: '鈴木 一郎', relation: 'おじ' },
        note: '車で迎えに行きます',
        sentAt: '2026-04-01T09:30:00.000+09:00',
      }),
    );
    expect((await kioskLast).plans).toEqual([
      { childId: 'c001', time: '16:00', personName: '山田 梅子', relation: '祖母', someoneElse: false },
      { childId: 'c002', time: '18:00', personName: '鈴木 一郎', relation: 'おじ', someoneElse: true },
    ]);
    const after = await tabletView();
    expect(childOf(after, 'c001')?.pickupPlan).toMatchObject({ id: PLAN2, hasPhoto: true, personId });
    expect(childOf(after, 'c002')?.pickupPlan).toMatchObject({
      someoneElse: true,
      hasPhoto: false,
      note: '車で迎えに行きます',
      guardianName: '山田 花子',
    });

    // The photo for staff, with a session only.
    const photo = await fetch(`${base}/api/tablet/pickup-people/${personId}/photo`, {
      headers: { cookie: cookies.join('; ') },
    });
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await photo.arrayBuffer())).toEqual(PHOTO);
    const signedOut = await fetch(`${base}/api/tablet/pickup-people/${personId}/photo`);
    expect(signedOut.status).toBe(401);

    // Stored once per child, audited without names.
    const rows = store.db
      .prepare<[], { action: string; after_json: string }>(
        "SELECT action, after_json FROM audit_log WHERE action = 'parent.pickup_received'",
      )
      .all();
    expect(rows).toHaveLength(3);
    for (const r of rows) expect(r.after_json).not.toMatch(/山田|鈴木/);
    expect(store.db.prepare('SELECT count(*) AS n FROM pickup_plans').get()).toEqual({ n: 4 });
  });

  it('confirms a plan once (audited), shows it read on the tablet, and relays it to the cloud', async () => {
    const confirm = (id: string, withSession = true) =>
      fetch(`${base}/api/tablet/pickups/${id}/read`, {
        method: 'POST',
        headers: { origin: base, ...(withSession && { cookie: cookies.join('; ') }) },
      });
    const answer = await confirm(PLAN3);
    expect(answer.status).toBe(200);
    const confirmed = TabletPickupPlanSchema.parse(await answer.json());
    expect(confirmed).toMatchObject({
      id: PLAN3,
      someoneElse: true,
      status: 'read',
      readBy: '保育 一郎',
      readAt: '2026-04-01T10:30:00.000+09:00',
    });
    expect(childOf(await tabletView(), 'c002')?.pickupPlan).toEqual(confirmed);
    expect(childOf(await tabletView(), 'c001')?.pickupPlan?.status).toBe('sent');
    await until(() => cloud.reads.length === 1, 'the confirmation relayed');
    expect(cloud.reads[0]).toEqual([{ id: PLAN3, readAt: confirmed.readAt }]);
    await until(() => store.pickups.unrelayedPlanReads(10).length === 0, 'marked relayed');

    // Again, later: the same answer; audited once (ids only); relayed once.
    clock.set('2026-04-01T10:35:00+09:00');
    const again = await confirm(PLAN3);
    expect(TabletPickupPlanSchema.parse(await again.json())).toEqual(confirmed);
    const audited = store.audit.all().filter((a) => a.action === 'tablet.pickup_read');
    expect(audited).toMatchObject([
      {
        actorKind: 'staff',
        actorId: 's1',
        deviceId: 'tab-1',
        subject: 'guardian:g001',
        after: { planId: PLAN3, readAt: confirmed.readAt },
      },
    ]);
    expect(JSON.stringify(audited)).not.toMatch(/鈴木/);
    expect(cloud.reads).toHaveLength(1);

    // 404 for a plan the hub does not hold, 400 for an id that is not one, 401 without a session.
    const unknown = await confirm('d4444444-4444-4444-8444-444444444444');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'unknown_pickup' } });
    const malformed = await confirm('not-a-uuid');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: 'bad_request' } });
    expect((await confirm(PLAN2, false)).status).toBe(401);
    expect(store.pickups.latestPlansOn('2026-04-01').get('c001')?.status).toBe('sent');
  });

  it('publishes the new day without the plans of the day before', async () => {
    const nextDay = waitForMessage<KioskPickups>(kiosk, topics.pickups('f1'), (m) => m.date === '2026-04-02');
    clock.set('2026-04-02T07:00:00+09:00');
    expect((await nextDay).plans).toEqual([]);
  });
});
