import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.ts';
import type { Clock } from '../../common/time.ts';
import { AdminRecordsHealthSchema, ImportJobSchema, type ImportJob } from '../../protocol/admin.ts';
import type { AttendanceEvent } from '../../protocol/index.ts';
import { attendanceChart } from './api.ts';
import { ADMIN_IDLE_MS } from './auth.ts';
import { RosterJobs } from '../facility/roster-job.ts';
import { addStaff, setStaffEnabled } from '../access/staff-accounts.ts';
import { HubStore } from '../store/hub-store.ts';
import {
  makeEvent,
  provision,
  removeDir,
  ROSTER_HEADER,
  startAdminTestHub,
  type AdminTestHub,
  type TestSite,
} from '../../test/support/hub.ts';
import { until } from '../../test/support/wait.ts';

let now = Date.parse('2026-04-01T10:00:00+09:00');
const clock: Clock = { now: () => new Date(now) };

describe('admin API', () => {
  let t: AdminTestHub;
  let site: TestSite;
  let base: string;
  let origin: string;
  /** Stored before the hub starts: one the cloud refused, two stamped while a kiosk's clock was in doubt. */
  const stored: AttendanceEvent[] = [];

  beforeAll(async () => {
    t = await startAdminTestHub({
      seed: async (store) => {
        await addStaff(store, { id: 'boss2', name: '副園長', pin: '135799', role: 'admin' });
        await addStaff(store, { id: 's1', name: '保育 花子', pin: '2468', role: 'staff' });
        stored.push(
          makeEvent({ childId: 'c003', occurredAt: '2026-04-01T08:00:00+09:00' }),
          makeEvent({ childId: 'c001', occurredAt: '2026-04-01T08:01:00+09:00', clockDoubt: 'unsynced' }),
          makeEvent({ childId: 'c002', occurredAt: '2026-04-01T08:02:00+09:00', clockDoubt: 'held_back' }),
        );
        store.events.insertEvents(stored, '2026-03-31T23:05:00.000Z');
        const refused = stored[0];
        if (!refused) throw new Error('no event');
        // As the relay records a refusal (this hub has no cloud).
        store.outbox.advanceRelay(1, [
          { id: refused.id, hubSeq: 1, code: 'implausible_time', message: 'too far ahead' },
        ]);
      },
      options: { clock },
    });
    ({ site, base } = t);
    origin = base;
  });
  afterAll(async () => {
    await t.close();
  });

  const signIn = (staffId: string, pin: string, from = origin) =>
    fetch(`${base}/api/admin/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: from },
      body: JSON.stringify({ staffId, pin }),
    });
  const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const get = (path: string, cookie: string) => fetch(`${base}${path}`, { headers: { cookie } });
  const postCsv = (cookie: string, csv: string, dryRun: boolean) =>
    fetch(`${base}/api/admin/roster/imports?dryRun=${String(dryRun)}`, {
      method: 'POST',
      headers: { cookie, origin, 'content-type': 'text/csv' },
      body: csv,
    });
  const waitJob = (cookie: string, jobId: string): Promise<ImportJob> =>
    until(async () => {
      const job = ImportJobSchema.parse(
        await (await get(`/api/admin/roster/imports/${jobId}`, cookie)).json(),
      );
      return (job.state === 'done' || job.state === 'failed') && job;
    }, `import job ${jobId} to finish`);

  it('signs an admin in with a strict HttpOnly cookie, and refuses a staff-role account alike', async () => {
    const res = await signIn('boss', '246813');
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^genkan_admin=[\w-]{43}; Max-Age=28800; Path=\/; HttpOnly; SameSite=Strict$/);
    const me = await get('/api/admin/session', cookieOf(res));
    expect(((await me.json()) as { staff: { id: string } }).staff.id).toBe('boss');

    for (const [id, pin] of [
      ['s1', '2468'],
      ['boss', '9999'],
      ['nobody', '2468'],
    ] as const) {
      const refused = await signIn(id, pin);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toEqual({
        error: { code: 'bad_credentials', message: 'unknown staff id or wrong PIN' },
      });
      expect(refused.headers.get('set-cookie')).toBeNull();
    }
    expect((await get('/api/admin/session', '')).status).toBe(401);
  });

  it('refuses a sign-in or a change from another origin', async () => {
    expect((await signIn('boss', '246813', 'http://evil.example')).status).toBe(403);
    const cookie = cookieOf(await signIn('boss', '246813'));
    const res = await fetch(`${base}/api/admin/settings`, {
      method: 'PATCH',
      headers: { cookie, origin: 'http://127.0.0.1:1', 'content-type': 'application/json' },
      body: JSON.stringify({ closingTime: '18:00' }),
    });
    expect(res.status).toBe(403);
  });

  it('lists the relay health, the events the cloud refused and the clock-doubt events', async () => {
    expect((await get('/api/admin/records-health', '')).status).toBe(401);
    const cookie = cookieOf(await signIn('boss', '246813'));
    const res = await get('/api/admin/records-health', cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = AdminRecordsHealthSchema.parse(await res.json());
    const [refused, unsynced, heldBack] = stored;
    expect(body).toEqual({
      relay: { configured: false },
      warnings: [],
      rejected: {
        total: 1,
        events: [
          {
            id: refused?.id,
            type: 'check_in',
            childId: 'c003',
            childName: '佐藤 一',
            occurredAt: '2026-04-01T08:00:00+09:00',
            deviceId: 'kiosk-1',
            code: 'implausible_time',
            message: 'too far ahead',
            rejectedAt: expect.any(String) as string,
          },
        ],
      },
      clockDoubt: {
        total: 2,
        // newest first
        events: [
          {
            id: heldBack?.id,
            type: 'check_in',
            childId: 'c002',
            childName: '山田 次郎',
            deviceId: 'kiosk-1',
            occurredAt: '2026-04-01T08:02:00+09:00',
            receivedAt: '2026-03-31T23:05:00.000Z',
            clockDoubt: 'held_back',
          },
          expect.objectContaining({ id: unsynced?.id, clockDoubt: 'unsynced', childName: '山田 太郎' }),
        ],
      },
    });
  });

  it('ends a session on sign-out, after 30 idle minutes, and when the account is disabled', async () => {
    const a = cookieOf(await signIn('boss', '246813'));
    const out = await fetch(`${base}/api/admin/session`, {
      method: 'DELETE',
      headers: { cookie: a, origin },
    });
    expect(out.status).toBe(204);
    expect((await get('/api/admin/session', a)).status).toBe(401);

    const b = cookieOf(await signIn('boss', '246813'));
    now += ADMIN_IDLE_MS - 1000;
    expect((await get('/api/admin/session', b)).status).toBe(200);
    now += ADMIN_IDLE_MS + 1000;
    expect((await get('/api/admin/session', b)).status).toBe(401);

    const c = cookieOf(await signIn('boss2', '135799'));
    expect((await get('/api/admin/session', c)).status).toBe(200);
    const store = HubStore.open(site.dir);
    setStaffEnabled(store, 'boss2', false);
    store.close();
    expect((await get('/api/admin/session', c)).status).toBe(401);

    const audit = (await (
      await get('/api/admin/audit?limit=200', cookieOf(await signIn('boss', '246813')))
    ).json()) as {
      entries: { action: string; outcome: string; actorId: string }[];
    };
    const actions = audit.entries.map((e) => `${e.action}:${e.outcome}:${e.actorId}`);
    expect(actions).toContain('admin.sign_in:bad_credentials:s1');
    expect(actions).toContain('admin.sign_out:ok:boss');
  });

  it('lists every problem of a roster file by line, and imports nothing', async () => {
    const cookie = cookieOf(await signIn('boss', '246813'));
    const csv = [
      `${ROSTER_HEADER},care_type`,
      'k1,ひよこ組,c 1,名前,なまえ,g1,保護者,,',
      'k1,ひよこ組,c2,,なまえ,g2,保護者,,',
      'k1,ひよこ組,c3,三郎,さぶろう,g3,保護者,,long',
      'k1,ひよこ組,c4,四郎,しろう,g4,保護者,0A0B0C0D,',
      'k2,りす組,c4,四郎,しろう,g5,保護者,0A0B0C0D,',
    ].join('\n');
    const start = await postCsv(cookie, csv, false);
    expect(start.status).toBe(202);
    const { jobId } = (await start.json()) as { jobId: string };
    const job = await waitJob(cookie, jobId);
    expect(job.state).toBe('failed');
    expect(job.summary).toBeUndefined();
    expect(job.problems.map((p) => p.line)).toEqual([2, 3, 4, 6, 6]);
    expect(job.problems.map((p) => p.reason).join('\n')).toMatch(
      /child_id "c 1".*\n.*child_name is empty.*\n.*care_type.*\n.*class.*\n.*card/s,
    );
    const roster = (await (await get('/api/admin/roster', cookie)).json()) as { children: unknown[] };
    expect(roster.children).toHaveLength(4);
  });

  it('reads a Shift_JIS file sent as bytes, and fails a mojibake one with a Japanese problem', async () => {
    const cookie = cookieOf(await signIn('boss', '246813'));
    const csv = [ROSTER_HEADER, 'k1,ひよこ組,c1,髙橋 ①子,たかはし いちこ,g1,髙橋 親,'].join('\r\n');
    const post = (body: Uint8Array, type: string) =>
      fetch(`${base}/api/admin/roster/imports?dryRun=true`, {
        method: 'POST',
        headers: { cookie, origin, 'content-type': type },
        body,
      });
    const sjis = await post(iconv.encode(csv, 'cp932'), 'application/octet-stream');
    expect(sjis.status).toBe(202);
    const checked = await waitJob(cookie, ((await sjis.json()) as { jobId: string }).jobId);
    expect(checked.state).toBe('done');
    expect(checked.preview?.added.map((c) => c.name)).toContain('髙橋 ①子');

    const garbled = Buffer.from(Buffer.from(iconv.encode(csv, 'cp932')).toString('latin1'), 'utf8');
    const refused = await post(garbled, 'text/csv');
    const failed = await waitJob(cookie, ((await refused.json()) as { jobId: string }).jobId);
    expect(failed.state).toBe('failed');
    expect(failed.problems).toHaveLength(1);
    expect(failed.problems[0]?.reason).toContain('文字が化けています');

    const json = await fetch(`${base}/api/admin/roster/imports?dryRun=true`, {
      method: 'POST',
      headers: { cookie, origin, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(415);
  });

  it('previews a good file, then imports it and the hub serves the new roster', async () => {
    const cookie = cookieOf(await signIn('boss', '246813'));
    const rows = [ROSTER_HEADER];
    for (let i = 1; i <= 600; i++)
      rows.push(`k${String(i % 3)},組${String(i % 3)},n${String(i)},園児,えんじ,h${String(i)},保護者,`);
    const csv = rows.join('\n');
    const dry = await waitJob(
      cookie,
      ((await (await postCsv(cookie, csv, true)).json()) as { jobId: string }).jobId,
    );
    expect(dry).toMatchObject({ state: 'done', processed: 600, total: 600, problems: [] });
    expect(dry.preview).toMatchObject({
      classes: 3,
      children: 600,
      guardians: 600,
      credentials: 0,
      childrenAdded: 600,
      childrenRemoved: 4,
      // Default: the hub's today.
      effectiveFrom: '2026-04-01',
    });
    expect(dry.preview?.leaving.map((c) => c.childId)).toEqual(['c001', 'c002', 'c003', 'c004']);
    const badDate = await fetch(`${base}/api/admin/roster/imports?dryRun=true&effective=2026-02-30`, {
      method: 'POST',
      headers: { cookie, origin, 'content-type': 'text/csv' },
      body: csv,
    });
    expect(badDate.status).toBe(400);
    expect(((await badDate.json()) as { error: { code: string } }).error.code).toBe('bad_effective_date');
    const real = await waitJob(
      cookie,
      ((await (await postCsv(cookie, csv, false)).json()) as { jobId: string }).jobId,
    );
    expect(real.state).toBe('done');
    expect(real.summary?.imported.children).toBe(600);
    const rollcall = (await (
      await fetch(`${base}/api/rollcall`, { headers: { authorization: 'Bearer test-admin-token' } })
    ).json()) as { classes: { children: unknown[] }[] };
    expect(rollcall.classes.reduce((n, c) => n + c.children.length, 0)).toBe(600);
  });

  it('changes settings as the signed-in admin, and names the refused field', async () => {
    const cookie = cookieOf(await signIn('boss', '246813'));
    const patch = (body: unknown) =>
      fetch(`${base}/api/admin/settings`, {
        method: 'PATCH',
        headers: { cookie, origin, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const bad = await patch({ closingTime: '25:00' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^closingTime: /);
    const ok = await patch({ closingTime: '18:30' });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { closingTime: string }).closingTime).toBe('18:30');
    // The kiosks' reversal guard: whole minutes 1–120, named when refused.
    for (const bad of [0, 121, 2.5]) {
      const refused = await patch({ reversalGuardMinutes: bad });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
        /^reversalGuardMinutes: /,
      );
    }
    const guard = await patch({ reversalGuardMinutes: 3 });
    expect(((await guard.json()) as { reversalGuardMinutes: number }).reversalGuardMinutes).toBe(3);
  });

  it('lists devices and issues a pairing QR code', async () => {
    const cookie = cookieOf(await signIn('boss', '246813'));
    const list = (await (await get('/api/admin/devices', cookie)).json()) as {
      devices: { id: string; online: boolean }[];
    };
    expect(list.devices).toEqual([expect.objectContaining({ id: 'kiosk-1', online: false, lastSeen: null })]);
    const res = await fetch(`${base}/api/admin/devices/pairing`, {
      method: 'POST',
      headers: { cookie, origin, 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: 'tab-9', role: 'tablet' }),
    });
    expect(res.status).toBe(200);
    const pairing = (await res.json()) as { qrText: string; svg: string };
    expect(pairing.qrText).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/tablet\/#pair=GKP1\./);
    expect(pairing.svg).toMatch(/^<svg /);
  });
});

describe('roster import jobs', () => {
  it('reports progress chunk by chunk and finds problems across chunks', async () => {
    const site = await provision(0);
    const store = HubStore.open(site.dir);
    try {
      let imported = 0;
      const jobs = new RosterJobs({
        store,
        logger: silentLogger(),
        onImported: () => {
          imported++;
        },
        chunkRows: 5,
      });
      const rows = [ROSTER_HEADER];
      for (let i = 1; i <= 30; i++) rows.push(`k1,組,c${String(i)},園児,えんじ,g${String(i)},保護者,`);
      // Line 32: child c1 again in another class (its first line is in the first chunk).
      rows.push('k2,組2,c1,園児,えんじ,g99,保護者,');
      const seen: number[] = [];
      const { jobId, done } = jobs.start(rows.join('\n'), false, 'boss');
      const watch = setInterval(() => {
        seen.push(jobs.get(jobId)?.processed ?? -1);
      }, 0);
      await done;
      clearInterval(watch);
      const job = jobs.get(jobId);
      expect(job?.state).toBe('failed');
      expect(job?.problems.map((p) => p.line)).toEqual([32]);
      expect(job?.problems[0]?.reason).toContain('child c1 is in class k2');
      expect(job?.total).toBe(31);
      expect(imported).toBe(0);
      expect(store.roster.read().children).toHaveLength(4);

      const good = jobs.start(rows.slice(0, -1).join('\n'), false, 'boss');
      await good.done;
      expect(jobs.get(good.jobId)).toMatchObject({ state: 'done', processed: 30, total: 30 });
      expect(imported).toBe(1);
      expect(store.roster.read().children).toHaveLength(30);
      expect(
        store.audit
          .all()
          .filter((e) => e.action === 'roster.import')
          .map((e) => e.outcome),
      ).toEqual(['roster_invalid', 'ok']);
    } finally {
      store.close();
      await removeDir(site.dir);
    }
  });
});

describe('attendance chart', () => {
  it('counts arrivals per quarter hour and children present, with voids applied', () => {
    const events = [
      makeEvent({ childId: 'c001', occurredAt: '2026-04-01T08:05:00+09:00' }),
      makeEvent({ childId: 'c002', occurredAt: '2026-04-01T08:20:00+09:00' }),
      makeEvent({ childId: 'c002', type: 'check_out', occurredAt: '2026-04-01T09:00:00+09:00' }),
      makeEvent({ childId: 'c003', occurredAt: '2026-04-01T08:06:00+09:00' }),
    ];
    const wrong = events[3];
    if (!wrong) throw new Error('no event');
    events.push(
      makeEvent({ childId: 'c003', type: 'void', voids: wrong.id, occurredAt: '2026-04-01T08:07:00+09:00' }),
    );
    const chart = attendanceChart(events, {
      date: '2026-04-01',
      timeZone: 'Asia/Tokyo',
      expected: 4,
      now: new Date('2026-04-01T10:00:00+09:00'),
    });
    expect(chart.arrivals).toHaveLength(41);
    expect(chart.arrivals[32]).toBe(1);
    expect(chart.arrivals[33]).toBe(1);
    expect(chart.arrivals.reduce((a, b) => a + b, 0)).toBe(2);
    expect(chart.present.slice(31, 37)).toEqual([0, 1, 2, 2, 2, 1]);
    const past = attendanceChart([], {
      date: '2026-03-31',
      timeZone: 'Asia/Tokyo',
      expected: 4,
      now: new Date('2026-04-01T10:00:00+09:00'),
    });
    expect(past.present).toHaveLength(96);
  });
});
