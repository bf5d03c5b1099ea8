import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RollcallSchema, TabletPushSchema, type TabletRollcall } from '../../protocol/index.ts';
import { TabletParentNoticeSchema } from '../../protocol/parent-notices.ts';
import { movableClock } from '../../test/support/clock.ts';
import type { ParentMessagesCloud } from '../../test/support/parent-cloud.ts';
import { testNotice } from '../../test/support/parent-cloud.ts';
import { startParentTestHub, type ParentTestHub } from '../../test/support/parent-hub.ts';
import { until } from '../../test/support/wait.ts';
import { addDevice } from '../access/devices.ts';
import { issuePairingCode } from '../access/pairing.ts';
import type { RunningHubWithPlain } from '../hub.ts';
import type { HubStore } from '../store/hub-store.ts';

/**
 * Parents' notices on a running hub with a stand-in cloud: fetched, shown on the tablets at once (the
 * absent child off the unaccounted list, the late one until the time given), in the roll-call of later
 * days, confirmed (確認) by staff once and relayed back to the cloud.
 */

const ABSENCE = 'a1111111-1111-4111-8111-111111111111';
const LATE = 'b2222222-2222-4222-8222-222222222222';

describe("parents' notices at the hub", () => {
  let t: ParentTestHub;
  let hub: RunningHubWithPlain;
  let store: HubStore;
  let cloud: ParentMessagesCloud;
  let base: string;
  let cookies: string[];
  let socket: WebSocket | undefined;
  const frames: TabletRollcall[] = [];
  // After the default cut-off (10:00): a child not here and not accounted for is flagged.
  const clock = movableClock('2026-04-01T10:30:00+09:00');

  const req = (method: string, path: string, opts: { cookies?: string[]; admin?: boolean } = {}) =>
    fetch(`${base}${path}`, {
      method,
      headers: {
        origin: base,
        ...(opts.cookies && { cookie: opts.cookies.join('; ') }),
        ...(opts.admin === true && { authorization: 'Bearer test-admin-token' }),
      },
    });
  const tabletView = () => t.tabletRollcall();
  const childOf = (r: TabletRollcall, id: string) =>
    r.classes.flatMap((c) => c.children).find((c) => c.id === id);
  const unaccounted = (r: TabletRollcall) =>
    r.attention.filter((a) => a.why === 'unaccounted').map((a) => a.childId);

  beforeAll(async () => {
    t = await startParentTestHub({ clock });
    ({ hub, store, cloud, base, cookies } = t);
    socket = await new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${String(hub.ports.http)}/tablet/ws`, {
        headers: { cookie: cookies.join('; '), origin: base },
      });
      ws.on('message', (data: Buffer) => {
        const frame = TabletPushSchema.parse(JSON.parse(data.toString('utf8')));
        if (frame.type === 'rollcall') frames.push(frame.rollcall);
      });
      ws.once('open', () => {
        resolve(ws);
      });
      ws.once('error', reject);
    });
  });
  afterAll(async () => {
    socket?.terminate();
    await t.close();
  });

  it('shows a new absence and lateness on the tablets at once, and the absence on later days', async () => {
    await until(() => frames.length > 0, 'the first frame');
    const before = frames.at(-1);
    expect(before?.parentNotices).toEqual([]);
    expect(unaccounted(before as TabletRollcall)).toEqual(expect.arrayContaining(['c001', 'c002', 'c003']));

    const sent = Date.now();
    cloud.post(
      testNotice({
        id: ABSENCE,
        childIds: ['c001'],
        date: '2026-04-01',
        until: '2026-04-02',
        symptoms: ['fever'],
        temperature: 38.2,
        sentAt: '2026-04-01T07:10:00.000+09:00',
      }),
    );
    cloud.post(
      testNotice({
        id: LATE,
        kind: 'late',
        guardianId: 'g002',
        childIds: ['c003'],
        reason: 'family',
        arriveAt: '11:00',
        sentAt: '2026-04-01T07:20:00.000+09:00',
      }),
    );
    const shown = await until(
      () => frames.find((f) => f.parentNotices.length === 2 && childOf(f, 'c001')?.status === 'absent'),
      'a frame with both notices',
    );
    expect(Date.now() - sent).toBeLessThan(5000);
    expect(childOf(shown, 'c001')).toMatchObject({
      status: 'absent',
      absence: { reason: 'sick', note: 'fever; 38.2℃' },
      parentNotice: { id: ABSENCE, kind: 'absence', reason: 'sick', status: 'sent' },
      unaccounted: false,
    });
    expect(childOf(shown, 'c003')).toMatchObject({
      status: 'not_arrived',
      parentNotice: { id: LATE, kind: 'late', reason: 'family', arriveAt: '11:00', status: 'sent' },
      unaccounted: false,
    });
    expect(childOf(shown, 'c002')).toMatchObject({ parentNotice: null, unaccounted: true });
    expect(unaccounted(shown)).not.toContain('c001');
    expect(unaccounted(shown)).not.toContain('c003');
    expect(shown.parentNotices.map((n) => TabletParentNoticeSchema.parse(n))).toMatchObject([
      {
        notice: { id: ABSENCE, status: 'sent', readAt: null },
        guardianName: '山田 花子',
        children: [{ id: 'c001', name: '山田 太郎', classId: 'k1' }],
        readBy: null,
      },
      {
        notice: { id: LATE },
        guardianName: '佐藤 二',
        children: [{ id: 'c003', name: '佐藤 一', classId: 'k2' }],
        readBy: null,
      },
    ]);

    // Past the time the parent gave, the late child is unaccounted again.
    clock.set('2026-04-01T11:01:00+09:00');
    const later = await tabletView();
    expect(childOf(later, 'c003')).toMatchObject({ unaccounted: true, parentNotice: { id: LATE } });
    expect(unaccounted(later)).toContain('c003');

    // The roll-call of tomorrow shows the absence (its event), the lateness nothing.
    const tomorrow = RollcallSchema.parse(
      await (await req('GET', '/api/rollcall?date=2026-04-02', { admin: true })).json(),
    );
    const kids = tomorrow.classes.flatMap((c) => c.children);
    expect(kids.find((c) => c.id === 'c001')?.status).toBe('absent');
    expect(kids.find((c) => c.id === 'c003')?.status).toBe('not_arrived');
    // The absences were relayed to the cloud with the other events.
    await until(
      () =>
        cloud.cloud.received
          .filter((r) => r.url === '/v1/batches')
          .flatMap((r) => r.body.events)
          .filter((e) => e.method === 'parent').length === 2,
      'the parent absences relayed',
    );
  });

  it('confirms a notice once, shows it on the tablets, and relays it to the cloud', async () => {
    const answer = await req('POST', `/api/tablet/notices/${LATE}/read`, { cookies });
    expect(answer.status).toBe(200);
    const confirmed = TabletParentNoticeSchema.parse(await answer.json());
    expect(confirmed).toMatchObject({ readBy: '保育 一郎', notice: { id: LATE, status: 'read' } });
    expect(confirmed.notice.readAt).toMatch(/^2026-04-01T11:01:00\.000\+09:00$/);

    const pushed = await until(
      () => frames.find((f) => f.parentNotices.some((n) => n.notice.status === 'read')),
      'a frame with the confirmation',
    );
    // Unconfirmed first.
    expect(pushed.parentNotices.map((n) => [n.notice.id, n.readBy])).toEqual([
      [ABSENCE, null],
      [LATE, '保育 一郎'],
    ]);
    expect(childOf(pushed, 'c003')?.parentNotice?.status).toBe('read');
    await until(() => cloud.reads.length === 1, 'the confirmation relayed');
    expect(cloud.reads[0]).toEqual([{ id: LATE, readAt: confirmed.notice.readAt }]);

    // Again, later: the same answer; audited once; relayed once.
    clock.set('2026-04-01T11:05:00+09:00');
    const again = await req('POST', `/api/tablet/notices/${LATE}/read`, { cookies });
    expect(TabletParentNoticeSchema.parse(await again.json())).toEqual(confirmed);
    expect(store.audit.all().filter((a) => a.action === 'tablet.notice_read')).toMatchObject([
      {
        actorKind: 'staff',
        actorId: 's1',
        deviceId: 'tab-1',
        subject: 'guardian:g002',
        after: { noticeId: LATE },
      },
    ]);
    expect(store.parentNotices.get(LATE)?.readRelayed).toBe(true);
    expect(cloud.reads).toHaveLength(1);
  });

  it('answers 404 for an unknown notice and 401 without a session', async () => {
    for (const id of ['c3333333-3333-4333-8333-333333333333', 'not-a-uuid']) {
      const res = await req('POST', `/api/tablet/notices/${id}/read`, { cookies });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'unknown_notice' } });
    }
    const anonymous = await req('POST', `/api/tablet/notices/${ABSENCE}/read`);
    expect(anonymous.status).toBe(401);
    expect(store.parentNotices.get(ABSENCE)?.notice.status).toBe('sent');
  });

  it('keeps the device id of parent absences for the hub', async () => {
    await expect(addDevice(store, 'parent-app', 'kiosk')).rejects.toMatchObject({ code: 'bad_device_id' });
    await expect(
      issuePairingCode(store, 'parent-app', { hubUrl: base, role: 'tablet', clock }),
    ).rejects.toMatchObject({ code: 'bad_device_id' });
  });
});
