import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDF_FONT_CANDIDATES } from '../../common/ledger/font.ts';
import type { Clock } from '../../common/time.ts';
import {
  AdminAuditNamedPageSchema,
  AdminTabletSessionsSchema,
  AdminTodaySchema,
} from '../../protocol/admin-dashboard.ts';
import { addStaff } from '../access/staff-accounts.ts';
import { HubStore } from '../store/hub-store.ts';
import { startAdminRoutesHub, type AdminRoutesHub } from '../../test/support/admin-routes.ts';
import { makeEvent, type TestSite } from '../../test/support/hub.ts';
import { FakeCloud, json } from '../../test/support/fake-cloud.ts';
import { until } from '../../test/support/wait.ts';

/** 10:30 in Tokyo: past the default cut-off (10:00). */
const NOW = Date.parse('2026-04-01T10:30:00.000+09:00');
const clock: Clock = { now: () => new Date(NOW) };
const fontReady =
  PDF_FONT_CANDIDATES.some((p) => existsSync(p)) || process.env['GENKAN_PDF_FONT'] !== undefined;

/**
 * The admin app's people views over HTTP against an in-process hub whose cloud is down: today's numbers
 * (c001 present, c002 left, c003 absent, c004 unaccounted; an open day yesterday; the relay's lag), the
 * tablets in use, names in the audit log, and the QR card sheet as a PDF download, audited without
 * names or codes in the log.
 */
describe('admin people routes', () => {
  let t: AdminRoutesHub;
  let site: TestSite;
  let cloud: FakeCloud;
  let base: string;
  let cookie: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    cloud = new FakeCloud(json(503, { error: { code: 'unavailable', message: 'down' } }));
    const url = await cloud.listen();
    t = await startAdminRoutesHub(logLines, {
      seed: async (store) => {
        await addStaff(store, { id: 's1', name: '保育 花子', pin: '2468', role: 'staff' });
        await addStaff(store, { id: 's2', name: '保育 次郎', pin: '1357', role: 'staff' });
        const at = (hhmm: string, day = '2026-04-01') => `${day}T${hhmm}:00+09:00`;
        store.events.insertEvents(
          [
            makeEvent({ childId: 'c001', occurredAt: at('08:00') }),
            makeEvent({ childId: 'c002', occurredAt: at('08:05'), actor: 'g001' }),
            makeEvent({ childId: 'c002', type: 'check_out', occurredAt: at('09:30'), actor: 'g001' }),
            makeEvent({
              childId: 'c003',
              type: 'absent',
              occurredAt: at('07:30'),
              actor: 's1',
              method: 'staff',
            }),
            // Yesterday: a check-in without a check-out (an open day).
            makeEvent({ childId: 'c001', occurredAt: at('08:00', '2026-03-31') }),
          ],
          // Received 20 minutes ago: the relay's lag.
          new Date(NOW - 20 * 60_000).toISOString(),
        );
        const session = (token: string, staffId: string, deviceId: string, lastSeenMin: number) => {
          store.people.createSession({
            tokenHash: token,
            staffId,
            deviceId,
            createdAt: new Date(NOW - 3 * 60 * 60_000).toISOString(),
            lastSeenAt: new Date(NOW - lastSeenMin * 60_000).toISOString(),
            expiresAt: new Date(NOW + 9 * 60 * 60_000).toISOString(),
          });
        };
        session('t1', 's1', 'tab-1', 3);
        // Idle for two hours: over, even though not pruned yet.
        session('t2', 's2', 'tab-2', 120);
      },
      options: {
        clock,
        cloud: { url, token: 'hub1.secret' },
      },
    });
    ({ site, base, cookie } = t);
  });
  afterAll(async () => {
    await t.close();
    await cloud.close();
  });

  const get = (path: string, headers: Record<string, string> = { cookie }) =>
    fetch(`${base}${path}`, { headers });

  it("answers today's numbers as the tablets count them, the open days and the relay's lag", async () => {
    expect((await get('/api/admin/today', {})).status).toBe(401);
    // The relay has tried (and failed) once the cloud answered.
    await cloud.requests(1);
    const res = await get('/api/admin/today');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(AdminTodaySchema.parse(await res.json())).toEqual({
      date: '2026-04-01',
      now: '2026-04-01T10:30:00.000+09:00',
      counts: { enrolled: 4, present: 1, left: 1, absent: 1, notArrived: 1, unaccounted: 1 },
      openDays: { count: 1, months: ['2026-04', '2026-03'] },
      relay: { configured: true, waiting: 5, lagSeconds: 20 * 60 },
    });
  });

  it('lists the tablets in use: live sessions with the staff name, since and last seen', async () => {
    expect((await get('/api/admin/tablet-sessions', {})).status).toBe(401);
    const body = AdminTabletSessionsSchema.parse(await (await get('/api/admin/tablet-sessions')).json());
    expect(body).toEqual({
      now: '2026-04-01T10:30:00.000+09:00',
      sessions: [
        {
          deviceId: 'tab-1',
          staffId: 's1',
          staffName: '保育 花子',
          since: '2026-04-01T07:30:00.000+09:00',
          lastSeen: '2026-04-01T10:27:00.000+09:00',
        },
      ],
    });
  });

  it.runIf(fontReady)(
    'downloads the QR card sheet as a PDF named after the facility, per class, and audits each card',
    async () => {
      expect((await get('/api/admin/qr-sheet', {})).status).toBe(401);
      const res = await get('/api/admin/qr-sheet');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-disposition')).toBe(
        `attachment; filename="qr-cards.pdf"; filename*=UTF-8''${encodeURIComponent('QRカード_f1.pdf')}`,
      );
      const pdf = Buffer.from(await res.arrayBuffer());
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');

      const k2 = await get('/api/admin/qr-sheet?class=k2&days=30');
      expect(k2.status).toBe(200);
      expect(k2.headers.get('content-disposition')).toBe(
        `attachment; filename="qr-cards-k2.pdf"; filename*=UTF-8''${encodeURIComponent('QRカード_f1_りす組.pdf')}`,
      );
      expect((await get('/api/admin/qr-sheet?class=nope')).status).toBe(404);
      expect((await get('/api/admin/qr-sheet?days=0')).status).toBe(400);
      expect((await get('/api/admin/qr-sheet', { cookie, 'sec-fetch-site': 'cross-site' })).status).toBe(403);

      const store = HubStore.open(site.dir);
      try {
        const sheet = store.audit.all().filter((e) => e.action === 'admin.qr_sheet');
        // All three guardians, then the two of りす組, by their children's kana (あいう before さとう).
        expect(sheet.map((e) => e.subject)).toEqual([
          'guardian:g001',
          'guardian:g003',
          'guardian:g002',
          'guardian:g003',
          'guardian:g002',
        ]);
        expect(sheet[3]).toMatchObject({
          actorKind: 'staff',
          actorId: 'boss',
          outcome: 'ok',
          after: { expiresAt: '2026-05-01T10:30:00.000+09:00' },
        });
      } finally {
        store.close();
      }
      const issued = await until(
        () => logLines.filter((l) => l.includes('QR sheet issued')).length === 2 && logLines,
        'the log lines',
      );
      const lines = issued.filter((l) => l.includes('QR sheet issued'));
      expect(JSON.parse(lines[1] ?? '{}')).toMatchObject({ staffId: 'boss', classId: 'k2', cards: 2 });
      for (const name of ['山田 花子', '佐藤 二', '鈴木 三', 'りす組', '園長 一郎']) {
        expect(logLines.join('\n')).not.toContain(name);
      }
    },
  );

  it('names the actor and the subject next to their ids in the audit log', async () => {
    const store = HubStore.open(site.dir);
    store.audit.append({
      actorKind: 'staff',
      actorId: 's1',
      action: 'tablet.absent',
      subject: 'child:c003',
      deviceId: 'tab-1',
      outcome: 'ok',
      after: { eventId: 'e1' },
    });
    store.audit.append({
      actorKind: 'staff',
      actorId: 'gone',
      action: 'tablet.staff_on_duty',
      subject: 'class:k1',
      outcome: 'ok',
    });
    store.close();
    const page = AdminAuditNamedPageSchema.parse(await (await get('/api/admin/audit?limit=200')).json());
    const [onDuty, absent] = page.entries;
    expect(absent).toMatchObject({
      actorId: 's1',
      actorName: '保育 花子',
      subject: 'child:c003',
      subjectName: '佐藤 一',
    });
    // An account no longer on the hub: the id only.
    expect(onDuty).toMatchObject({ actorId: 'gone', actorName: null, subjectName: 'ひよこ組' });
    expect(page.entries.find((e) => e.action === 'admin.sign_in')).toMatchObject({
      actorId: 'boss',
      actorName: '園長 一郎',
      subject: 'staff:boss',
      subjectName: '園長 一郎',
    });
  });
});
