import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEventId } from '../common/ids.ts';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import { HubStore } from '../edge-hub/store/hub-store.ts';
import {
  DailyLedgerSchema,
  MonthlyLedgerSchema,
  type AttendanceEvent,
  type MonthlyLedger,
} from '../protocol/index.ts';
import { eventually, genkanJson } from './support/process.ts';
import { publishAsKiosk } from './support/kiosk-publish.ts';
import { monthBack, startRelayedSite, type RelayedSite } from './support/ledger-site.ts';
import { addStaff, type Site } from './support/site.ts';

/**
 * Issue 13 across real processes (hub, cloud, MQTT): the ledger of a past month stays byte for byte what it
 * was after a roster for the next month is imported; a forgotten check-out is corrected over HTTP; a closed
 * month refuses device events and lists an amendment, at the hub and in the cloud.
 */

/** Months relative to now: M two months back (inside the hub's 400-day window), N the month after it. */
const M = monthBack(2);
const N = monthBack(1);
const day = (month: string, d: number) => `${month}-${String(d).padStart(2, '0')}`;
const at = (month: string, d: number, hhmm: string) => `${day(month, d)}T${hhmm}:00+09:00`;
const STAFF = { id: 's1', name: '園長 一郎', pin: '246813' };

const header = `${ROSTER_HEADER},care_type`;
const line = (cls: string, clsName: string, n: number, care: string) =>
  `${cls},${clsName},c00${n},園児 ${n},えんじ ${n},g00${n},保護者 ${n},,${care}`;
/** v1: six children in two classes. */
const ROSTER_V1 = [
  header,
  line('k1', 'ひよこ', 1, 'standard'),
  line('k1', 'ひよこ', 2, 'standard'),
  line('k2', 'りす', 3, 'standard'),
  line('k2', 'りす', 4, 'short'),
  line('k1', 'ひよこ', 5, 'standard'),
  line('k2', 'りす', 6, 'standard'),
].join('\n');
/** v2 from the 1st of N: c002 moves to りす, c003 becomes short-hours care, c004 and c005 leave. */
const ROSTER_V2 = [
  header,
  line('k1', 'ひよこ', 1, 'standard'),
  line('k2', 'りす', 2, 'standard'),
  line('k2', 'りす', 3, 'short'),
  line('k2', 'りす', 6, 'standard'),
].join('\n');

describe('history: dated roster, corrections, month close', () => {
  let site: Site;
  let relayed: RelayedSite;
  let seq = 0;

  const hubFetch = (path: string, init: RequestInit = {}) => relayed.hub(path, init);
  const cloudFetch = (path: string) => relayed.cloud(path);
  const bytes = async (res: Response) => {
    expect(res.status, res.url).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  };

  const publish = (events: AttendanceEvent[]) => publishAsKiosk(site, relayed.mqttPort, 'kiosk-1', events);

  const tap = (type: 'check_in' | 'check_out', child: number, occurredAt: string): AttendanceEvent => ({
    id: newEventId(),
    type,
    childId: `c00${child}`,
    occurredAt,
    deviceId: 'kiosk-1',
    seq: ++seq,
    method: 'card',
    actor: `g00${child}`,
  });

  /** A day in and out (out null: forgotten). */
  const attend = (child: number, month: string, d: number, inAt: string, outAt: string | null) => [
    tap('check_in', child, at(month, d, inAt)),
    ...(outAt === null ? [] : [tap('check_out', child, at(month, d, outAt))]),
  ];

  /** The ledgers of M as a director would file them, from the hub and from the cloud. */
  const M_PATHS = [
    `/ledger/monthly?month=${M}&format=json`,
    `/ledger/monthly?month=${M}&format=csv`,
    `/ledger/monthly?month=${M}&format=csv&encoding=sjis`,
    `/ledger/monthly?month=${M}&format=xlsx`,
    `/ledger/monthly?month=${M}&format=pdf`,
    `/ledger/monthly?month=${M}&format=xlsx&lang=en`,
    `/ledger/monthly?month=${M}&class=k1&format=csv`,
    `/ledger/daily?date=${day(M, 3)}&format=json`,
    `/ledger/daily?date=${day(M, 3)}&format=csv`,
    `/ledger/daily?date=${day(M, 3)}&format=xlsx`,
    `/ledger/daily?date=${day(M, 3)}&format=pdf`,
  ];
  const saved = new Map<string, { hub: Buffer; cloud: Buffer }>();

  beforeAll(async () => {
    // The first roster of a hub holds for all of its past: M's events are taken under it.
    relayed = await startRelayedSite('genkan-history-', `${ROSTER_V1}\n`, async (s) => {
      await addStaff(join(s.dir, 'hub'), { ...STAFF, role: 'admin' });
    });
    site = relayed.site;

    // M: five days of everyone; c003 stays to 18:40 (standard care: 60 extended minutes); c006 forgets
    // to check out on the 4th. N: the four who stay, c006 forgets on the 4th again.
    const events: AttendanceEvent[] = [];
    for (let d = 1; d <= 5; d++) {
      for (const child of [1, 2, 3, 4, 5, 6]) {
        const out = child === 3 ? '18:40' : child === 6 && d === 4 ? null : '17:00';
        events.push(...attend(child, M, d, '08:00', out));
      }
      for (const child of [1, 2, 3, 6]) {
        const out = child === 6 && d === 4 ? null : '17:00';
        events.push(...attend(child, N, d, '08:00', out));
      }
    }
    const ack = await publish(events);
    expect(ack.rejected).toEqual([]);

    // The relay delivers in the background: wait until the cloud's M matches the hub's, then file M.
    await relayed.relayed(
      `/ledger/monthly?month=${M}&format=csv`,
      "the cloud's ledger of M to match the hub's",
    );
    for (const path of M_PATHS) {
      saved.set(path, {
        hub: await bytes(await hubFetch(`/api${path}`)),
        cloud: await bytes(await cloudFetch(path)),
      });
    }
  }, 240_000);

  afterAll(async () => {
    await relayed.stop();
  });

  it('files the same ledgers of M at the hub and in the cloud, in every format', () => {
    for (const [path, { hub, cloud }] of saved) expect(cloud.equals(hub), path).toBe(true);
    const m = MonthlyLedgerSchema.parse(JSON.parse(saved.get(M_PATHS[0] ?? '')?.hub.toString() ?? ''));
    expect(m.rows.map((r) => [r.class_name, r.child_id])).toEqual([
      ['ひよこ', 'c001'],
      ['ひよこ', 'c002'],
      ['ひよこ', 'c005'],
      ['りす', 'c003'],
      ['りす', 'c004'],
      ['りす', 'c006'],
    ]);
    expect(m.rows.find((r) => r.child_id === 'c003')?.extended_minutes).toBe(5 * 60);
  });

  it('keeps the ledgers of M byte-identical after roster v2 from the 1st of N, which N shows', async () => {
    const file = join(relayed.path, 'roster-v2.csv');
    await writeFile(file, `${ROSTER_V2}\n`);
    await genkanJson(['roster', 'import', file, '--data', join(site.dir, 'hub'), '--effective', day(N, 1)]);

    const nRows = (ledger: MonthlyLedger) =>
      ledger.rows.map((r) => [r.class_name, r.child_id, r.extended_minutes]);
    // c002 in りす, c003 on short hours (08:00–17:00 against 08:30–16:30: 30 + 30 minutes a day), c004
    // and c005 gone.
    const expected = [
      ['ひよこ', 'c001', 0],
      ['りす', 'c002', 0],
      ['りす', 'c003', 5 * 60],
      ['りす', 'c006', 0],
    ];
    const hubN = MonthlyLedgerSchema.parse(await (await hubFetch(`/api/ledger/monthly?month=${N}`)).json());
    expect(nRows(hubN)).toEqual(expected);
    await eventually(
      async () => {
        const res = await cloudFetch(`/ledger/monthly?month=${N}`);
        if (res.status !== 200) return undefined;
        const cloudN = MonthlyLedgerSchema.parse(await res.json());
        return JSON.stringify(nRows(cloudN)) === JSON.stringify(expected) ? true : undefined;
      },
      60_000,
      "the cloud's ledger of N to show roster v2",
    );

    for (const [path, before] of saved) {
      expect((await bytes(await hubFetch(`/api${path}`))).equals(before.hub), `hub ${path}`).toBe(true);
      expect((await bytes(await cloudFetch(path))).equals(before.cloud), `cloud ${path}`).toBe(true);
    }
  });

  it('corrects a forgotten check-out over HTTP: cell, extended minutes, audit, open days', async () => {
    const date = day(N, 4);
    const openDays = async () =>
      ((await (await hubFetch(`/api/open-days?month=${N}`)).json()) as { openDays: unknown[] }).openDays;
    expect(await openDays()).toContainEqual({ childId: 'c006', date, missing: 'check_out' });

    const reason = 'お迎え時の打刻漏れ（保護者に確認済み）';
    const res = await hubFetch('/api/corrections', {
      method: 'POST',
      body: JSON.stringify({ childId: 'c006', date, checkOut: '18:40', reason, actor: STAFF.id }),
    });
    expect(res.status).toBe(200);
    const result = (await res.json()) as { correctionId: string; events: string[] };
    expect(result.events).toHaveLength(1);

    const daily = DailyLedgerSchema.parse(await (await hubFetch(`/api/ledger/daily?date=${date}`)).json());
    expect(daily.rows.find((r) => r.child_id === 'c006')).toMatchObject({
      check_in: '08:00',
      check_out: '18:40',
      // 40 minutes past the standard band's 18:00: over the 5-minute grace, rounded up to 30s.
      extended_minutes: 60,
      corrected: true,
      open: false,
    });
    const monthly = MonthlyLedgerSchema.parse(
      await (await hubFetch(`/api/ledger/monthly?month=${N}`)).json(),
    );
    const row = monthly.rows.find((r) => r.child_id === 'c006');
    expect(row?.days[3]).toBe('08:00-18:40');
    expect(row?.corrected_days).toContain(4);
    expect(row?.open_days).toEqual([]);
    expect(await openDays()).not.toContainEqual({ childId: 'c006', date, missing: 'check_out' });

    const store = HubStore.open(join(site.dir, 'hub'));
    try {
      const entry = store.audit.all().find((a) => a.action === 'ledger.correct');
      expect(entry).toMatchObject({
        actorKind: 'staff',
        actorId: STAFF.id,
        subject: 'child:c006',
        outcome: 'ok',
        before: { date, checkIn: '08:00', checkOut: null, absent: null },
        after: {
          date,
          checkIn: '08:00',
          checkOut: '18:40',
          absent: null,
          reason,
          correctionId: result.correctionId,
        },
      });
    } finally {
      store.close();
    }
  });

  it('closes M: device events dated in it are refused, an amendment is listed at the hub and in the cloud', async () => {
    const closed = await hubFetch(`/api/months/${M}/close`, {
      method: 'POST',
      body: JSON.stringify({ actor: STAFF.id }),
    });
    expect(closed.status).toBe(200);
    expect(await closed.json()).toMatchObject({ month: M, state: 'closed', closedBy: STAFF.id });

    const late = tap('check_in', 1, at(M, 20, '08:00'));
    const ack = await publish([late]);
    expect(ack.rejected).toEqual([expect.objectContaining({ id: late.id, code: 'month_closed' })]);

    const body = {
      childId: 'c006',
      date: day(M, 4),
      checkOut: '17:00',
      reason: '連絡帳で確認',
      actor: STAFF.id,
    };
    const refused = await hubFetch('/api/corrections', { method: 'POST', body: JSON.stringify(body) });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('month_closed');
    const amended = await hubFetch('/api/corrections', {
      method: 'POST',
      body: JSON.stringify({ ...body, amendment: true }),
    });
    expect(amended.status).toBe(200);

    const expected = {
      date: day(M, 4),
      childId: 'c006',
      childName: '園児 6',
      before: { checkIn: '08:00', checkOut: null, absent: null },
      after: { checkIn: '08:00', checkOut: '17:00', absent: null },
      actor: STAFF.id,
      actorName: STAFF.name,
      reason: '連絡帳で確認',
    };
    const hubM = MonthlyLedgerSchema.parse(await (await hubFetch(`/api/ledger/monthly?month=${M}`)).json());
    expect(hubM.amendments).toEqual([expect.objectContaining(expected)]);
    const csv = await (await hubFetch(`/api/ledger/monthly?month=${M}&format=csv`)).text();
    expect(csv).toContain('訂正履歴');
    expect(csv).toContain('連絡帳で確認');
    await eventually(
      async () => {
        const res = await cloudFetch(`/ledger/monthly?month=${M}`);
        if (res.status !== 200) return undefined;
        const cloudM = MonthlyLedgerSchema.parse(await res.json());
        return cloudM.amendments.length === 1 ? cloudM : undefined;
      },
      60_000,
      "the cloud's ledger of M to list the amendment",
    ).then((cloudM) => {
      expect(cloudM.amendments).toEqual(hubM.amendments);
    });

    const months = (await (await hubFetch('/api/months')).json()) as {
      months: { month: string; state: string; amendments: number }[];
    };
    expect(months.months.find((m) => m.month === M)).toMatchObject({ state: 'closed', amendments: 1 });
    expect(months.months.find((m) => m.month === N)).toMatchObject({ state: 'open', amendments: 0 });
  });
});
