import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import { HubStore } from '../edge-hub/store/hub-store.ts';
import {
  ExtendedLedgerSchema,
  MonthlyLedgerSchema,
  type AttendanceEvent,
  type ExtendedLedger,
} from '../protocol/index.ts';
import {
  CHILDREN,
  expectedReport,
  extendedMonth,
  LATE_FROM,
  LEAVES_AFTER,
  reportMinutesByChild,
  SWITCH_DAY,
} from './support/extended-month.ts';
import { genkanJson } from './support/process.ts';
import { publishAsKiosk } from './support/kiosk-publish.ts';
import { monthBack, startRelayedSite, type RelayedSite } from './support/ledger-site.ts';

/**
 * Issue 16 point 3 across real processes: the extended-care report of last month (six children, 標準時間
 * and 短時間, one changing care type mid-month by a dated roster import, one enrolled late, one leaving
 * early; voids, an absence, an open day; the taps over MQTT as a kiosk, the staff entries as the tablet
 * filed them) at the hub matches the report worked out from the plan alone, and hub and cloud answer
 * byte-identical JSON, CSV, XLSX and PDF.
 */

const M = monthBack(1);
const day = (d: number) => `${M}-${String(d).padStart(2, '0')}`;

const rosterCsv = (switched: boolean) =>
  [
    `${ROSTER_HEADER},care_type,enrolled_on,left_on`,
    ...CHILDREN.map((c) => {
      const care = c.id === 'x1' ? (switched ? 'short' : 'standard') : c.careOn(1);
      const enrolled = c.id === 'late' ? day(LATE_FROM) : '';
      // h2's leaving comes with the second version (a hub refuses taps of a child no longer on its roster).
      const left = c.id === 'h2' && switched ? day(LEAVES_AFTER) : '';
      const className = c.classId === 'k1' ? 'ひよこ組' : 'りす組';
      return `${c.classId},${className},${c.id},${c.name},${c.kana},g${c.id},保護者 ${c.id},,${care},${enrolled},${left}`;
    }),
  ].join('\n') + '\n';

/** The report's paths as a director would file them, from the hub (/api…) and from the cloud. */
const PATHS = [
  `/ledger/extended?month=${M}`,
  `/ledger/extended?month=${M}&format=json&lang=en`,
  `/ledger/extended?month=${M}&format=csv`,
  `/ledger/extended?month=${M}&format=csv&table=days`,
  `/ledger/extended?month=${M}&format=csv&encoding=sjis`,
  `/ledger/extended?month=${M}&format=csv&table=days&lang=en`,
  `/ledger/extended?month=${M}&format=xlsx`,
  `/ledger/extended?month=${M}&format=xlsx&lang=en`,
  `/ledger/extended?month=${M}&format=pdf`,
];

describe('extended-care report from a month of real traffic', () => {
  let relayed: RelayedSite;
  const month = extendedMonth(M, 'default');
  const saved = new Map<string, { hub: Response; hubBody: Buffer; cloud: Response; cloudBody: Buffer }>();

  const hubGet = (path: string) => relayed.hub(path);
  const cloudGet = (path: string) => relayed.cloud(path);

  beforeAll(async () => {
    relayed = await startRelayedSite('genkan-extended-', rosterCsv(false));
    const { site } = relayed;

    // Nothing after now (the days after the month may be today or later).
    const now = Date.now();
    const past = month.events.filter((e) => Date.parse(e.occurredAt) < now - 60_000);
    // Staff entries (absences, voids) never come over MQTT: into the hub's store as the tablet filed them;
    // the relay sends them on. The taps go over MQTT as the kiosk, with its own sequence and the guardian.
    const staff = past
      .filter((e) => e.method === 'staff')
      .map((e, i): AttendanceEvent => ({ ...e, deviceId: 'office-1', seq: i + 1 }));
    const kiosk = past
      .filter((e) => e.method !== 'staff')
      .map((e, i): AttendanceEvent => ({ ...e, deviceId: 'kiosk-1', seq: i + 1, actor: `g${e.childId}` }));
    const office = HubStore.open(join(site.dir, 'hub'));
    try {
      office.events.insertEvents(staff);
    } finally {
      office.close();
    }
    expect((await publishAsKiosk(site, relayed.mqttPort, 'kiosk-1', kiosk)).rejected).toEqual([]);

    // x1 on short hours and h2 leaving after LEAVES_AFTER: a second version from the SWITCH_DAY.
    const v2 = join(relayed.path, 'roster-v2.csv');
    await writeFile(v2, rosterCsv(true));
    await genkanJson([
      'roster',
      'import',
      v2,
      '--data',
      join(site.dir, 'hub'),
      '--effective',
      day(SWITCH_DAY),
    ]);

    // The relay delivers in the background: wait until the cloud's report is the hub's.
    await relayed.relayed(PATHS[0] ?? '', "the cloud's extended-care report to match the hub's");
    for (const path of PATHS) {
      const hubRes = await hubGet(`/api${path}`);
      const cloudRes = await cloudGet(path);
      saved.set(path, {
        hub: hubRes,
        hubBody: Buffer.from(await hubRes.arrayBuffer()),
        cloud: cloudRes,
        cloudBody: Buffer.from(await cloudRes.arrayBuffer()),
      });
    }
  }, 240_000);

  afterAll(async () => {
    await relayed.stop();
  });

  const report = (): ExtendedLedger =>
    ExtendedLedgerSchema.parse(JSON.parse(saved.get(PATHS[0] ?? '')?.hubBody.toString() ?? ''));

  it('counts as worked out from the plan: per day, per child and band, present at, open days', () => {
    const r = report();
    // The facility's default settings: grace 5, up to 30; counted at 18:00 and 19:00.
    const expected = expectedReport(month, 'default', ['18:00', '19:00']);
    expect(r.month).toBe(M);
    expect(r.presentAt).toEqual(['18:00', '19:00']);
    expect(r.days).toEqual(expected.days);
    expect(r.children).toEqual(expected.children);
    expect(r.openDays).toEqual(expected.openDays);
  });

  it('agrees with the monthly ledger: its extended minutes are before + after', async () => {
    const monthly = MonthlyLedgerSchema.parse(await (await hubGet(`/api/ledger/monthly?month=${M}`)).json());
    const minutes = reportMinutesByChild(report());
    for (const row of monthly.rows)
      expect(minutes.get(row.child_id) ?? 0, row.child_id).toBe(row.extended_minutes);
  });

  it('answers byte-identical files at the hub and in the cloud, with the same headers', () => {
    for (const [path, { hub, hubBody, cloud, cloudBody }] of saved) {
      expect(hub.status, path).toBe(200);
      expect(cloud.status, path).toBe(200);
      expect(cloudBody.equals(hubBody), path).toBe(true);
      expect(cloud.headers.get('content-type'), path).toBe(hub.headers.get('content-type'));
      expect(cloud.headers.get('content-disposition'), path).toBe(hub.headers.get('content-disposition'));
    }
    const xlsx = saved.get(`/ledger/extended?month=${M}&format=xlsx`)?.hub;
    expect(xlsx?.headers.get('content-disposition')).toContain(
      `filename*=UTF-8''${encodeURIComponent('延長保育_')}`,
    );
  });

  it('writes Japanese headings by default and English with lang=en', () => {
    const text = (path: string) => saved.get(path)?.hubBody.subarray(3).toString('utf8') ?? '';
    expect(text(`/ledger/extended?month=${M}&format=csv`).split('\r\n')[0]).toMatch(
      /^組,園児ID,園児名,認定区分,30分 前/,
    );
    expect(text(`/ledger/extended?month=${M}&format=csv&table=days&lang=en`).split('\r\n')[0]).toMatch(
      /^Date,Weekday,Standard before,Short before,Standard after,Short after,Present 18:00,Present 19:00$/,
    );
    const sjis =
      saved.get(`/ledger/extended?month=${M}&format=csv&encoding=sjis`)?.hubBody ?? Buffer.alloc(0);
    expect(iconv.decode(sjis, 'cp932').startsWith('組,園児ID')).toBe(true);
  });

  it('refuses bad parameters with 400 bad_request at both, and the report stays as it was', async () => {
    for (const query of [
      'month=2026-13',
      `month=${M}&format=docx`,
      `month=${M}&lang=fr`,
      `month=${M}&table=rows`,
      `month=${M}&encoding=latin1`,
      `month=${M}&month=${M}`,
    ]) {
      for (const res of [
        await hubGet(`/api/ledger/extended?${query}`),
        await cloudGet(`/ledger/extended?${query}`),
      ]) {
        expect(res.status, res.url).toBe(400);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_request');
      }
    }
    expect((await cloudGet(`/ledger/extended`)).status).toBe(400);
    expect((await fetch(`${relayed.hubBase}/api/ledger/extended?month=${M}`)).status).toBe(401);
    const again = Buffer.from(await (await hubGet(`/api${PATHS[0] ?? ''}`)).arrayBuffer());
    expect(again.equals(saved.get(PATHS[0] ?? '')?.hubBody ?? Buffer.alloc(0))).toBe(true);
  });
});
