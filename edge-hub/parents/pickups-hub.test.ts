import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodePairingPayload,
  TabletRollcallSchema,
  topics,
  type TabletRollcall,
} from '../../protocol/index.ts';
import { KioskPickupsSchema, type KioskPickups, type ParentPickup } from '../../protocol/parent-pickups.ts';
import { movableClock } from '../../test/support/clock.ts';
import {
  connect,
  provision,
  removeDir,
  startTestHub,
  waitForMessage,
  type TestSite,
} from '../../test/support/hub.ts';
import { ParentMessagesCloud } from '../../test/support/parent-cloud.ts';
import { until } from '../../test/support/wait.ts';
import { issuePairingCode } from '../access/pairing.ts';
import { addStaff } from '../access/staff-accounts.ts';
import type { RunningHubWithPlain } from '../hub.ts';
import { HubStore } from '../store/hub-store.ts';

/**
 * Parents' pickup plans on a running hub with a stand-in cloud: fetched and stored once per child (audited
 * without names), the latest of the day on the tablet's row (someone else flagged, the photo of a person
 * the admin added from the tablet's photo route), and the kiosks' retained plans of the day on MQTT.
 */

const PLAN1 = 'a1111111-1111-4111-8111-111111111111';
const PLAN2 = 'b2222222-2222-4222-8222-222222222222';
const PIN = '2468';
const PHOTO = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 9, 9, 9]);

const plan = (over: Partial<ParentPickup>): ParentPickup => ({
  id: PLAN1,
  guardianId: 'g001',
  childIds: ['c001', 'c002'],
  date: '2026-04-01',
  time: '17:30',
  person: { id: 'g001', kind: 'guardian', name: '山田 花子', relation: '' },
  sentAt: '2026-04-01T08:00:00.000+09:00',
  status: 'sent',
  readAt: null,
  ...over,
});

describe('pickup plans at the hub', () => {
  let site: TestSite;
  let hub: RunningHubWithPlain;
  let store: HubStore;
  let cloud: ParentMessagesCloud;
  let base: string;
  let cookies: string[];
  let kiosk: MqttClient;
  let personId: string;
  const clock = movableClock('2026-04-01T10:30:00+09:00');

  const tabletView = async (): Promise<TabletRollcall> =>
    TabletRollcallSchema.parse(
      await (
        await fetch(`${base}/api/tablet/rollcall`, { headers: { cookie: cookies.join('; '), origin: base } })
      ).json(),
    );
  const childOf = (r: TabletRollcall, id: string) =>
    r.classes.flatMap((c) => c.children).find((c) => c.id === id);

  beforeAll(async () => {
    site = await provision(1);
    const setup = HubStore.open(site.dir);
    await addStaff(setup, { id: 's1', name: '保育 一郎', pin: PIN });
    personId = setup.pickups.addPerson({
      childId: 'c001',
      name: '山田 梅子',
      relation: '祖母',
      photo: { data: PHOTO, type: 'image/jpeg' },
    }).id;
    setup.close();
    cloud = new ParentMessagesCloud();
    hub = await startTestHub(site, {
      clock,
      cloud: { url: await cloud.listen(), token: 'hub1.secret' },
      tuning: {
        rosterPollMs: 50,
        rollcallThrottleMs: 20,
        tabletPush: { coalesceMs: 20, sessionCheckMs: 30 },
        relay: { baseDelayMs: 5, maxDelayMs: 20, configErrorDelayMs: 20, pollIntervalMs: 1000 },
        parentMessages: { waitS: 2, minIntervalMs: 20 },
      },
    });
    store = HubStore.open(site.dir);
    base = `http://127.0.0.1:${hub.ports.http}`;

    const issued = await issuePairingCode(store, 'tab-1', { hubUrl: base, role: 'tablet', clock });
    const code = decodePairingPayload(issued.payload)?.code;
    const device = await fetch(`${base}/api/tablet/device`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: 'tab-1', code }),
    });
    const deviceCookie = (device.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const session = await fetch(`${base}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: deviceCookie },
      body: JSON.stringify({ staffId: 's1', pin: PIN }),
    });
    cookies = [deviceCookie, (session.headers.get('set-cookie') ?? '').split(';')[0] ?? ''];
    const [device1] = site.devices;
    if (device1 === undefined) throw new Error('no kiosk');
    kiosk = await connect(hub.ports.mqtt, device1);
  });
  afterAll(async () => {
    await kiosk.endAsync();
    store.close();
    await hub.close();
    await cloud.close();
    await removeDir(site.dir);
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
        id: 'c3333333-3333-4333-8333-333333333333',
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

  it('publishes the new day without the plans of the day before', async () => {
    const nextDay = waitForMessage<KioskPickups>(kiosk, topics.pickups('f1'), (m) => m.date === '2026-04-02');
    clock.set('2026-04-02T07:00:00+09:00');
    expect((await nextDay).plans).toEqual([]);
  });
});
