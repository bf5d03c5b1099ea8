import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../common/time.ts';
import {
  CorrectionResultSchema,
  MonthStateSchema,
  MonthsSchema,
  OpenDaysSchema,
} from '../../protocol/index.ts';
import { addStaff } from '../access/staff-accounts.ts';
import type { RunningHubWithPlain } from '../hub.ts';
import { HubStore } from '../store/hub-store.ts';
import {
  adminSessionCookie,
  makeEvent,
  provision,
  removeDir,
  startTestHub,
  type TestSite,
} from '../../test/support/hub.ts';
import { seedSnapshot } from '../../test/support/records.ts';

const TOKEN = 'test-admin-token';
/** Now: 2026-04-10 12:00 in Tokyo. */
const NOW = '2026-04-10T12:00:00+09:00';
const at = (date: string, hhmm: string) => `${date}T${hhmm}:00+09:00`;

interface Row {
  child_id: string;
  check_in: string | null;
  check_out: string | null;
  extended_minutes: number | null;
  corrected: boolean;
  open: boolean;
  note: string;
}

describe('records HTTP API: corrections, open days, months', () => {
  let site: TestSite;
  let hub: RunningHubWithPlain;
  let base: string;

  beforeAll(async () => {
    site = await provision(1);
    const store = HubStore.open(site.dir);
    seedSnapshot(store);
    await addStaff(store, { id: 'boss', name: '園長 一郎', pin: '246813', role: 'admin' });
    await addStaff(store, { id: 's1', name: '保育 花子', pin: '1357' });
    store.events.insertEvents([
      makeEvent({ childId: 'c001', occurredAt: at('2026-04-03', '08:00') }),
      makeEvent({ childId: 'c003', occurredAt: at('2026-04-03', '08:30') }),
      makeEvent({ childId: 'c001', occurredAt: at('2026-03-20', '08:00') }),
    ]);
    store.close();
    hub = await startTestHub(site, { clock: fixedClock(NOW) });
    base = `http://127.0.0.1:${hub.ports.http}`;
  });
  afterAll(async () => {
    await hub.close();
    await removeDir(site.dir);
  });

  const call = (
    path: string,
    init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) =>
    fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.body !== undefined && { 'content-type': 'application/json' }),
        ...(init.headers ?? { authorization: `Bearer ${TOKEN}` }),
      },
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    });
  const post = (path: string, body: unknown, headers?: Record<string, string>) =>
    call(path, { method: 'POST', body, ...(headers && { headers }) });
  const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;
  const dailyRow = async (date: string, childId: string) => {
    const res = await call(`/api/ledger/daily?date=${date}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { rows: Row[] }).rows.find((r) => r.child_id === childId);
  };
  const openDays = async (month: string, headers?: Record<string, string>) =>
    OpenDaysSchema.parse(await (await call(`/api/open-days?month=${month}`, headers && { headers })).json());
  const withStore = <T>(fn: (store: HubStore) => T): T => {
    const store = HubStore.open(site.dir);
    try {
      return fn(store);
    } finally {
      store.close();
    }
  };
  const correction = { childId: 'c001', date: '2026-04-03', reason: 'お迎え時の打刻漏れ', actor: 's1' };

  it('needs the admin token (or an admin session)', async () => {
    for (const [method, path] of [
      ['POST', '/api/corrections'],
      ['GET', '/api/open-days'],
      ['GET', '/api/months'],
      ['POST', '/api/months/2026-03/close'],
    ] as const) {
      for (const headers of [{}, { authorization: 'Bearer nope' }]) {
        const res = await call(path, { method, headers, ...(method === 'POST' && { body: {} }) });
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(await errorCode(res)).toBe('unauthorized');
      }
    }
  });

  it('corrects a forgotten check-out: the ledger cell, extended minutes, corrected, audit, open days', async () => {
    expect((await openDays('2026-04')).openDays).toEqual([
      { childId: 'c001', date: '2026-04-03', missing: 'check_out' },
      { childId: 'c003', date: '2026-04-03', missing: 'check_out' },
    ]);
    expect(await dailyRow('2026-04-03', 'c001')).toMatchObject({
      check_out: null,
      open: true,
      corrected: false,
    });

    const res = await post('/api/corrections', { ...correction, checkOut: '18:40' });
    expect(res.status).toBe(200);
    const result = CorrectionResultSchema.parse(await res.json());
    expect(result.events).toHaveLength(1);

    expect(await dailyRow('2026-04-03', 'c001')).toMatchObject({
      check_in: '08:00',
      check_out: '18:40',
      // 40 minutes past the standard band's 18:00: over the grace, rounded up to 30-minute steps.
      extended_minutes: 60,
      corrected: true,
      open: false,
      note: 'お迎え時の打刻漏れ',
    });
    expect((await openDays('2026-04')).openDays).toEqual([
      { childId: 'c003', date: '2026-04-03', missing: 'check_out' },
    ]);
    const audit = withStore((s) => s.audit.all().find((a) => a.action === 'ledger.correct'));
    expect(audit).toMatchObject({
      actorKind: 'staff',
      actorId: 's1',
      subject: 'child:c001',
      before: { date: '2026-04-03', checkIn: '08:00', checkOut: null, absent: null },
      after: {
        date: '2026-04-03',
        checkOut: '18:40',
        reason: 'お迎え時の打刻漏れ',
        correctionId: result.correctionId,
        events: result.events,
        via: 'api',
      },
    });
  });

  it('answers 400 with a code', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...correction, checkOut: '18:00', extra: 1 }, 'bad_request'],
      [{ ...correction, reason: undefined, checkOut: '18:00' }, 'bad_request'],
      [{ ...correction, checkOut: '25:00' }, 'bad_request'],
      [{ ...correction, date: '2026-02-30', checkOut: '18:00' }, 'bad_date'],
      [{ ...correction, date: '2026-04-11', checkOut: '18:00' }, 'future_date'],
      [{ ...correction, childId: 'c999', checkOut: '18:00' }, 'unknown_child'],
      [{ ...correction, actor: 'nobody', checkOut: '18:00' }, 'unknown_staff'],
      [{ ...correction, checkOut: '07:00' }, 'check_out_before_check_in'],
      [{ ...correction, date: '2026-04-02', checkOut: '18:00' }, 'check_out_before_check_in'],
      [{ ...correction, checkIn: '08:00', absent: { reason: 'sick' } }, 'absent_and_present'],
      [{ ...correction, checkOut: '18:40' }, 'no_change'],
    ];
    for (const [body, code] of cases) {
      const res = await post('/api/corrections', body);
      expect(res.status, code).toBe(400);
      expect(await errorCode(res)).toBe(code);
    }
    expect((await call('/api/open-days?month=2026-4')).status).toBe(400);
    expect((await call('/api/open-days?month=2026-13')).status).toBe(400);
  });

  it('takes the admin session instead of the token: same origin, the signed-in actor', async () => {
    const cookie = await adminSessionCookie(base, 'boss', '246813');
    const session = { cookie, origin: base };
    const body = { childId: 'c003', date: '2026-04-03', checkOut: '17:00', reason: '連絡帳で確認' };

    expect((await openDays('2026-04', { cookie })).openDays).toHaveLength(1);
    expect(
      MonthsSchema.parse(await (await call('/api/months', { headers: { cookie } })).json()).months,
    ).toHaveLength(2);
    const foreign = await post('/api/corrections', body, { cookie, origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    const other = await post('/api/corrections', { ...body, actor: 's1' }, session);
    expect(other.status).toBe(403);
    expect(await errorCode(other)).toBe('forbidden');
    // A wrong token is refused whatever the cookie.
    expect((await post('/api/corrections', body, { ...session, authorization: 'Bearer nope' })).status).toBe(
      401,
    );

    const res = await post('/api/corrections', body, session);
    expect(res.status).toBe(200);
    const { correctionId } = CorrectionResultSchema.parse(await res.json());
    expect(await dailyRow('2026-04-03', 'c003')).toMatchObject({ check_out: '17:00', corrected: true });
    const audit = withStore((s) =>
      s.audit
        .all()
        .filter((a) => a.action === 'ledger.correct')
        .at(-1),
    );
    expect(audit).toMatchObject({ actorId: 'boss', after: { correctionId, via: 'admin' } });
    expect((await openDays('2026-04')).openDays).toEqual([]);
  });

  it('closes a month that is over, once; then a correction of it is an amendment', async () => {
    expect((await post('/api/months/2026-04/close', { actor: 's1' })).status).toBe(409);
    const notOver = await post('/api/months/2026-05/close', { actor: 's1' });
    expect(await errorCode(notOver)).toBe('month_not_over');
    expect(await errorCode(await post('/api/months/2026-3/close', { actor: 's1' }))).toBe('bad_request');
    expect(await errorCode(await post('/api/months/2026-03/close', { actor: 'nobody' }))).toBe(
      'unknown_staff',
    );
    expect(await errorCode(await post('/api/months/2026-03/close', {}))).toBe('bad_request');

    const closed = await post('/api/months/2026-03/close', { actor: 's1' });
    expect(closed.status).toBe(200);
    expect(MonthStateSchema.parse(await closed.json())).toEqual({
      month: '2026-03',
      state: 'closed',
      closedAt: '2026-04-10T12:00:00.000+09:00',
      closedBy: 's1',
      amendments: 0,
    });
    const again = await post('/api/months/2026-03/close', { actor: 's1' });
    expect(again.status).toBe(409);
    expect(await errorCode(again)).toBe('month_already_closed');

    const body = { ...correction, date: '2026-03-20', checkOut: '17:00', reason: '連絡帳で確認' };
    const refused = await post('/api/corrections', body);
    expect(refused.status).toBe(409);
    expect(await errorCode(refused)).toBe('month_closed');
    const amended = await post('/api/corrections', { ...body, amendment: true });
    expect(amended.status).toBe(200);
    const { correctionId } = CorrectionResultSchema.parse(await amended.json());

    const expected = {
      correctionId,
      date: '2026-03-20',
      childId: 'c001',
      childName: '山田 太郎',
      before: { checkIn: '08:00', checkOut: null, absent: null },
      after: { checkIn: '08:00', checkOut: '17:00', absent: null },
      actor: 's1',
      actorName: '保育 花子',
      reason: '連絡帳で確認',
    };
    expect(withStore((s) => s.corrections.amendments('2026-03-01', '2026-03-31'))).toEqual([
      expect.objectContaining(expected),
    ]);
    const monthly = (await (await call('/api/ledger/monthly?month=2026-03')).json()) as {
      amendments?: unknown;
    };
    expect(monthly.amendments).toEqual([expect.objectContaining(expected)]);

    const months = MonthsSchema.parse(await (await call('/api/months')).json()).months;
    expect(months.map((m) => [m.month, m.state, m.amendments])).toEqual([
      ['2026-03', 'closed', 1],
      ['2026-04', 'open', 0],
    ]);
  });
});
