import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEventId } from '../common/ids.ts';
import { prng } from '../common/random.ts';
import {
  decodePairingPayload,
  MonthlyLedgerSchema,
  type AttendanceEvent,
  type MonthlyLedger,
} from '../protocol/index.ts';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import { HubStore } from '../edge-hub/store/hub-store.ts';
import { eventually, genkanJson } from './support/process.ts';
import { publishAsKiosk } from './support/kiosk-publish.ts';
import { startRelayedSite, type RelayedSite } from './support/ledger-site.ts';
import { addStaff, type Site } from './support/site.ts';

/**
 * The point 1 across real processes: a month of generated events for 120 children (absences,
 * wrong taps undone at the kiosk, a wrong check-in voided on a tablet a month later, early arrivals, late
 * pickups, a missing check-out) goes over MQTT into a hub that relays to a cloud. The hub's monthly
 * ledger has the extended-care minutes this test computes on its own from the rule; hub and cloud
 * ledgers are byte-identical as CSV (UTF-8 and Shift_JIS).
 */

/**
 * A past month within the hub's 400-day window (the validity rule refuses older events), whose 5th and 6th
 * are weekdays (the forgotten check-out and the tablet's void fall on them).
 */
function pickMonth(): { month: string; year: number; monthIndex: number; days: number } {
  const now = new Date();
  for (let back = 2; ; back++) {
    const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
    const year = first.getUTCFullYear();
    const monthIndex = first.getUTCMonth();
    const weekday = (d: number) => ![0, 6].includes(new Date(Date.UTC(year, monthIndex, d)).getUTCDay());
    if (weekday(5) && weekday(6)) {
      const month = `${year}-${String(monthIndex + 1).padStart(2, '0')}`;
      return { month, year, monthIndex, days: new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate() };
    }
  }
}
const PICKED = pickMonth();
const MONTH = PICKED.month;
const DAYS_IN_MONTH = PICKED.days;
const CHILDREN = 120;
const BANDS = { standard: [7 * 60, 18 * 60], short: [8 * 60 + 30, 16 * 60 + 30] } as const;
// The facility's defaults: grace 5 minutes, rounded up to 30.
const GRACE = 5;
const STEP = 30;
const STAFF = { id: 's1', name: '保育 花子', pin: '1234' };

/** The rule, written out again: minutes outside the band, each side apart, within grace 0, else up to 30. */
function expectedSide(minutes: number): number {
  if (minutes <= GRACE) return 0;
  return Math.ceil(minutes / STEP) * STEP;
}

const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const at = (day: number, minutes: number, seconds = 0) =>
  `${MONTH}-${String(day).padStart(2, '0')}T${hhmm(minutes)}:${String(seconds).padStart(2, '0')}+09:00`;

interface ChildPlan {
  id: string;
  careType: 'standard' | 'short';
  /** Per day (1-based index): what really happened. */
  days: Map<number, { in: number; out: number | null } | 'absent'>;
}

describe('attendance ledgers from a month of real traffic', () => {
  let relayed: RelayedSite;
  let site: Site;
  let hubBase = '';
  const plans: ChildPlan[] = [];
  /** The check-in staff void on a tablet a month later, and whose day it was. */
  let tabletVoid: { childId: string; day: number; eventId: string } | undefined;

  // A seeded generator, so that a failure can be replayed.
  const rand = prng(20261021);

  beforeAll(async () => {
    const rows = [`${ROSTER_HEADER},care_type`];
    for (let i = 1; i <= CHILDREN; i++) {
      const n = String(i).padStart(3, '0');
      const careType = i % 3 === 0 ? 'short' : 'standard';
      // One child's name would be a formula in a spreadsheet: the ledgers must neutralise it.
      const name = i === 7 ? '=HYPERLINK("x")' : `園児 ${n}`;
      rows.push(
        `k${1 + (i % 4)},クラス${1 + (i % 4)},c${n},"${name.replaceAll('"', '""')}",えんじ ${n},g${n},保護者 ${n},,${careType}`,
      );
      plans.push({ id: `c${n}`, careType, days: new Map() });
    }
    const csv = `${rows.join('\n')}\n`;
    relayed = await startRelayedSite('genkan-ledger-', csv, async (s, path) => {
      await writeFile(join(path, 'roster-used.csv'), csv);
      await addStaff(join(s.dir, 'hub'), STAFF);
    });
    ({ site, hubBase } = relayed);
    const { mqttPort } = relayed;

    // kiosk-1: the entrance (taps, and its own undo of a wrong tap); office-1: the absences staff recorded
    // on those days (method staff).
    const byDevice = new Map<string, AttendanceEvent[]>([
      ['kiosk-1', []],
      ['office-1', []],
    ]);
    const push = (e: Omit<AttendanceEvent, 'seq' | 'id'>): AttendanceEvent => {
      const list = byDevice.get(e.deviceId) ?? [];
      const event: AttendanceEvent = { ...e, id: newEventId(), seq: list.length + 1 };
      list.push(event);
      return event;
    };
    const weekday = (day: number) => {
      const dow = new Date(Date.UTC(PICKED.year, PICKED.monthIndex, day)).getUTCDay();
      return dow !== 0 && dow !== 6;
    };
    let missingCheckOuts = 0;
    for (let day = 1; day <= DAYS_IN_MONTH; day++) {
      if (!weekday(day)) continue;
      for (const [i, plan] of plans.entries()) {
        const [start, end] = BANDS[plan.careType];
        if (rand() < 0.06) {
          push({
            type: 'absent',
            childId: plan.id,
            occurredAt: at(day, 7 * 60),
            deviceId: 'office-1',
            method: 'staff',
            actor: STAFF.id,
            note: 'sick: 発熱のため',
          });
          plan.days.set(day, 'absent');
          continue;
        }
        // Arrivals from 40 minutes early to an hour late, pickups from an hour early to 80 minutes late;
        // some exactly at the grace, some one minute past it.
        const shape = rand();
        const inMin =
          shape < 0.1
            ? start - GRACE
            : shape < 0.2
              ? start - GRACE - 1
              : start - 40 + Math.floor(rand() * 100);
        const outMin =
          shape < 0.1 ? end + GRACE : shape < 0.2 ? end + GRACE + 1 : end - 60 + Math.floor(rand() * 140);
        const actor = `g${plan.id.slice(1)}`;
        if (rand() < 0.03) {
          // A wrong tap, undone on the kiosk's screen a few seconds later.
          const wrong = push({
            type: 'check_in',
            childId: plan.id,
            occurredAt: at(day, inMin - 20),
            deviceId: 'kiosk-1',
            method: 'card',
            actor,
          });
          push({
            type: 'void',
            childId: plan.id,
            occurredAt: at(day, inMin - 20, 5),
            deviceId: 'kiosk-1',
            method: 'card',
            actor,
            voids: wrong.id,
          });
        }
        const checkIn = push({
          type: 'check_in',
          childId: plan.id,
          occurredAt: at(day, inMin, Math.floor(rand() * 60)),
          deviceId: 'kiosk-1',
          method: 'card',
          actor,
        });
        // A forgotten check-out now and then (and surely once).
        const forgotten = (day === 5 && i === 0) || (rand() < 0.01 && missingCheckOuts < 5);
        if (forgotten) {
          missingCheckOuts++;
          plan.days.set(day, { in: inMin, out: null });
        } else {
          push({
            type: 'check_out',
            childId: plan.id,
            occurredAt: at(day, outMin, Math.floor(rand() * 60)),
            deviceId: 'kiosk-1',
            method: 'card',
            actor,
          });
          plan.days.set(day, { in: inMin, out: outMin });
        }
        if (day === 6 && i === 1) tabletVoid = { childId: plan.id, day, eventId: checkIn.id };
      }
    }

    // Staff entries never come over MQTT (a kiosk may not write them), and entering past days is not built
    // yet: the month's absences go into the hub's store as staff recorded them then; the relay sends them on.
    const office = HubStore.open(join(site.dir, 'hub'));
    try {
      office.events.insertEvents(byDevice.get('office-1') ?? []);
    } finally {
      office.close();
    }
    byDevice.delete('office-1');
    // Over MQTT as the kiosk, in batches under the payload limit, each acknowledged by the hub.
    for (const [deviceId, events] of byDevice) {
      expect((await publishAsKiosk(site, mqttPort, deviceId, events)).rejected).toEqual([]);
    }

    // A month later, staff notice a check-in that was another child's card and void it on a tablet: the
    // void is filed today, and must still reach that day of the month's ledger, at the hub and in the cloud.
    if (!tabletVoid) throw new Error('no check-in chosen for the tablet void');
    const pair = await genkanJson<{ payload: string }>([
      'device',
      'pair',
      'tab-1',
      '--role',
      'tablet',
      '--hub-url',
      hubBase,
      '--data',
      join(site.dir, 'hub'),
    ]);
    const code = decodePairingPayload(pair.payload)?.code ?? '';
    const post = (path: string, body: unknown, cookie = '') =>
      fetch(`${hubBase}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: hubBase, ...(cookie && { cookie }) },
        body: JSON.stringify(body),
      });
    const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const device = cookieOf(await post('/api/tablet/device', { deviceId: 'tab-1', code }));
    const session = cookieOf(await post('/api/session', { staffId: STAFF.id, pin: STAFF.pin }, device));
    const voided = await post(
      '/api/tablet/actions',
      { op: 'void', id: newEventId(), eventId: tabletVoid.eventId, reason: '別の園児のカードでした' },
      `${device}; ${session}`,
    );
    expect(voided.status).toBe(200);
    const plan = plans.find((p) => p.id === tabletVoid?.childId);
    // Its check-out stays, but a check-out with no check-in does not make a day.
    plan?.days.delete(tabletVoid.day);
  }, 240_000);

  afterAll(async () => {
    await relayed.stop();
  });

  const hubGet = (path: string) => relayed.hub(path);
  const cloudGet = (path: string) => relayed.cloud(path);

  it('computes extended-care minutes as the rule says, per child, for the whole month', async () => {
    const res = await hubGet(`/api/ledger/monthly?month=${MONTH}`);
    expect(res.status).toBe(200);
    const ledger: MonthlyLedger = MonthlyLedgerSchema.parse(await res.json());
    expect(ledger.rows).toHaveLength(CHILDREN);
    let openDays = 0;
    for (const plan of plans) {
      const row = ledger.rows.find((r) => r.child_id === plan.id);
      if (!row) throw new Error(`no row for ${plan.id}`);
      const [start, end] = BANDS[plan.careType];
      let minutes = 0;
      let attended = 0;
      let absent = 0;
      const cells = Array.from({ length: DAYS_IN_MONTH }, () => '');
      const open: number[] = [];
      for (const [day, d] of plan.days) {
        if (d === 'absent') {
          absent++;
          cells[day - 1] = '欠';
          continue;
        }
        attended++;
        if (d.out === null) {
          open.push(day);
          cells[day - 1] = `${hhmm(d.in)}-`;
          continue;
        }
        cells[day - 1] = `${hhmm(d.in)}-${hhmm(d.out)}`;
        minutes += expectedSide(start - d.in) + expectedSide(d.out - end);
      }
      openDays += open.length;
      expect(row.days, plan.id).toEqual(cells);
      expect(row.extended_minutes, plan.id).toBe(minutes);
      expect(row.attended_days, plan.id).toBe(attended);
      expect(row.absent_days, plan.id).toBe(absent);
      expect(row.open_days, plan.id).toEqual(open.sort((a, b) => a - b));
    }
    expect(openDays).toBeGreaterThan(0);
  });

  it('gives byte-identical CSV at the hub and in the cloud (UTF-8 and Shift_JIS), monthly and daily', async () => {
    const paths = [
      `/ledger/monthly?month=${MONTH}&format=csv`,
      `/ledger/monthly?month=${MONTH}&format=csv&encoding=sjis`,
      `/ledger/monthly?month=${MONTH}&class=k2&format=csv`,
      `/ledger/daily?date=${MONTH}-06&format=csv`,
      `/ledger/daily?date=${MONTH}-05&format=csv&encoding=sjis`,
    ];
    for (const path of paths) {
      const hub = Buffer.from(await (await hubGet(`/api${path}`)).arrayBuffer());
      // The relay delivers events and the snapshot in the background: wait until the cloud has caught up.
      const cloud = await eventually(
        async () => {
          const res = await cloudGet(path);
          if (res.status !== 200) return undefined;
          const body = Buffer.from(await res.arrayBuffer());
          return body.equals(hub) ? body : undefined;
        },
        60_000,
        `the cloud's ${path} to match the hub's`,
      );
      expect(cloud.equals(hub), path).toBe(true);
    }
    // text() drops the BOM.
    const csv = await (await hubGet(`/api/ledger/monthly?month=${MONTH}&format=csv`)).text();
    // The formula-like name is neutralised, and the voided day of the tablet's correction is empty.
    expect(csv).toContain(`'=HYPERLINK(""x"")`);
    expect(csv.split('\r\n')[0]).toBe(
      [
        '組',
        '園児ID',
        '園児名',
        ...Array.from({ length: DAYS_IN_MONTH }, (_, i) => String(i + 1)),
        '出席日数',
        '欠席日数',
        '延長保育（分）',
      ].join(','),
    );
    // English on request, the same at both ends; the file name in the language at both ends.
    const en = await (await hubGet(`/api/ledger/monthly?month=${MONTH}&format=csv&lang=en`)).text();
    expect(en.split('\r\n')[0]).toMatch(/^Class,Child ID,Child,1,2,/);
    const xlsx = `/ledger/monthly?month=${MONTH}&format=xlsx&lang=en`;
    const hubXlsx = await hubGet(`/api${xlsx}`);
    const cloudXlsx = await cloudGet(xlsx);
    expect(Buffer.from(await cloudXlsx.arrayBuffer()).equals(Buffer.from(await hubXlsx.arrayBuffer()))).toBe(
      true,
    );
    expect(hubXlsx.headers.get('content-disposition')).toMatch(
      new RegExp(
        `^attachment; filename="ledger-${MONTH}\\.xlsx"; filename\\*=UTF-8''attendance_.+_${MONTH}\\.xlsx$`,
      ),
    );
    expect(cloudXlsx.headers.get('content-disposition')).toBe(hubXlsx.headers.get('content-disposition'));
  });
});
