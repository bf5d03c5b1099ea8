import { afterAll, beforeAll, describe, it } from 'vitest';
import { newEventId } from '../../common/ids.ts';
import { formatRfc3339, localDate } from '../../common/time.ts';
import type { RunningHubWithPlain } from '../../edge-hub/hub.ts';
import { issuePairingCode } from '../../edge-hub/access/pairing.ts';
import { addStaff } from '../../edge-hub/access/staff-accounts.ts';
import { HubStore } from '../../edge-hub/store/hub-store.ts';
import { provision, removeDir, startTestHub, type TestSite } from '../support/hub.ts';
import { decodePairingPayload, EventSchema, type AttendanceEvent } from '../../protocol/index.ts';
import { httpSpec, MINUTE, renderBody, tabletAction, ACTION_KEYS, type HttpSpec } from './arbitraries.ts';
import {
  announce,
  checkNoPollution,
  checkRefusal,
  CrossCheck,
  crossCheckClouds,
  FUZZ_RUNS,
  fuzzTimeout,
  http,
  manualClock,
  preview,
  prototypeKeys,
  runFuzz,
  Tally,
  type CloudTarget,
} from './harness.ts';

/**
 * Issue 11, fuzzing the staff tablet's POST /api/tablet/actions on a real hub (HTTP over TCP, a set-up tablet
 * and a signed-in staff member): 2xx with the stored event, or 4xx with a known code and nothing stored;
 * never 5xx; the hub keeps serving; and every event the hub stored is accepted by the cloud.
 */

const TIME_ZONE = 'Asia/Tokyo';
const PIN = '2468';
/**
 * The hub's clock: 21:30 local today, then moved in blocks of cases through the night, so that `at` times
 * and absence dates are tried across local midnight. Within a block it stands still (a seed replays).
 */
const BASE = Date.parse(`${localDate(new Date(), TIME_ZONE)}T21:30:00+09:00`);
const BLOCK = 100;
const clockAt = (block: number) => BASE + ((block * 47) % 360) * MINUTE;
const RECENT_MAX = 64;

describe('fuzz: staff tablet actions', () => {
  let site: TestSite;
  let hub: RunningHubWithPlain;
  let store: HubStore;
  let clouds: CloudTarget[] = [];
  let base: string;
  let deviceCookie = '';
  let sessionCookie = '';
  const clock = manualClock(BASE);
  const prototypeBefore = prototypeKeys();

  const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const signIn = async () => {
    const res = await fetch(`${base}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: deviceCookie },
      body: JSON.stringify({ staffId: 's1', pin: PIN }),
    });
    if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
    sessionCookie = cookieOf(res);
  };

  beforeAll(async () => {
    announce('tablet');
    clouds = await crossCheckClouds(BASE);
    site = await provision(1);
    const setup = HubStore.open(site.dir);
    await addStaff(setup, { id: 's1', name: '保育 一郎', pin: PIN });
    // Kiosk taps of today: targets for voids, and ids of another device's events.
    const taps: AttendanceEvent[] = ['c001', 'c002', 'c003', 'c004', 'c001', 'c003'].map((childId, i) => ({
      id: newEventId(),
      type: i < 4 ? 'check_in' : 'check_out',
      childId,
      occurredAt: formatRfc3339(new Date(BASE - (60 - i * 7) * MINUTE), TIME_ZONE),
      deviceId: 'kiosk-1',
      seq: i + 1,
      method: 'card',
      actor: childId === 'c003' ? 'g002' : 'g001',
    }));
    setup.events.insertEvents(taps);
    setup.close();
    hub = await startTestHub(site, { clock });
    base = `http://127.0.0.1:${hub.ports.http}`;
    store = HubStore.open(site.dir);
    const issued = await issuePairingCode(store, 'tab-1', { hubUrl: base, role: 'tablet', clock });
    const code = decodePairingPayload(issued.payload)?.code;
    const res = await fetch(`${base}/api/tablet/device`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: 'tab-1', code }),
    });
    if (res.status !== 204) throw new Error(`tablet set-up failed: ${res.status}`);
    deviceCookie = cookieOf(res);
    await signIn();
  }, 180_000);

  afterAll(async () => {
    store.close();
    await hub.close();
    for (const c of clouds) await c.close();
    await removeDir(site.dir);
  }, 120_000);

  it(
    'POST /api/tablet/actions: stored and 200, or 4xx with a code and nothing stored; never 5xx',
    async () => {
      const tally = new Tally('tablet actions (HTTP)');
      const cross = new CrossCheck(store, clouds, tally);
      // The kiosk taps stay targets (voids, ids of another device's events) next to the tablet's latest.
      const taps = store.outbox.eventsAfter(0, RECENT_MAX).map((r) => r.event);
      const recent: AttendanceEvent[] = [];
      const recentActions: string[] = [];
      // Events stored so far: a refused action must store nothing, an accepted one exactly its event.
      let seen = store.outbox.eventsAfter(0, 1_000_000).at(-1)?.hubSeq ?? 0;
      const world = {
        now: BASE,
        devices: ['tab-1'],
        guardians: { c001: ['g001'], c002: ['g001'], c003: ['g002'], c004: ['g003'] },
        staff: ['s1'],
      };

      const post = (spec: Pick<HttpSpec, 'auth' | 'origin' | 'contentType'>, body: Buffer) => {
        const headers: Record<string, string> = {};
        if (spec.contentType !== null) headers['content-type'] = spec.contentType;
        if (spec.auth === 'ok') headers['cookie'] = `${deviceCookie}; ${sessionCookie}`;
        else if (spec.auth === 'partial') headers['cookie'] = deviceCookie;
        else if (spec.auth === 'garbage')
          headers['cookie'] = 'genkan_device=AAAA; genkan_session=BBBB; =; ;;';
        if (spec.origin === 'same') headers['origin'] = base;
        else if (spec.origin === 'other') headers['origin'] = 'http://evil.example';
        return http(`${base}/api/tablet/actions`, 'POST', headers, body);
      };
      const newRows = () => {
        const rows = store.outbox.eventsAfter(seen, 10);
        seen = rows.at(-1)?.hubSeq ?? seen;
        return rows.map((r) => r.event);
      };
      const stillServing = async () => {
        const body = Buffer.from(JSON.stringify({ op: 'check_in', id: newEventId(), childId: 'c002' }));
        const answer = await post({ auth: 'ok', origin: 'none', contentType: 'application/json' }, body);
        if (answer.status !== 200) {
          tally.record('crash', `the hub stopped serving: a good action got ${answer.status} ${answer.text}`);
        }
        newRows();
      };

      await runFuzz(tally, httpSpec(tabletAction(world), ACTION_KEYS, 17 * 1024), async (spec) => {
        const block = Math.floor((tally.cases - 1) / BLOCK);
        if ((tally.cases - 1) % BLOCK === 0) {
          await stillServing();
          // Everything stored at the previous block's time goes to the cloud before the clock moves.
          await cross.drain(clock.now().getTime());
          clock.set(clockAt(block));
        }
        const body = renderBody(spec.body, {
          recent: [...recent, ...taps],
          recentActions,
          now: clock.now(),
          timeZone: TIME_ZONE,
        });
        const answer = await post(spec, body);
        const stored = newRows();
        if (answer.status === 200) {
          tally.count('200');
          let event: unknown;
          try {
            event = (JSON.parse(answer.text) as { event?: unknown }).event;
          } catch {
            event = undefined;
          }
          const parsed = EventSchema.safeParse(event);
          if (!parsed.success) {
            tally.record('violation', `200 without a valid event: ${answer.text.slice(0, 200)}`, spec);
            return;
          }
          const e = parsed.data;
          if (spec.auth !== 'ok' || spec.origin === 'other') {
            tally.record(
              'violation',
              `200 for a request with auth ${spec.auth}, origin ${spec.origin}`,
              spec,
            );
          }
          if (e.deviceId !== 'tab-1' || e.actor !== 's1' || e.method !== 'staff') {
            tally.record('violation', `stored event not the tablet's staff event: ${preview(e)}`, spec);
          }
          // A new event is stored once; a retry of a stored action (same id) stores nothing.
          const fresh = stored.length === 1 && stored[0]?.id === e.id;
          const retry = stored.length === 0 && store.events.eventById(e.id) !== undefined;
          if (!fresh && !retry) tally.record('violation', `200 but stored ${preview(stored)}`, spec);
          if (fresh) {
            recent.push(e);
            if (recent.length > RECENT_MAX) recent.shift();
            recentActions.push(e.id);
            if (recentActions.length > RECENT_MAX) recentActions.shift();
          }
          return;
        }
        const code = checkRefusal(tally, answer, { spec, body: preview(body, 300) });
        if (stored.length > 0)
          tally.record('violation', `refused (${answer.status}) but stored ${preview(stored)}`, spec);
        if (code === 'not_signed_in' && spec.auth === 'ok') {
          tally.record('violation', 'the session was lost', spec);
          await signIn();
        }
      });
      await stillServing();
      await cross.drain(clock.now().getTime());
      checkNoPollution(tally, prototypeBefore);
      tally.finish();
    },
    fuzzTimeout(FUZZ_RUNS, 30),
  );
});
