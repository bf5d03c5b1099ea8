import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../common/time.ts';
import { dailyLedger, ledgerCsv, monthlyLedger } from '../common/ledger/index.ts';
import type { AttendanceEvent } from '../protocol/index.ts';
import type { FacilitySnapshot } from '../protocol/ledger.ts';
import {
  describeOnPostgres,
  sqliteBackend,
  startTestCloud,
  type CloudBackend,
  type TestCloud,
} from '../test/support/cloud.ts';
import type { CloudOptions } from './server.ts';
import { sampleEvent, sampleSnapshot } from '../test/contract/cloud-store.ts';
import { sourceOf } from '../test/support/ledger-month.ts';
import { expectErrorBody } from '../test/support/error-body.ts';

const ADMIN = 'admin-token-0123456789abcdef';
/**
 * The cloud's clock: noon after the April events below (2026-04-01 and 02 in Tokyo), so that they stay
 * within its time window whenever the tests run. Nothing else here depends on it (ledgers do not read it,
 * the store checks tokens on its own clock).
 */
const NOW = new Date('2026-04-02T12:00:00+09:00');

interface Harness extends TestCloud {
  tokenA: string;
  tokenB: string;
}

function harness(backend: CloudBackend, options: Partial<CloudOptions> = {}): Promise<Harness> {
  return startTestCloud(
    backend,
    { adminToken: ADMIN, clock: fixedClock(NOW), ...options },
    async (store) => ({
      tokenA: await store.addHub('hub-a', 'fac-a'),
      tokenB: await store.addHub('hub-b', 'fac-b'),
    }),
  );
}

interface Reply {
  status: number;
  headers: Headers;
  bytes: Buffer;
  /** The body as JSON, or undefined when it is not JSON. */
  json: unknown;
}

async function call(url: string, init: RequestInit = {}): Promise<Reply> {
  const res = await fetch(url, init);
  const bytes = Buffer.from(await res.arrayBuffer());
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, bytes, json };
}

const bearer = (token: string | undefined): Record<string, string> =>
  token === undefined ? {} : { authorization: `Bearer ${token}` };

function putSnapshot(h: Harness, token: string | undefined, body: unknown): Promise<Reply> {
  return call(`${h.base}/v1/snapshot`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...bearer(token) },
    body: JSON.stringify(body),
  });
}

function getLedger(h: Harness, token: string | undefined, path: string): Promise<Reply> {
  return call(`${h.base}/v1/facilities/${path}`, { headers: bearer(token) });
}

async function postEvents(
  h: Harness,
  token: string,
  events: AttendanceEvent[],
  hubId = 'hub-a',
): Promise<void> {
  const reply = await call(`${h.base}/v1/batches`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(token) },
    body: JSON.stringify({ hubId, facilityId: hubId === 'hub-a' ? 'fac-a' : 'fac-b', events }),
  });
  expect(reply.json).toMatchObject({ rejected: [] });
}

function expectError(reply: Reply, status: number, code: string): void {
  expect(reply.status).toBe(status);
  expectErrorBody(reply.json, code);
}

const at = (date: string, time: string) => `${date}T${time}:00+09:00`;

/** One April morning: c-001 in and out (out after the standard band), c-002 absent, c-003 in only. */
function april(): { day1: AttendanceEvent[]; lateVoid: AttendanceEvent; day2: AttendanceEvent[] } {
  const wrongOut = sampleEvent({
    type: 'check_out',
    childId: 'c-003',
    occurredAt: at('2026-04-01', '12:00'),
  });
  const day1 = [
    sampleEvent({ childId: 'c-001', occurredAt: at('2026-04-01', '07:58') }),
    sampleEvent({ type: 'check_out', childId: 'c-001', occurredAt: at('2026-04-01', '18:40') }),
    sampleEvent({ type: 'absent', childId: 'c-002', method: 'staff', actor: 'staff-1', note: '発熱' }),
    sampleEvent({ childId: 'c-003', occurredAt: at('2026-04-01', '09:00') }),
    wrongOut,
  ];
  // Voided the next day: the cloud must still apply it to April 1st.
  const lateVoid = sampleEvent({
    type: 'void',
    childId: 'c-003',
    voids: wrongOut.id,
    method: 'staff',
    actor: 'staff-1',
    occurredAt: at('2026-04-02', '08:00'),
  });
  const day2 = [sampleEvent({ childId: 'c-001', occurredAt: at('2026-04-02', '08:10') })];
  return { day1, lateVoid, day2 };
}

function describeLedgerRoutes(name: string, fresh: () => Promise<CloudBackend>): void {
  describe(`cloud ledgers over HTTP (${name})`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await harness(await fresh());
    });
    afterEach(async () => {
      await h.close();
    });

    describe('PUT /v1/snapshot', () => {
      it('stores the snapshot of the token’s facility (204); the latest upload wins', async () => {
        const first = sampleSnapshot('fac-a');
        const put = await putSnapshot(h, h.tokenA, first);
        expect(put.status).toBe(204);
        expect(put.bytes.length).toBe(0);
        expect(await h.store.getSnapshot('fac-a', '2026-04-01')).toStrictEqual(first);
        const second = sampleSnapshot('fac-a', { facilityName: '改名保育園' });
        expect((await putSnapshot(h, h.tokenA, second)).status).toBe(204);
        expect(await h.store.getSnapshot('fac-a', '2026-04-01')).toStrictEqual(second);
      });

      it('refuses without a hub token (401), for another facility (403), in another zone (409)', async () => {
        expectError(await putSnapshot(h, undefined, sampleSnapshot('fac-a')), 401, 'unauthorized');
        expectError(await putSnapshot(h, ADMIN, sampleSnapshot('fac-a')), 401, 'unauthorized');
        expectError(await putSnapshot(h, `${h.tokenA}x`, sampleSnapshot('fac-a')), 401, 'unauthorized');
        expectError(await putSnapshot(h, h.tokenB, sampleSnapshot('fac-a')), 403, 'forbidden');
        expectError(
          await putSnapshot(h, h.tokenA, sampleSnapshot('fac-a', { timeZone: 'Europe/Paris' })),
          409,
          'time_zone_mismatch',
        );
        expect(await h.store.getSnapshot('fac-a', '2026-04-01')).toBeUndefined();
      });

      it('refuses a body that is not a snapshot with 400 and the reason', async () => {
        const { children: _children, ...noChildren } = sampleSnapshot('fac-a');
        const bad = [
          noChildren,
          { ...sampleSnapshot('fac-a'), extra: true },
          { ...sampleSnapshot('fac-a'), classes: [{ id: 'bad id', name: 'x' }] },
          [sampleSnapshot('fac-a')],
        ];
        for (const body of bad) {
          const reply = await putSnapshot(h, h.tokenA, body);
          expectError(reply, 400, 'bad_request');
        }
        const reply = await putSnapshot(h, h.tokenA, noChildren);
        expect((reply.json as { error: { message: string } }).error.message).toContain('children');
        expectError(
          await putSnapshot(h, h.tokenA, sampleSnapshot('fac-a', { timeZone: 'Mars/Olympus' })),
          400,
          'invalid_time_zone',
        );
        expect(await h.store.getSnapshot('fac-a', '2026-04-01')).toBeUndefined();
      });
    });

    describe('GET /v1/facilities/F/ledger/…', () => {
      let snapshot: FacilitySnapshot;
      let events: ReturnType<typeof april>;
      beforeEach(async () => {
        snapshot = sampleSnapshot('fac-a');
        events = april();
        expect((await putSnapshot(h, h.tokenA, snapshot)).status).toBe(204);
        await postEvents(h, h.tokenA, [...events.day2, events.lateVoid, ...events.day1]);
      });

      it('answers JSON by default: the engine’s daily ledger, later voids applied', async () => {
        const expected = dailyLedger(sourceOf(snapshot), '2026-04-01', [...events.day1, events.lateVoid]);
        for (const token of [h.tokenA, ADMIN]) {
          const reply = await getLedger(h, token, 'fac-a/ledger/daily?date=2026-04-01');
          expect(reply.status).toBe(200);
          expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
          expect(reply.json).toStrictEqual(expected);
        }
        const c003 = expected.rows.find((r) => r.child_id === 'c-003');
        expect(c003).toMatchObject({ check_out: null, corrected: true });
        const json = await getLedger(h, h.tokenA, 'fac-a/ledger/daily?date=2026-04-01&format=json');
        expect(json.json).toStrictEqual(expected);
      });

      it('answers the engine’s monthly ledger, for all classes or one', async () => {
        const all = [...events.day1, events.lateVoid, ...events.day2];
        const reply = await getLedger(h, h.tokenA, 'fac-a/ledger/monthly?month=2026-04');
        expect(reply.status).toBe(200);
        expect(reply.json).toStrictEqual(monthlyLedger(sourceOf(snapshot), '2026-04', all, null));
        const usagi = await getLedger(h, ADMIN, 'fac-a/ledger/monthly?month=2026-04&class=usagi&format=json');
        expect(usagi.json).toStrictEqual(monthlyLedger(sourceOf(snapshot), '2026-04', all, 'usagi'));
        expect((usagi.json as { rows: unknown[] }).rows).toHaveLength(2);
        const march = await getLedger(h, h.tokenA, 'fac-a/ledger/monthly?month=2026-03');
        expect(march.json).toStrictEqual(monthlyLedger(sourceOf(snapshot), '2026-03', [], null));
      });

      it('serves CSV as a download, byte for byte the engine’s, UTF-8 with BOM or Shift_JIS', async () => {
        const expected = dailyLedger(sourceOf(snapshot), '2026-04-01', [...events.day1, events.lateVoid]);
        const utf8 = await getLedger(h, h.tokenA, 'fac-a/ledger/daily?date=2026-04-01&format=csv');
        expect(utf8.status).toBe(200);
        expect(utf8.headers.get('content-type')).toBe('text/csv; charset=utf-8');
        // RFC 6266: the ASCII name, and the name in the ledger's language (as the hub's).
        expect(utf8.headers.get('content-disposition')).toBe(
          `attachment; filename="ledger-2026-04-01.csv"; filename*=UTF-8''${encodeURIComponent(
            `登降園記録簿_${expected.facilityName}_2026-04-01.csv`,
          )}`,
        );
        expect(utf8.bytes.subarray(0, 3)).toStrictEqual(Buffer.from([0xef, 0xbb, 0xbf]));
        expect(utf8.bytes).toStrictEqual(ledgerCsv(expected, 'utf8'));
        expect(utf8.bytes.toString('utf8')).toContain('山田 花子');

        const sjis = await getLedger(
          h,
          h.tokenA,
          'fac-a/ledger/daily?date=2026-04-01&format=csv&encoding=sjis',
        );
        expect(sjis.status).toBe(200);
        expect(sjis.headers.get('content-type')).toBe('text/csv; charset=Shift_JIS');
        expect(sjis.bytes).toStrictEqual(ledgerCsv(expected, 'sjis'));
        const decoded = iconv.decode(sjis.bytes, 'Shift_JIS');
        expect(decoded).toContain('山田 花子');
        expect(decoded).toContain('発熱');

        const monthly = await getLedger(
          h,
          ADMIN,
          'fac-a/ledger/monthly?month=2026-04&class=hiyoko&format=csv',
        );
        expect(monthly.headers.get('content-disposition')).toMatch(
          /^attachment; filename="ledger-2026-04-hiyoko\.csv"; filename\*=UTF-8''%E5%87%BA%E5%B8%AD%E7%B0%BF_.+_2026-04\.csv$/,
        );
        // English on request, the same bytes as the engine's.
        const en = await getLedger(h, ADMIN, 'fac-a/ledger/daily?date=2026-04-01&format=csv&lang=en');
        expect(en.bytes).toStrictEqual(ledgerCsv(expected, 'utf8', 'en'));
        expect(en.headers.get('content-disposition')).toMatch(
          /filename\*=UTF-8''daily-record_.+_2026-04-01\.csv$/,
        );
        expect(monthly.bytes).toStrictEqual(
          ledgerCsv(
            monthlyLedger(
              sourceOf(snapshot),
              '2026-04',
              [...events.day1, events.lateVoid, ...events.day2],
              'hiyoko',
            ),
            'utf8',
          ),
        );
      });

      it('serves XLSX (a zip) and PDF downloads', async () => {
        const xlsx = await getLedger(h, h.tokenA, 'fac-a/ledger/monthly?month=2026-04&format=xlsx');
        expect(xlsx.status).toBe(200);
        expect(xlsx.headers.get('content-type')).toBe(
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        );
        expect(xlsx.headers.get('content-disposition')).toMatch(
          /^attachment; filename="ledger-2026-04\.xlsx"; filename\*=UTF-8''%E5%87%BA%E5%B8%AD%E7%B0%BF_.+_2026-04\.xlsx$/,
        );
        expect(xlsx.bytes.subarray(0, 2).toString('latin1')).toBe('PK');

        const pdf = await getLedger(h, h.tokenA, 'fac-a/ledger/daily?date=2026-04-01&format=pdf');
        expect(pdf.status).toBe(200);
        expect(pdf.headers.get('content-type')).toBe('application/pdf');
        expect(pdf.headers.get('content-disposition')).toMatch(
          /^attachment; filename="ledger-2026-04-01\.pdf"; filename\*=UTF-8''.+_2026-04-01\.pdf$/,
        );
        expect(pdf.bytes.subarray(0, 4).toString('latin1')).toBe('%PDF');
      });

      it('answers 503 pdf_font_missing when no Japanese font is installed', async () => {
        const saved = process.env['GENKAN_PDF_FONT'];
        // The engine takes its font from this variable first.
        process.env['GENKAN_PDF_FONT'] = '/nonexistent/genkan-font.ttf';
        try {
          const reply = await getLedger(h, h.tokenA, 'fac-a/ledger/daily?date=2026-04-01&format=pdf');
          expectError(reply, 503, 'pdf_font_missing');
        } finally {
          if (saved === undefined) delete process.env['GENKAN_PDF_FONT'];
          else process.env['GENKAN_PDF_FONT'] = saved;
        }
      });

      it('refuses without a valid token (401) and across facilities (403)', async () => {
        for (const path of ['fac-a/ledger/daily?date=2026-04-01', 'fac-a/ledger/monthly?month=2026-04']) {
          expectError(await getLedger(h, undefined, path), 401, 'unauthorized');
          expectError(await getLedger(h, 'hub-a.nope', path), 401, 'unauthorized');
          expectError(await getLedger(h, h.tokenB, path), 403, 'forbidden');
        }
      });

      it('answers 404 no_snapshot before the hub sent one, and 404 for an unknown facility', async () => {
        expectError(await getLedger(h, h.tokenB, 'fac-b/ledger/daily?date=2026-04-01'), 404, 'no_snapshot');
        expectError(await getLedger(h, ADMIN, 'fac-b/ledger/monthly?month=2026-04'), 404, 'no_snapshot');
        expectError(await getLedger(h, ADMIN, 'fac-zzz/ledger/daily?date=2026-04-01'), 404, 'not_found');
        expectError(await getLedger(h, ADMIN, 'fac-zzz/ledger/monthly?month=2026-04'), 404, 'not_found');
      });

      it('refuses bad dates, months, formats and encodings (400), and an unknown class (400 unknown_class)', async () => {
        for (const path of [
          'fac-a/ledger/daily',
          'fac-a/ledger/daily?date=2026-4-1',
          'fac-a/ledger/daily?date=2026-02-30',
          'fac-a/ledger/daily?date=2026-04-01&date=2026-04-02',
          'fac-a/ledger/daily?date=2026-04-01&format=xml',
          'fac-a/ledger/daily?date=2026-04-01&format=csv&format=json',
          'fac-a/ledger/daily?date=2026-04-01&format=csv&encoding=latin1',
          'fac-a/ledger/daily?date=2026-04-01&format=csv&lang=fr',
          'fac-a/ledger/monthly',
          'fac-a/ledger/monthly?month=2026-13',
          'fac-a/ledger/monthly?month=2026-4',
          'fac-a/ledger/monthly?month=2026-04-01',
          'fac-a/ledger/monthly?month=2026-04&format=docx',
          'fac.a/ledger/monthly?month=2026-04',
        ]) {
          expectError(await getLedger(h, ADMIN, path), 400, 'bad_request');
        }
        expectError(
          await getLedger(h, h.tokenA, 'fac-a/ledger/monthly?month=2026-04&class=kirin'),
          400,
          'unknown_class',
        );
      });
    });
  });
}

describeLedgerRoutes('SQLite', () => sqliteBackend('genkan-cloud-ledger-'));

describeOnPostgres('on PostgreSQL', (postgres) => {
  describeLedgerRoutes('PostgreSQL', () => postgres.backend());
});

describe('PUT /v1/snapshot body limit', () => {
  it('refuses a snapshot over the body limit with 413', async () => {
    const h = await harness(await sqliteBackend('genkan-cloud-ledger-'), { bodyLimit: 2048 });
    try {
      expect((await putSnapshot(h, h.tokenA, sampleSnapshot('fac-a'))).status).toBe(204);
      const big = sampleSnapshot('fac-a', { facilityName: 'x'.repeat(200), classes: [] });
      big.children = Array.from({ length: 20 }, (_, i) => ({
        id: `c-${i}`,
        name: '名'.repeat(50),
        kana: 'な'.repeat(50),
        classId: 'hiyoko',
        careType: 'standard' as const,
        enrolledOn: null,
        leftOn: null,
      }));
      expectError(await putSnapshot(h, h.tokenA, big), 413, 'payload_too_large');
      expect(await h.store.getSnapshot('fac-a', '2026-04-01')).toStrictEqual(sampleSnapshot('fac-a'));
    } finally {
      await h.close();
    }
  });
});
