import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminAuditPage } from '../../protocol/admin.ts';
import {
  AdminFacilityNoticesSchema,
  FacilityNoticeSchema,
  type AdminFacilityNotices,
  type FacilityNotice,
} from '../../protocol/facility-notices.ts';
import { HubStore } from '../store/hub-store.ts';
import {
  adminAudit,
  errorCode,
  startAdminRoutesHub,
  type AdminRoutesHub,
} from '../../test/support/admin-routes.ts';

/**
 * The admin app's facility notices against an in-process hub (test roster: k1 c001 c002 of g001; k2 c003
 * of g002, c004 of g003): recipients by class among the guardians with parent access (g003 is
 * suspended), who has read and who has not, withdrawing, the refusals, and the audit without the text.
 */
describe('admin facility notice routes', () => {
  let t: AdminRoutesHub;
  let base: string;
  let cookie: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    t = await startAdminRoutesHub(logLines, {
      seed: (store) => {
        const access = (guardianId: string, name: string, childIds: string[], revoked = false) =>
          store.parentAccess.put(guardianId, { name, childIds, invitation: null, revoked });
        access('g001', '山田 花子', ['c001', 'c002']);
        access('g002', '佐藤 二', ['c003']);
        access('g003', '鈴木 三', ['c004'], true);
      },
    });
    ({ base, cookie } = t);
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = { cookie, origin: base }) =>
    fetch(`${base}/api/admin/facility-notices${path}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const publish = async (body: unknown): Promise<FacilityNotice> => {
    const res = await post('', body);
    expect(res.status).toBe(200);
    return FacilityNoticeSchema.parse(await res.json());
  };
  const list = async (): Promise<AdminFacilityNotices> => {
    const res = await fetch(`${base}/api/admin/facility-notices`, { headers: { cookie } });
    expect(res.status).toBe(200);
    return AdminFacilityNoticesSchema.parse(await res.json());
  };
  const withStore = <T>(fn: (store: HubStore) => T): T => {
    const store = HubStore.open(t.site.dir);
    try {
      return fn(store);
    } finally {
      store.close();
    }
  };
  const audit = async (): Promise<AdminAuditPage['entries']> =>
    (await adminAudit(base, cookie)).filter((e) => e.action.startsWith('facility_notice.'));

  let toK2: FacilityNotice;
  let toAll: FacilityNotice;

  it('publishes to a class: its guardians with parent access are the recipients', async () => {
    toK2 = await publish({
      title: ' 遠足のお知らせ ',
      body: 'お弁当と水筒を持たせてください。',
      classIds: ['k2', 'k2'],
    });
    expect(toK2).toMatchObject({ title: '遠足のお知らせ', classIds: ['k2'], withdrawn: false });
    toAll = await publish({ title: '休園日', body: '6月20日は休園です。', classIds: [] });
    expect(toAll.classIds).toBeNull();
    expect(
      withStore((s) => [
        s.facilityNotices.get(toK2.id)?.recipients,
        s.facilityNotices.get(toAll.id)?.recipients,
      ]),
    ).toEqual([['g002'], ['g001', 'g002']]);
  });

  it('lists the notices newest first with who has not read them, then who has', async () => {
    let view = await list();
    expect(view.notices.map((n) => n.notice.id)).toEqual([toAll.id, toK2.id]);
    const k2 = view.notices[1];
    expect(k2).toMatchObject({
      recipients: 1,
      read: [],
      unread: [{ guardianId: 'g002', name: '佐藤 二', children: ['佐藤 一'] }],
      relayed: false,
    });
    expect(view.notices[0]?.unread).toEqual([
      { guardianId: 'g001', name: '山田 花子', children: ['山田 太郎', '山田 次郎'] },
      { guardianId: 'g002', name: '佐藤 二', children: ['佐藤 一'] },
    ]);

    withStore((s) =>
      s.facilityNotices.insertRead({
        noticeId: toAll.id,
        guardianId: 'g001',
        readAt: '2026-06-11T19:30:00+09:00',
      }),
    );
    view = await list();
    expect(view.notices[0]).toMatchObject({
      recipients: 2,
      read: [{ guardianId: 'g001', name: '山田 花子', readAt: '2026-06-11T19:30:00.000+09:00' }],
      unread: [{ guardianId: 'g002' }],
    });
  });

  it('withdraws a notice once, audited', async () => {
    const res = await post(`/${toK2.id}/withdraw`, {});
    expect(res.status).toBe(200);
    expect(FacilityNoticeSchema.parse(await res.json())).toMatchObject({ id: toK2.id, withdrawn: true });
    expect((await post(`/${toK2.id}/withdraw`, {})).status).toBe(200);
    expect(withStore((s) => s.facilityNotices.get(toK2.id)?.version)).toBe(2);
    expect((await list()).notices[1]?.notice.withdrawn).toBe(true);

    const entries = await audit();
    expect(entries.map((e) => [e.action, e.subject, e.actorId])).toEqual([
      ['facility_notice.withdraw', `facility_notice:${toK2.id}`, 'boss'],
      ['facility_notice.publish', `facility_notice:${toAll.id}`, 'boss'],
      ['facility_notice.publish', `facility_notice:${toK2.id}`, 'boss'],
    ]);
    expect(entries[2]?.after).toEqual({ classIds: ['k2'], recipients: 1 });
    // Neither the text nor names reach the audit log or a log line.
    const said = JSON.stringify(entries) + logLines.join('\n');
    for (const text of ['遠足', 'お弁当', '休園', '山田', '佐藤']) expect(said).not.toContain(text);
  });

  it('refuses an unknown class (400), a bad body (400), an unknown notice (404), no session (401)', async () => {
    const unknownClass = await post('', { title: 't', body: 'b', classIds: ['k9'] });
    expect(unknownClass.status).toBe(400);
    expect(await errorCode(unknownClass)).toBe('unknown_class');
    const empty = await post('', { title: ' ', body: 'b' });
    expect(empty.status).toBe(400);
    expect(await errorCode(empty)).toBe('bad_request');
    const unknown = await post('/99999999-9999-4999-8999-999999999999/withdraw', {});
    expect(unknown.status).toBe(404);
    expect(await errorCode(unknown)).toBe('unknown_facility_notice');
    expect((await post('', { title: 't', body: 'b' }, { origin: base })).status).toBe(401);
    expect((await fetch(`${base}/api/admin/facility-notices`)).status).toBe(401);
    expect(
      (await post('', { title: 't', body: 'b' }, { cookie, origin: 'http://evil.example' })).status,
    ).toBe(403);
    expect((await list()).notices).toHaveLength(2);
  });
});
