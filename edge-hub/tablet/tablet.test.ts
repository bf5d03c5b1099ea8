import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { hashTokenBase64url } from '../../common/secrets.ts';
import type { Clock } from '../../common/time.ts';
import {
  decodePairingPayload,
  SessionInfoSchema,
  TabletPushSchema,
  TabletRollcallSchema,
  type TabletPush as PushFrame,
  type TabletRollcall,
} from '../../protocol/index.ts';
import { addDevice } from '../access/devices.ts';
import type { RunningHubWithPlain } from '../hub.ts';
import { issuePairingCode } from '../access/pairing.ts';
import { addStaff, setStaffEnabled } from '../access/staff-accounts.ts';
import { absenceDayId } from './absence-range.ts';
import { HubStore } from '../store/hub-store.ts';
import { WEB_APPS } from '../../common/web-bundle.ts';
import { connect, provision, removeDir, startTestHub, type TestSite } from '../../test/support/hub.ts';

/** A clock tests move by hand. */
function manualClock(start: string): Clock & { set(iso: string): void; advance(ms: number): void } {
  let t = Date.parse(start);
  return {
    now: () => new Date(t),
    set: (iso) => {
      t = Date.parse(iso);
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

const PIN = '2468';
/** An admin's PIN: 6–12 digits. */
const ADMIN_PIN = '246813';

describe('staff tablet API on a real hub', () => {
  let site: TestSite;
  let hub: RunningHubWithPlain;
  let store: HubStore;
  let base: string;
  const clock = manualClock('2026-04-01T08:00:00+09:00');

  beforeAll(async () => {
    site = await provision(1);
    const setup = HubStore.open(site.dir);
    await addStaff(setup, { id: 's1', name: '保育 一郎', pin: PIN });
    await addStaff(setup, { id: 's2', name: '保育 二郎', pin: ADMIN_PIN, role: 'admin' });
    await addStaff(setup, { id: 's3', name: '保育 三郎', pin: PIN });
    setup.people.setStaffDisabled('s3', true);
    await addStaff(setup, { id: 's3b', name: '保育 三子', pin: PIN });
    setup.close();
    hub = await startTestHub(site, {
      clock,
      tuning: {
        rosterPollMs: 50,
        rollcallThrottleMs: 20,
        tabletPush: { sessionCheckMs: 30, coalesceMs: 20 },
      },
    });
    store = HubStore.open(site.dir);
    base = `http://127.0.0.1:${hub.ports.http}`;
  });
  afterAll(async () => {
    store.close();
    await hub.close();
    await removeDir(site.dir);
  });

  const code = async (deviceId: string, role: 'kiosk' | 'tablet') => {
    const issued = await issuePairingCode(store, deviceId, { hubUrl: base, role, clock });
    const p = decodePairingPayload(issued.payload);
    if (!p) throw new Error('bad payload');
    return p.code;
  };

  const req = (
    method: string,
    path: string,
    opts: { cookies?: string[]; body?: unknown; origin?: string } = {},
  ) => {
    const headers: Record<string, string> = {};
    if (opts.cookies) headers['cookie'] = opts.cookies.join('; ');
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.origin !== undefined) headers['origin'] = opts.origin;
    return fetch(`${base}${path}`, {
      method,
      headers,
      ...(opts.body !== undefined && { body: JSON.stringify(opts.body) }),
    });
  };

  /** name=value of the Set-Cookie of a response. */
  const cookieOf = (res: Response): string => {
    const set = res.headers.get('set-cookie') ?? '';
    return set.split(';')[0] ?? '';
  };

  const setUpTablet = async (deviceId: string): Promise<string> => {
    const res = await req('POST', '/api/tablet/device', {
      body: { deviceId, code: await code(deviceId, 'tablet') },
    });
    expect(res.status).toBe(204);
    return cookieOf(res);
  };

  const signIn = async (device: string, staffId = 's1', pin = PIN): Promise<string> => {
    const res = await req('POST', '/api/session', { cookies: [device], body: { staffId, pin } });
    expect(res.status).toBe(200);
    return cookieOf(res);
  };

  describe('device set-up', () => {
    it('sets up a tablet with its pairing code once, with a hardened cookie', async () => {
      const c = await code('tab-1', 'tablet');
      const res = await req('POST', '/api/tablet/device', { body: { deviceId: 'tab-1', code: c } });
      expect(res.status).toBe(204);
      const set = res.headers.get('set-cookie') ?? '';
      expect(set).toMatch(/^genkan_device=[A-Za-z0-9_-]{43}; /);
      expect(set).toContain('HttpOnly');
      expect(set).toContain('SameSite=Strict');
      expect(set).toContain('Path=/');
      expect(set).toContain('Max-Age=31536000');
      expect(set).not.toContain('Secure');
      // only the token's hash is stored
      const token = (set.split(';')[0] ?? '').split('=')[1] ?? '';
      expect(store.devices.tabletOfToken(hashTokenBase64url(token))).toBe('tab-1');
      const raw = JSON.stringify(store.db.prepare('SELECT * FROM tablet_tokens').all());
      expect(raw).not.toContain(token);
      // single use
      const again = await req('POST', '/api/tablet/device', { body: { deviceId: 'tab-1', code: c } });
      expect(again.status).toBe(401);
      expect(await again.json()).toMatchObject({ error: { code: 'pairing_code_invalid' } });
    });

    it("refuses a kiosk's pairing code (403, code not spent) and a kiosk's password (401)", async () => {
      const c = await code('kiosk-9', 'kiosk');
      const res = await req('POST', '/api/tablet/device', { body: { deviceId: 'kiosk-9', code: c } });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: 'forbidden' } });
      expect(res.headers.get('set-cookie')).toBeNull();
      // the kiosk can still pair with it
      const pair = await req('POST', '/api/pair', { body: { deviceId: 'kiosk-9', code: c } });
      expect(pair.status).toBe(200);
      const kiosk = site.devices[0];
      if (!kiosk) throw new Error('no kiosk');
      const pw = await req('POST', '/api/tablet/device', {
        body: { deviceId: kiosk.deviceId, code: kiosk.password },
      });
      expect(pw.status).toBe(401);
      expect(pw.headers.get('set-cookie')).toBeNull();
    });

    it('refuses bad input with 400 and changes nothing', async () => {
      const res = await req('POST', '/api/tablet/device', { body: { deviceId: 'tab-1', code: 'short' } });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'bad_request' } });
    });
  });

  describe('sessions', () => {
    let device: string;
    beforeAll(async () => {
      device = await setUpTablet('tab-2');
    });

    it('needs a set-up tablet', async () => {
      const res = await req('POST', '/api/session', { body: { staffId: 's1', pin: PIN } });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: 'device_not_set_up' } });
      const forged = await req('POST', '/api/session', {
        cookies: ['genkan_device=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
        body: { staffId: 's1', pin: PIN },
      });
      expect(forged.status).toBe(401);
    });

    it('signs in, tells who is signed in, and signs out', async () => {
      const res = await req('POST', '/api/session', {
        cookies: [device],
        body: { staffId: 's2', pin: ADMIN_PIN },
      });
      expect(res.status).toBe(200);
      const info = SessionInfoSchema.parse(await res.json());
      expect(info).toMatchObject({
        staff: { id: 's2', name: '保育 二郎', role: 'admin' },
        deviceId: 'tab-2',
      });
      const session = cookieOf(res);
      expect(session).toMatch(/^genkan_session=/);
      const who = await req('GET', '/api/session', { cookies: [device, session] });
      expect(who.status).toBe(200);
      expect(SessionInfoSchema.parse(await who.json()).staff.id).toBe('s2');
      const out = await req('DELETE', '/api/session', { cookies: [device, session] });
      expect(out.status).toBe(204);
      expect(out.headers.get('set-cookie')).toMatch(/^genkan_session=; Max-Age=0/);
      expect((await req('GET', '/api/session', { cookies: [device, session] })).status).toBe(401);
    });

    it('answers unknown staff, a wrong PIN and a disabled account alike', async () => {
      const bodies = [];
      for (const body of [
        { staffId: 'nobody', pin: PIN },
        { staffId: 's1', pin: '0000' },
        { staffId: 's3', pin: PIN },
      ]) {
        const res = await req('POST', '/api/session', { cookies: [device], body });
        expect(res.status).toBe(401);
        expect(res.headers.get('set-cookie')).toBeNull();
        bodies.push(await res.json());
      }
      expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
      expect(bodies[0]).toMatchObject({ error: { code: 'bad_credentials' } });
    });

    it('backs a staff id off after 5 failures (1 s, then doubling), and the right PIN after the wait signs in', async () => {
      const t0 = clock.now().toISOString();
      await addStaff(store, { id: 's4', name: 'ロック', pin: PIN });
      for (let i = 0; i < 5; i++) {
        const res = await req('POST', '/api/session', {
          cookies: [device],
          body: { staffId: 's4', pin: '9999' },
        });
        expect(res.status).toBe(401);
      }
      const waiting = await req('POST', '/api/session', {
        cookies: [device],
        body: { staffId: 's4', pin: PIN },
      });
      expect(waiting.status).toBe(429);
      expect(waiting.headers.get('retry-after')).toBe('1');
      expect(await waiting.json()).toMatchObject({ error: { code: 'too_many_requests' } });
      clock.advance(1000);
      const sixth = await req('POST', '/api/session', {
        cookies: [device],
        body: { staffId: 's4', pin: '9999' },
      });
      expect(sixth.status).toBe(401);
      const longer = await req('POST', '/api/session', {
        cookies: [device],
        body: { staffId: 's4', pin: PIN },
      });
      expect(longer.headers.get('retry-after')).toBe('2');
      // Not a lock-out: once the wait is over, the right PIN signs in (and the count starts again).
      clock.advance(2000);
      await signIn(device, 's4');
      expect(store.signInLimits.failures('s4')).toBeUndefined();
      clock.set(t0);
    });

    it('expires after 60 idle minutes, and after 12 hours however busy', async () => {
      const t0 = clock.now().toISOString();
      const session = await signIn(device);
      clock.advance(59 * 60_000);
      expect((await req('GET', '/api/session', { cookies: [device, session] })).status).toBe(200);
      clock.advance(59 * 60_000);
      expect((await req('GET', '/api/session', { cookies: [device, session] })).status).toBe(200);
      clock.advance(61 * 60_000);
      expect((await req('GET', '/api/session', { cookies: [device, session] })).status).toBe(401);
      clock.set(t0);
      const busy = await signIn(device);
      for (let i = 0; i < 14; i++) {
        clock.advance(50 * 60_000);
        const res = await req('GET', '/api/session', { cookies: [device, busy] });
        expect(res.status).toBe(i < 14 && (i + 1) * 50 < 12 * 60 ? 200 : 401);
      }
      clock.set(t0);
    });

    it('serves nothing and records nothing on an expired session', async () => {
      const t0 = clock.now().toISOString();
      const session = await signIn(device);
      const cookies = [device, session];
      expect((await req('GET', '/api/tablet/rollcall', { cookies })).status).toBe(200);
      clock.advance(61 * 60_000);
      const read = await req('GET', '/api/tablet/rollcall', { cookies });
      expect(read.status).toBe(401);
      expect(await read.json()).toEqual({
        error: { code: 'not_signed_in', message: expect.any(String) as string },
      });
      const id = randomUUID();
      const act = await req('POST', '/api/tablet/actions', {
        cookies,
        body: { op: 'check_in', id, childId: 'c001' },
      });
      expect(act.status).toBe(401);
      expect(store.events.eventById(id)).toBeUndefined();
      const staffCount = await req('PUT', '/api/tablet/classes/k1/staff', { cookies, body: { count: 2 } });
      expect(staffCount.status).toBe(401);
      // The push channel refuses the upgrade.
      const refused = await new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(`${base.replace('http', 'ws')}/tablet/ws`, {
          origin: base,
          headers: { cookie: cookies.join('; ') },
        });
        ws.once('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.once('open', () => {
          ws.terminate();
          reject(new Error('an expired session opened the push channel'));
        });
        ws.once('error', reject);
      });
      expect(refused).toBe(401);
      clock.set(t0);
      // Moving the clock back does not revive it: an expired session is gone.
      expect((await req('GET', '/api/tablet/rollcall', { cookies })).status).toBe(401);
    });

    it("refuses a session cookie presented with another tablet's device cookie", async () => {
      const session = await signIn(device);
      const other = await setUpTablet('tab-3');
      const res = await req('GET', '/api/tablet/rollcall', { cookies: [other, session] });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        error: { code: 'not_signed_in', message: expect.any(String) as string },
      });
    });
  });

  describe('roll-call and actions', () => {
    let device: string;
    let session: string;
    let cookies: string[];
    beforeAll(async () => {
      device = await setUpTablet('tab-4');
      session = await signIn(device);
      cookies = [device, session];
    });
    const rollcall = async (): Promise<TabletRollcall> => {
      const res = await req('GET', '/api/tablet/rollcall', { cookies });
      expect(res.status).toBe(200);
      return TabletRollcallSchema.parse(await res.json());
    };
    const act = (body: unknown) => req('POST', '/api/tablet/actions', { cookies, body });
    /** Moves the clock; a jump of more than the idle timeout ends the session, so sign in again. */
    const moveTo = async (iso: string) => {
      clock.set(iso);
      session = await signIn(device);
      cookies = [device, session];
    };
    const child = (r: TabletRollcall, id: string) => {
      const c = r.classes.flatMap((k) => k.children).find((x) => x.id === id);
      if (!c) throw new Error(`no child ${id}`);
      return c;
    };

    it('gives nothing without both cookies', async () => {
      for (const c of [[], [device], [session]]) {
        const res = await req('GET', '/api/tablet/rollcall', { cookies: c });
        expect(res.status).toBe(401);
        expect(JSON.stringify(await res.json())).not.toContain('山田');
        const a = await req('POST', '/api/tablet/actions', {
          cookies: c,
          body: { op: 'check_in', id: randomUUID(), childId: 'c001' },
        });
        expect(a.status).toBe(401);
      }
      expect(store.events.eventsOn('2026-04-01')).toEqual([]);
    });

    it('records a manual check-in as one event of the tablet, idempotently', async () => {
      clock.set('2026-04-01T08:30:00+09:00');
      const id = randomUUID();
      const body = { op: 'check_in', id, childId: 'c001', at: '08:10', note: 'forgot the card' };
      const res = await act(body);
      expect(res.status).toBe(200);
      const { event } = (await res.json()) as { event: Record<string, unknown> };
      expect(event).toMatchObject({
        id,
        type: 'check_in',
        childId: 'c001',
        deviceId: 'tab-4',
        seq: 1,
        method: 'staff',
        actor: 's1',
        note: 'forgot the card',
        occurredAt: '2026-04-01T08:10:00.000+09:00',
      });
      const retry = await act(body);
      expect(retry.status).toBe(200);
      expect(await retry.json()).toEqual({ event });
      expect(store.events.eventsOn('2026-04-01').filter((e) => e.id === id)).toHaveLength(1);
      const next = await act({ op: 'check_in', id: randomUUID(), childId: 'c003' });
      expect(((await next.json()) as { event: { seq: number } }).event.seq).toBe(2);
      const c = child(await rollcall(), 'c001');
      expect(c).toMatchObject({
        status: 'present',
        method: 'staff',
        broughtBy: '保育 一郎',
        // A staff entry, not the one who brought the child: the tablet labels it so.
        checkInMethod: 'staff',
        checkOutMethod: null,
        checkInEventId: id,
      });
      expect(c.corrections).toEqual([
        {
          at: '2026-04-01T08:10:00.000+09:00',
          by: '保育 一郎',
          kind: 'manual_check_in',
          note: 'forgot the card',
        },
      ]);
      expect(store.audit.all().filter((a) => a.action === 'tablet.check_in')).toHaveLength(2);
    });

    it('refuses bad actions with a typed error and records nothing', async () => {
      const before = store.events.countEvents();
      const cases: [unknown, number, string][] = [
        [{ op: 'void', id: randomUUID(), eventId: randomUUID() }, 400, 'bad_request'],
        [{ op: 'absent', id: randomUUID(), childId: 'c002', date: '2026-04-01' }, 400, 'bad_request'],
        [{ op: 'check_in', id: randomUUID(), childId: 'c002', at: '09:00' }, 400, 'future_time'],
        [{ op: 'check_in', id: randomUUID(), childId: 'c002', at: '25:00' }, 400, 'bad_request'],
        [{ op: 'void', id: randomUUID(), eventId: randomUUID(), reason: 'oops' }, 400, 'unknown_event'],
        [
          { op: 'absent', id: randomUUID(), childId: 'c002', date: '2026-03-31', reason: 'sick' },
          400,
          'bad_date',
        ],
        [{ op: 'check_out', id: randomUUID(), childId: 'nobody' }, 404, 'unknown_child'],
        [{ op: 'dance', id: randomUUID() }, 400, 'bad_request'],
        // the validity rule every entry point shares (protocol/plausibility.ts)
        [{ op: 'check_in', id: randomUUID(), childId: 'c002', note: 'a\u0000b' }, 400, 'bad_text'],
        [
          {
            op: 'absent',
            id: randomUUID(),
            childId: 'c002',
            date: '2026-04-02',
            reason: 'other',
            note: 'x\u001b',
          },
          400,
          'bad_text',
        ],
        [
          { op: 'absent', id: randomUUID(), childId: 'c002', date: '2026-07-01', reason: 'family' },
          400,
          'implausible_time',
        ],
      ];
      for (const [body, status, errorCode] of cases) {
        const res = await act(body);
        expect(res.status, JSON.stringify(body)).toBe(status);
        expect(await res.json()).toMatchObject({ error: { code: errorCode } });
      }
      expect(store.events.countEvents()).toBe(before);
    });

    it('voids an event once, with the reason, and marks absences with their reason', async () => {
      const kiosk = site.devices[0];
      if (!kiosk) throw new Error('no kiosk');
      const r0 = await rollcall();
      const target = child(r0, 'c003').checkInEventId;
      if (target === null) throw new Error('no check-in');
      const v = await act({ op: 'void', id: randomUUID(), eventId: target, reason: 'wrong child' });
      expect(v.status).toBe(200);
      const again = await act({ op: 'void', id: randomUUID(), eventId: target, reason: 'again' });
      expect(again.status).toBe(409);
      expect(await again.json()).toMatchObject({ error: { code: 'already_voided' } });
      const ab = await act({
        op: 'absent',
        id: randomUUID(),
        childId: 'c002',
        date: '2026-04-01',
        reason: 'sick',
        note: '発熱',
      });
      expect(ab.status).toBe(200);
      const later = await act({
        op: 'absent',
        id: randomUUID(),
        childId: 'c002',
        date: '2026-04-03',
        reason: 'family',
      });
      expect(later.status).toBe(200);
      expect(((await later.json()) as { event: { occurredAt: string } }).event.occurredAt).toBe(
        '2026-04-03T00:00:00.000+09:00',
      );
      const r = await rollcall();
      expect(child(r, 'c003')).toMatchObject({ status: 'not_arrived', checkInEventId: null });
      expect(child(r, 'c003').corrections.map((c) => [c.kind, c.note])).toEqual([
        ['manual_check_in', undefined],
        ['void', 'wrong child'],
      ]);
      expect(child(r, 'c002')).toMatchObject({ status: 'absent', absence: { reason: 'sick', note: '発熱' } });
    });

    it('marks an absence over a range of days, one event per day, idempotently', async () => {
      const before = store.events.countEvents();
      const bad: [Record<string, unknown>, string][] = [
        [{ date: '2026-04-03', until: '2026-04-02' }, 'bad_date'],
        [{ date: '2026-04-02', until: '2026-05-03' }, 'bad_date'],
        [{ date: '2026-04-02', until: '2026-04-31' }, 'bad_date'],
        [{ date: '2026-04-02', until: '4/5' }, 'bad_request'],
      ];
      for (const [range, errorCode] of bad) {
        const res = await act({ op: 'absent', id: randomUUID(), childId: 'c004', reason: 'sick', ...range });
        expect(res.status, JSON.stringify(range)).toBe(400);
        expect(await res.json()).toMatchObject({ error: { code: errorCode } });
      }
      expect(store.events.countEvents()).toBe(before);

      const id = randomUUID();
      const body = {
        op: 'absent',
        id,
        childId: 'c004',
        date: '2026-04-02',
        until: '2026-04-05',
        reason: 'family',
        note: '帰省',
      };
      const res = await act(body);
      expect(res.status).toBe(200);
      const answer = (await res.json()) as {
        event: { id: string };
        events: { id: string; occurredAt: string; type: string; note: string; seq: number }[];
      };
      const days = ['2026-04-02', '2026-04-03', '2026-04-04', '2026-04-05'];
      expect(answer.events.map((e) => e.occurredAt)).toEqual(days.map((d) => `${d}T00:00:00.000+09:00`));
      expect(answer.events.map((e) => e.id)).toEqual(days.map((d, i) => absenceDayId(id, d, i === 0)));
      expect(answer.event).toEqual(answer.events[0]);
      expect(new Set(answer.events.map((e) => e.seq)).size).toBe(4);
      expect(answer.events.every((e) => e.type === 'absent' && e.note === 'family: 帰省')).toBe(true);
      expect(store.events.countEvents()).toBe(before + 4);
      // A retry stores nothing more and answers the same.
      const retry = await act(body);
      expect(await retry.json()).toEqual(answer);
      expect(store.events.countEvents()).toBe(before + 4);

      // A request whose first day was stored and the rest not (the hub failed part way): the retry
      // records the missing days.
      const partial = randomUUID();
      const first = { op: 'absent', id: partial, childId: 'c004', date: '2026-04-10', reason: 'sick' };
      expect((await act(first)).status).toBe(200);
      const rest = await act({ ...first, until: '2026-04-12' });
      expect(rest.status).toBe(200);
      const restEvents = ((await rest.json()) as { events: { id: string }[] }).events;
      expect(restEvents.map((e) => e.id)).toEqual([
        partial,
        absenceDayId(partial, '2026-04-11', false),
        absenceDayId(partial, '2026-04-12', false),
      ]);
      expect(store.events.countEvents()).toBe(before + 7);
      expect(store.events.eventsOn('2026-04-01').filter((e) => e.childId === 'c004')).toEqual([]);
    });

    it('lists unaccounted children after the cut-off and children present after closing, and the ratio', async () => {
      await moveTo('2026-04-01T09:59:00+09:00');
      let r = await rollcall();
      expect(r.attention).toEqual([]);
      expect(child(r, 'c004').unaccounted).toBe(false);
      clock.set('2026-04-01T10:00:00+09:00');
      r = await rollcall();
      expect(r.classes.map((k) => k.cutoff)).toEqual(['10:00', '10:00']);
      // c002 is absent, c001 present: c003 and c004 are unaccounted
      expect(r.attention).toEqual([
        { childId: 'c004', classId: 'k2', why: 'unaccounted' },
        { childId: 'c003', classId: 'k2', why: 'unaccounted' },
      ]);
      // 在籍 (enrolled) is the roster: the absent child still counts there, and under absent.
      expect(r.counts).toEqual({ enrolled: 4, expected: 3, present: 1, left: 0, absent: 1, notArrived: 2 });

      store.settings.setClassSettings('k1', { cutoff: '09:30', maxChildrenPerStaff: 0.5 });
      expect(r.classes[0]?.overRatio).toBe(false);
      const put = await req('PUT', '/api/tablet/classes/k1/staff', { cookies, body: { count: 1 } });
      expect(put.status).toBe(204);
      r = await rollcall();
      expect(r.classes[0]).toMatchObject({
        cutoff: '09:30',
        staffOnDuty: 1,
        maxChildrenPerStaff: 0.5,
        overRatio: true,
      });
      await req('PUT', '/api/tablet/classes/k1/staff', { cookies, body: { count: 2 } });
      expect((await rollcall()).classes[0]?.overRatio).toBe(false);
      expect((await req('PUT', '/api/tablet/classes/zz/staff', { cookies, body: { count: 2 } })).status).toBe(
        404,
      );
      expect(
        (await req('PUT', '/api/tablet/classes/k1/staff', { cookies, body: { count: -1 } })).status,
      ).toBe(400);

      await moveTo('2026-04-01T19:00:00+09:00');
      r = await rollcall();
      expect(r.closingTime).toBe('19:00');
      expect(child(r, 'c001').stillPresentAtClosing).toBe(true);
      expect(r.attention).toContainEqual({ childId: 'c001', classId: 'k1', why: 'still_present' });
      const out = await act({ op: 'check_out', id: randomUUID(), childId: 'c001' });
      expect(out.status).toBe(200);
      r = await rollcall();
      expect(child(r, 'c001')).toMatchObject({
        status: 'left',
        stillPresentAtClosing: false,
        pickedUpBy: '保育 一郎',
      });
    });
  });

  describe('push channel', () => {
    let cookies: string[];
    beforeAll(async () => {
      clock.set('2026-04-01T11:00:00+09:00');
      const device = await setUpTablet('tab-5');
      cookies = [device, await signIn(device)];
    });

    const open = (c: string[], origin = base) =>
      new Promise<{
        ws: WebSocket;
        frames: PushFrame[];
        next: (pred: (f: PushFrame) => boolean) => Promise<PushFrame>;
      }>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${hub.ports.http}/tablet/ws`, {
          headers: { cookie: c.join('; '), origin },
        });
        const frames: PushFrame[] = [];
        const waiters: { pred: (f: PushFrame) => boolean; resolve: (f: PushFrame) => void }[] = [];
        ws.on('message', (data: Buffer) => {
          const f = TabletPushSchema.parse(JSON.parse(data.toString('utf8')));
          frames.push(f);
          for (const w of waiters.splice(0)) {
            if (w.pred(f)) w.resolve(f);
            else waiters.push(w);
          }
        });
        ws.on('open', () => {
          resolve({
            ws,
            frames,
            next: (pred) =>
              new Promise((res) => {
                const seen = frames.find(pred);
                if (seen) res(seen);
                else waiters.push({ pred, resolve: res });
              }),
          });
        });
        ws.on('unexpected-response', (_req, res) => {
          reject(new Error(`status ${res.statusCode}`));
        });
        ws.on('error', reject);
      });

    it('refuses without cookies, with a stale session, or from another origin', async () => {
      await expect(open([])).rejects.toThrow('status 401');
      await expect(open([cookies[0] ?? ''])).rejects.toThrow('status 401');
      await expect(open(cookies, 'http://evil.example')).rejects.toThrow('status 403');
    });

    it('pushes the roll-call on connect and after each change; a frozen tablet holds nobody up', async () => {
      const frozen = await open(cookies);
      await frozen.next((f) => f.type === 'rollcall');
      frozen.ws.pause();
      const live = await open(cookies);
      await live.next((f) => f.type === 'rollcall');
      for (let i = 0; i < 6; i++) {
        const seen = live.frames.length;
        const op = i % 2 === 0 ? 'check_in' : 'check_out';
        const res = await req('POST', '/api/tablet/actions', {
          cookies,
          body: { op, id: randomUUID(), childId: 'c004' },
        });
        expect(res.status).toBe(200);
        const want = op === 'check_in' ? 'present' : 'left';
        await live.next(
          (f) =>
            live.frames.indexOf(f) >= seen &&
            f.type === 'rollcall' &&
            f.rollcall.classes.some((k) => k.children.some((c) => c.id === 'c004' && c.status === want)),
        );
      }
      frozen.ws.terminate();
      live.ws.close();
    });

    it('sends heartbeats while nothing changes, so a tablet can tell a silent hub', async () => {
      const a = await open(cookies);
      await a.next((f) => f.type === 'rollcall');
      const since = Date.now();
      const beat = await a.next((f) => f.type === 'heartbeat');
      expect(beat.type === 'heartbeat' && !Number.isNaN(Date.parse(beat.at))).toBe(true);
      // Every 2–2.5 s: well inside the tablet's silence limit (app/state.ts STALE_MS, 4 s).
      expect(Date.now() - since).toBeLessThan(3500);
      a.ws.terminate();
    });

    it('pushes a settings change made through the admin API at once', async () => {
      const a = await open(cookies);
      await a.next((f) => f.type === 'rollcall');
      const patch = await fetch(`${base}/api/settings`, {
        method: 'PATCH',
        headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' },
        body: JSON.stringify({ classes: { k2: { cutoff: '08:45', maxChildrenPerStaff: 6 } } }),
      });
      expect(patch.status).toBe(200);
      await a.next(
        (f) =>
          f.type === 'rollcall' &&
          f.rollcall.classes.some(
            (k) => k.id === 'k2' && k.cutoff === '08:45' && k.maxChildrenPerStaff === 6,
          ),
      );
      const bad = await fetch(`${base}/api/settings`, {
        method: 'PATCH',
        headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' },
        body: JSON.stringify({ classes: { k2: { cutoff: '8:45' } } }),
      });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toEqual({
        error: {
          code: 'bad_setting',
          message: expect.stringContaining('classes.k2.cutoff') as string,
          params: { field: 'classes.k2.cutoff', problem: 'bad_time' },
        },
      });
      const noToken = await fetch(`${base}/api/settings`, { headers: { cookie: cookies.join('; ') } });
      expect(noToken.status).toBe(401);
      a.ws.terminate();
    });

    it('ends the channel when the staff account is disabled', async () => {
      const device = cookies[0] ?? '';
      const s = await signIn(device, 's3b');
      const a = await open([device, s]);
      await a.next((f) => f.type === 'rollcall');
      setStaffEnabled(store, 's3b', false);
      await a.next((f) => f.type === 'session_ended');
      expect((await req('GET', '/api/tablet/rollcall', { cookies: [device, s] })).status).toBe(401);
      const again = await req('POST', '/api/session', {
        cookies: [device],
        body: { staffId: 's3b', pin: PIN },
      });
      expect(again.status).toBe(401);
      setStaffEnabled(store, 's3b', true);
      await signIn(device, 's3b');
      a.ws.terminate();
    });

    it('ends the channel when the session is deleted or expires', async () => {
      const a = await open(cookies);
      await a.next((f) => f.type === 'rollcall');
      const closed = new Promise<number>((r) => {
        a.ws.once('close', (code) => {
          r(code);
        });
      });
      const del = await req('DELETE', '/api/session', { cookies });
      expect(del.status).toBe(204);
      await a.next((f) => f.type === 'session_ended');
      expect(await closed).toBe(4401);

      const device = cookies[0] ?? '';
      const s = await signIn(device);
      const b = await open([device, s]);
      await b.next((f) => f.type === 'rollcall');
      clock.advance(61 * 60_000);
      await b.next((f) => f.type === 'session_ended');
      b.ws.terminate();
    });
  });
});

describe('tablet app', () => {
  it('is served with a strict CSP when the hub has it; 503 without', async () => {
    const site = await provision(0);
    const hub = await startTestHub(site, { tabletAppDir: WEB_APPS.tablet });
    const bare = await startTestHub(await provision(0));
    try {
      const res = await fetch(`http://127.0.0.1:${hub.ports.http}/tablet/`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect((await fetch(`http://127.0.0.1:${hub.ports.http}/tablet/app.js`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${bare.ports.http}/tablet`)).status).toBe(503);
    } finally {
      await hub.close();
      await bare.close();
      await removeDir(site.dir);
    }
  });
});

describe('staff accounts', () => {
  it('adds and updates accounts, hashes the PIN, audits without it', async () => {
    const site = await provision(0);
    const store = HubStore.open(site.dir);
    try {
      expect(await addStaff(store, { id: 's1', name: ' 保育 一郎 ', pin: '1234' })).toEqual({
        staffId: 's1',
        name: '保育 一郎',
        role: 'staff',
      });
      await addStaff(store, { id: 's1', name: '保育 一郎', pin: '987654', role: 'admin' });
      const row = store.people.staff('s1');
      expect(row).toMatchObject({ role: 'admin', disabled: false });
      expect(row?.pinHash).toMatch(/^scrypt\$/);
      const audit = store.audit.all().filter((a) => a.subject === 'staff:s1');
      expect(audit.map((a) => a.action)).toEqual(['staff.add', 'staff.update']);
      expect(JSON.stringify(audit)).not.toMatch(/1234|987654/);
      await expect(addStaff(store, { id: 's2', name: 'x', pin: '12a4' })).rejects.toMatchObject({
        code: 'bad_pin',
      });
      // An admin's PIN is 6–12 digits, a new admin's or one made admin alike; a staff member's 4–12.
      for (const pin of ['12345', '1234567890123']) {
        await expect(addStaff(store, { id: 's2', name: 'x', pin, role: 'admin' })).rejects.toMatchObject({
          code: 'bad_pin',
        });
        await expect(addStaff(store, { id: 's1', name: 'x', pin, role: 'admin' })).rejects.toMatchObject({
          code: 'bad_pin',
        });
      }
      expect(store.people.staff('s1')).toMatchObject({ role: 'admin', name: '保育 一郎' });
      await expect(addStaff(store, { id: 'bad id', name: 'x', pin: '1234' })).rejects.toMatchObject({
        code: 'bad_staff_id',
      });
      await expect(addStaff(store, { id: 's2', name: ' ', pin: '1234' })).rejects.toMatchObject({
        code: 'bad_name',
      });
      expect(store.people.staff('s2')).toBeUndefined();
    } finally {
      store.close();
      await removeDir(site.dir);
    }
  });

  it('a tablet device has no MQTT login: its password is refused (not authorised)', async () => {
    const site = await provision(0);
    const setup = HubStore.open(site.dir);
    const tablet = await addDevice(setup, 'tab-9', 'tablet');
    setup.close();
    const hub = await startTestHub(site);
    try {
      await expect(connect(hub.ports.mqtt, tablet)).rejects.toMatchObject({ code: 5 });
    } finally {
      await hub.close();
      await removeDir(site.dir);
    }
  });
});
