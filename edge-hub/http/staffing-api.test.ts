import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../common/time.ts';
import { decodePairingPayload, TabletRollcallSchema, type TabletRollcall } from '../../protocol/index.ts';
import { DailyStaffingReportSchema, type DailyStaffingReport } from '../../protocol/staffing.ts';
import { issuePairingCode } from '../access/pairing.ts';
import { addStaff } from '../access/staff-accounts.ts';
import { HubStore } from '../store/hub-store.ts';
import {
  directorCookie,
  ROSTER_HEADER,
  startAdminTestHub,
  type AdminTestHub,
  type TestSite,
} from '../../test/support/hub.ts';

/** A clock the test moves by hand. */
function manualClock(start: string): Clock & { set(iso: string): void } {
  let t = Date.parse(start);
  return {
    now: () => new Date(t),
    set: (iso) => {
      t = Date.parse(iso);
    },
  };
}

const PIN = '2468';
const DAY = '2026-06-10';

/**
 * Class k0: two 0歳 and five 1歳 (one born on April 1: the older year) and one without a birth date;
 * k4: one 4歳. Ages on April 1 2026.
 */
const ROSTER = [
  `${ROSTER_HEADER},birth_date`,
  'k0,ひよこ組,c01,青木 一,あおき はじめ,g01,青木 父,,2025-06-01',
  'k0,ひよこ組,c02,井上 二,いのうえ じ,g02,井上 父,,2025-04-02',
  'k0,ひよこ組,c03,上田 三,うえだ さん,g03,上田 父,,2025-04-01',
  'k0,ひよこ組,c04,江藤 四,えとう し,g04,江藤 父,,2024-05-01',
  'k0,ひよこ組,c05,小野 五,おの ご,g05,小野 父,,2024-07-07',
  'k0,ひよこ組,c06,加藤 六,かとう ろく,g06,加藤 父,,2024-12-24',
  'k0,ひよこ組,c07,木村 七,きむら なな,g07,木村 父,,2025-02-02',
  'k0,ひよこ組,c08,工藤 八,くどう はち,g08,工藤 父,,',
  'k4,きりん組,c09,小池 九,こいけ く,g09,小池 父,,2021-05-05',
].join('\n');

describe('staffing by age on a real hub: the tablet, the dated staff counts and the daily report', () => {
  let t: AdminTestHub;
  let site: TestSite;
  let store: HubStore;
  let base: string;
  let cookies: string[] = [];
  const clock = manualClock(`${DAY}T08:00:00+09:00`);

  const req = (
    method: string,
    path: string,
    opts: { cookies?: string[]; body?: unknown; token?: boolean } = {},
  ) =>
    fetch(`${base}${path}`, {
      method,
      headers: {
        ...(opts.cookies && { cookie: opts.cookies.join('; ') }),
        ...(opts.body !== undefined && { 'content-type': 'application/json' }),
        ...(opts.token === true && { authorization: 'Bearer test-admin-token' }),
      },
      ...(opts.body !== undefined && { body: JSON.stringify(opts.body) }),
    });
  const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

  /** A tablet set up and signed in (again after each move of the clock: the idle timeout). */
  let device = '';
  const signIn = async () => {
    const res = await req('POST', '/api/session', { cookies: [device], body: { staffId: 's1', pin: PIN } });
    expect(res.status).toBe(200);
    cookies = [device, cookieOf(res)];
  };
  const moveTo = async (hhmm: string) => {
    clock.set(`${DAY}T${hhmm}:00+09:00`);
    await signIn();
  };
  const rollcall = async (): Promise<TabletRollcall> => {
    const res = await req('GET', '/api/tablet/rollcall', { cookies });
    expect(res.status).toBe(200);
    return TabletRollcallSchema.parse(await res.json());
  };
  const setStaff = async (classId: string, count: number) => {
    const res = await req('PUT', `/api/tablet/classes/${classId}/staff`, { cookies, body: { count } });
    expect(res.status).toBe(204);
  };
  const checkIn = async (childId: string) => {
    const res = await req('POST', '/api/tablet/actions', {
      cookies,
      body: { op: 'check_in', id: crypto.randomUUID(), childId },
    });
    expect(res.status).toBe(200);
  };
  const report = async (query = ''): Promise<DailyStaffingReport> => {
    const res = await req('GET', `/api/staffing/daily?date=${DAY}${query}`, { token: true });
    expect(res.status).toBe(200);
    return DailyStaffingReportSchema.parse(await res.json());
  };

  beforeAll(async () => {
    t = await startAdminTestHub({
      devices: 0,
      roster: ROSTER,
      seed: async (setup) => {
        await addStaff(setup, { id: 's1', name: '保育 一郎', pin: PIN });
      },
      options: { clock },
    });
    ({ site, base } = t);
    store = HubStore.open(site.dir);
    const issued = await issuePairingCode(store, 'tab-1', { hubUrl: base, role: 'tablet', clock });
    const code = decodePairingPayload(issued.payload)?.code;
    const setUp = await req('POST', '/api/tablet/device', { body: { deviceId: 'tab-1', code } });
    expect(setUp.status).toBe(204);
    device = cookieOf(setUp);
    await signIn();
  });
  afterAll(async () => {
    store.close();
    await t.close();
  });

  it('shows each class its required staff by age and flags it when fewer are on duty', async () => {
    await setStaff('k0', 1);
    await setStaff('k4', 1);
    for (let i = 1; i <= 9; i++) await checkIn(`c0${String(i)}`);
    const r = await rollcall();
    const [k0, k4] = r.classes;
    // Two 0歳 (2/3) + five 1歳 (5/6) = 1.5 → 2; the child without a birth date is counted apart.
    expect(k0?.staffing).toEqual({
      present: { age0: 2, age1: 5, age2: 0, age3: 0, age4plus: 0, unknown: 1 },
      requiredByAge: 2,
      required: 2,
      understaffed: true,
    });
    // The class's own ratio is not set: the old check stays quiet.
    expect(k0?.overRatio).toBe(false);
    expect(k4?.staffing).toMatchObject({ required: 1, understaffed: false });
    // The facility: 2/3 + 5/6 + 1/25 → 2, and the minimum of 2; 1 + 1 on duty.
    expect(r.staffing).toEqual({
      present: { age0: 2, age1: 5, age2: 0, age3: 0, age4plus: 1, unknown: 1 },
      required: 2,
      minimumStaff: 2,
      staffOnDuty: 2,
      understaffed: false,
    });
  });

  it('keeps the stricter class ratio as an override', async () => {
    store.settings.setClassSettings('k0', { cutoff: null, maxChildrenPerStaff: 3 });
    const k0 = (await rollcall()).classes[0];
    // All eight children count for the class's own ratio: ceil(8/3) = 3.
    expect(k0).toMatchObject({
      overRatio: true,
      staffing: { requiredByAge: 2, required: 3, understaffed: true },
    });
    store.settings.setClassSettings('k0', { cutoff: null, maxChildrenPerStaff: null });
  });

  it('records every staff count with its time, and the report uses the count in effect at each time', async () => {
    await moveTo('09:10');
    await setStaff('k0', 2);
    await moveTo('10:00');
    expect((await rollcall()).classes[0]?.staffing.understaffed).toBe(false);

    expect(store.people.staffOnDutyChanges(DAY)).toEqual([
      { classId: 'k0', date: DAY, at: '2026-06-09T23:00:00.000Z', count: 1, staffId: 's1' },
      { classId: 'k4', date: DAY, at: '2026-06-09T23:00:00.000Z', count: 1, staffId: 's1' },
      { classId: 'k0', date: DAY, at: '2026-06-10T00:10:00.000Z', count: 2, staffId: 's1' },
    ]);
    expect(store.people.staffOnDuty(DAY).get('k0')).toBe(2);

    const rep = await report();
    const k0 = rep.classes.find((c) => c.classId === 'k0');
    // Independently: everyone came at 08:00 and is still here at 10:00 (now); k0 needs 2 all along and
    // has 1 until 09:10, 2 from then on.
    expect(k0?.rows.map((r) => [r.time, r.kind, r.required, r.staffOnDuty, r.understaffed])).toEqual([
      ['08:00', 'staff_change', 2, 1, true],
      ['08:30', 'slot', 2, 1, true],
      ['09:00', 'slot', 2, 1, true],
      ['09:10', 'staff_change', 2, 2, false],
      ['09:30', 'slot', 2, 2, false],
      ['10:00', 'slot', 2, 2, false],
    ]);
    expect(k0?.rows[0]?.present).toEqual({ age0: 2, age1: 5, age2: 0, age3: 0, age4plus: 0, unknown: 1 });
    expect(rep.facility.rows.map((r) => [r.time, r.required, r.staffOnDuty])).toEqual([
      ['08:00', 2, 2],
      ['08:30', 2, 2],
      ['09:00', 2, 2],
      ['09:10', 2, 3],
      ['09:30', 2, 3],
      ['10:00', 2, 3],
    ]);
    expect(rep.ageUnknown).toEqual([{ childId: 'c08', name: '工藤 八', classId: 'k0' }]);
    expect(rep.standard).toEqual({
      childrenPerStaff: { age0: 3, age1: 6, age2: 6, age3: 15, age4plus: 25 },
      minimumStaff: 2,
      rounding: 'sum',
    });
  });

  it('answers CSV with Japanese headings by default and English with lang=en', async () => {
    const ja = await req('GET', `/api/staffing/daily?date=${DAY}&format=csv`, { token: true });
    expect(ja.status).toBe(200);
    expect(ja.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(ja.headers.get('content-disposition')).toBe(`attachment; filename="staffing-${DAY}.csv"`);
    const text = await ja.text();
    expect(text.split('\r\n')[0]).toBe(
      'クラス,時刻,区分,0歳児,1歳児,2歳児,3歳児,4・5歳児,年齢不明,在園児数,必要保育士数,配置保育士数,不足数,判定',
    );
    expect(text).toContain('ひよこ組,09:00,定時,2,5,0,0,0,1,8,2,1,1,不足\r\n');
    const en = await (
      await req('GET', `/api/staffing/daily?date=${DAY}&format=csv&lang=en`, { token: true })
    ).text();
    expect(en).toContain('ひよこ組,09:10,staff_change,2,5,0,0,0,1,8,2,2,0,ok\r\n');
    expect(en).toContain('facility,10:00,slot,2,5,0,0,1,1,9,2,3,0,ok\r\n');
  });

  it('takes the admin token or an admin app session, and refuses bad parameters', async () => {
    expect((await req('GET', `/api/staffing/daily?date=${DAY}`)).status).toBe(401);
    const session = await directorCookie(base);
    const viaSession = await req('GET', `/api/staffing/daily?date=${DAY}`, { cookies: [session] });
    expect(viaSession.status).toBe(200);
    // The tablet's staff session is not enough.
    expect((await req('GET', `/api/staffing/daily?date=${DAY}`, { cookies })).status).toBe(401);
    for (const q of ['date=2026-02-30', 'format=pdf', 'lang=fr', 'date=2026-06-10&date=2026-06-11']) {
      const res = await req('GET', `/api/staffing/daily?${q}`, { token: true });
      expect([q, res.status]).toEqual([q, 400]);
      expect(await res.json()).toMatchObject({ error: { code: 'bad_request' } });
    }
    // Today by default.
    expect((await report()).date).toBe(DAY);
    const res = await req('GET', '/api/staffing/daily', { token: true });
    expect(((await res.json()) as { date: string }).date).toBe(DAY);
  });
});
