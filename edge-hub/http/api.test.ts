import mqtt from 'mqtt';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.ts';
import { fixedClock } from '../../common/time.ts';
import {
  DailyLedgerSchema,
  MonthlyLedgerSchema,
  RollcallSchema,
  type AttendanceEvent,
} from '../../protocol/index.ts';
import { startHub, type RunningHubWithPlain } from '../hub.ts';
import { HubStore } from '../store/hub-store.ts';
import { makeEvent, provision, removeDir, startTestHub, type TestSite } from '../../test/support/hub.ts';
import { until } from '../../test/support/wait.ts';

const TOKEN = 'test-admin-token';

describe('hub HTTP API', () => {
  let site: TestSite;
  let hub: RunningHubWithPlain;
  let base: string;
  const events: AttendanceEvent[] = [];

  beforeAll(async () => {
    site = await provision(1);
    const store = HubStore.open(site.dir);
    const checkIn = makeEvent({ occurredAt: '2026-04-01T08:00:00+09:00' });
    events.push(
      checkIn,
      makeEvent({ type: 'check_out', occurredAt: '2026-04-01T17:30:00+09:00' }),
      makeEvent({ childId: 'c003', occurredAt: '2026-04-01T08:10:00+09:00' }),
      makeEvent({ childId: 'c003', type: 'void', voids: '', occurredAt: '2026-04-01T08:11:00+09:00' }),
      makeEvent({ childId: 'c002', type: 'absent', occurredAt: '2026-04-01T07:00:00+09:00', note: 'fever' }),
      makeEvent({ childId: 'c004', occurredAt: '2026-04-01T09:00:00+09:00' }),
    );
    const voided = events[2];
    const voiding = events[3];
    if (voided && voiding) voiding.voids = voided.id;
    store.events.insertEvents(events);
    store.events.insertEvents([makeEvent({ occurredAt: '2026-04-02T08:00:00+09:00' })]);
    store.close();
    hub = await startTestHub(site, { clock: fixedClock('2026-04-01T12:00:00+09:00') });
    base = `http://127.0.0.1:${hub.ports.http}`;
  });
  afterAll(async () => {
    await hub.close();
    await removeDir(site.dir);
  });

  const get = (path: string, token: string | null = TOKEN) =>
    fetch(`${base}${path}`, token === null ? {} : { headers: { authorization: `Bearer ${token}` } });

  it('serves /healthz without a token', async () => {
    const res = await get('/healthz', null);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, relay: { configured: false }, warnings: [] });
  });

  it('serves /metrics with the admin token only', async () => {
    expect((await get('/metrics', null)).status).toBe(401);
    expect((await get('/metrics', 'nope')).status).toBe(401);
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('# TYPE genkan_hub_events_total counter\ngenkan_hub_events_total 7\n');
    expect(text).toContain('genkan_hub_relay_configured 0\n');
    expect(text).not.toContain('genkan_hub_relay_waiting_events');
    expect(text).toContain('genkan_hub_mqtt_keepalive_refused_total 0\n');
  });

  it('counts on /metrics what the broker refused: a login without a keepalive', async () => {
    await expect(
      mqtt.connectAsync(`mqtt://127.0.0.1:${String(hub.ports.mqtt)}`, {
        protocolVersion: 4,
        reconnectPeriod: 0,
        keepalive: 0,
        clientId: 'kiosk-1',
        username: 'kiosk-1',
        password: 'wrong',
      }),
    ).rejects.toMatchObject({ code: 5 });
    const text = await (await get('/metrics')).text();
    expect(text).toContain(
      '# TYPE genkan_hub_mqtt_keepalive_refused_total counter\ngenkan_hub_mqtt_keepalive_refused_total 1\n',
    );
    for (const name of ['logins_limited', 'logins_busy', 'connections_refused', 'slow_clients_dropped']) {
      expect(text).toContain(`genkan_hub_mqtt_${name}_total 0\n`);
    }
  });

  it('answers 401 without a token or with a wrong one', async () => {
    for (const path of ['/api/rollcall', '/api/events', '/api/ledger/daily', '/nowhere']) {
      const missing = await get(path, null);
      expect(missing.status).toBe(401);
      expect(await missing.json()).toEqual({
        error: { code: 'unauthorized', message: 'missing bearer token' },
      });
      const wrong = await get(path, 'nope');
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toEqual({ error: { code: 'unauthorized', message: 'wrong admin token' } });
    }
  });

  it('answers API, ledger, probe and error responses with Cache-Control: no-store', async () => {
    for (const [path, token] of [
      ['/api/rollcall', TOKEN],
      ['/api/events?date=2026-04-01', TOKEN],
      ['/api/ledger/daily?date=2026-04-01&format=csv', TOKEN],
      ['/metrics', TOKEN],
      ['/healthz', null],
      ['/api/rollcall', null],
      ['/api/nothing', TOKEN],
    ] as const) {
      const res = await get(path, token);
      expect(res.headers.get('cache-control'), path).toBe('no-store');
      await res.arrayBuffer();
    }
  });

  it('answers 404 in the error format', async () => {
    const res = await get('/api/nothing');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('serves the roll-call of today by default and of any date', async () => {
    const res = await get('/api/rollcall');
    expect(res.status).toBe(200);
    const body = RollcallSchema.parse(await res.json());
    expect(body.date).toBe('2026-04-01');
    expect(body.facilityId).toBe('f1');
    expect(body.classes.map((c) => c.id)).toEqual(['k1', 'k2']);
    const children = body.classes.flatMap((c) => c.children);
    // k1 by kana: やまだ じろう (c002) before やまだ たろう (c001); k2: あいう (c004) before さとう (c003)
    expect(children.map((c) => c.id)).toEqual(['c002', 'c001', 'c004', 'c003']);
    expect(children.map((c) => c.status)).toEqual(['absent', 'left', 'present', 'not_arrived']);
    expect(children[1]).toEqual({
      id: 'c001',
      name: '山田 太郎',
      status: 'left',
      checkInAt: '2026-04-01T08:00:00+09:00',
      checkOutAt: '2026-04-01T17:30:00+09:00',
    });
    const other = RollcallSchema.parse(await (await get('/api/rollcall?date=2026-04-02')).json());
    expect(other.classes[0]?.children.find((c) => c.id === 'c001')?.status).toBe('present');
  });

  it('serves the events of a business day', async () => {
    const body = (await (await get('/api/events?date=2026-04-01')).json()) as {
      date: string;
      events: unknown[];
    };
    expect(body.date).toBe('2026-04-01');
    const sorted = [...events].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
    expect(body.events).toEqual(sorted);
    expect(await (await get('/api/events?date=2026-05-01')).json()).toEqual({
      date: '2026-05-01',
      events: [],
    });
  });

  it('refuses a bad date or format with 400', async () => {
    for (const path of [
      '/api/rollcall?date=2026-02-30',
      '/api/events?date=yesterday',
      '/api/ledger/daily?date=2026-4-1',
      '/api/ledger/daily?format=xml',
      '/api/events?date=2026-04-01&date=2026-04-02',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'bad_request' } });
    }
  });

  it('serves the daily ledger as JSON', async () => {
    const body = DailyLedgerSchema.parse(await (await get('/api/ledger/daily?date=2026-04-01')).json());
    expect(body).toMatchObject({ facilityId: 'f1', date: '2026-04-01' });
    expect(body.rows).toMatchObject([
      { child_id: 'c002', class_name: 'ひよこ組', status: 'absent', check_in: null, extended_minutes: null },
      {
        child_id: 'c001',
        child_name: '山田 太郎',
        status: 'left',
        check_in: '08:00',
        check_out: '17:30',
        extended_minutes: 0,
        corrected: false,
        open: false,
      },
      // checked in, no check-out: flagged, not guessed
      { child_id: 'c004', child_name: '=1+2', status: 'present', extended_minutes: null, open: true },
      // its only check-in was voided
      { child_id: 'c003', class_name: 'りす組', status: 'not_arrived', corrected: true },
    ]);
    expect(body.rows[0]?.note).toContain('fever');
  });

  it('serves the daily ledger as CSV with a BOM and formula-safe cells, and in Shift_JIS', async () => {
    const res = await get('/api/ledger/daily?date=2026-04-01&format=csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    // RFC 6266: the ASCII name, and the name in the ledger's language.
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="ledger-2026-04-01\.csv"; filename\*=UTF-8''%E7%99%BB%E9%99%8D%E5%9C%92%E8%A8%98%E9%8C%B2%E7%B0%BF_.+_2026-04-01\.csv$/,
    );
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    const lines = text.slice(1).split('\r\n');
    expect(lines[0]).toBe('組,園児ID,園児名,出欠,登園,降園,延長保育（分）,備考,訂正');
    expect(lines[2]).toMatch(/^ひよこ組,c001,山田 太郎,降園済,08:00,17:30,0,/);
    expect(lines[3]).toMatch(/^りす組,c004,'=1\+2,登園中,09:00,,,/);
    // English on request: headings, values and the file name.
    const en = await get('/api/ledger/daily?date=2026-04-01&format=csv&lang=en');
    const enLines = (await en.text()).split('\r\n');
    expect(enLines[0]).toBe('Class,Child ID,Child,Status,In,Out,Extended care (min),Note,Corrected');
    expect(enLines[2]).toMatch(/^ひよこ組,c001,山田 太郎,Left,/);
    expect(en.headers.get('content-disposition')).toMatch(
      /filename\*=UTF-8''daily-record_.+_2026-04-01\.csv$/,
    );
    const sjis = await get('/api/ledger/daily?date=2026-04-01&format=csv&encoding=sjis');
    expect(sjis.headers.get('content-type')).toMatch(/shift_jis/i);
    expect(new TextDecoder('shift_jis').decode(await sjis.arrayBuffer())).toBe(text.slice(1));
  });

  it('serves the monthly ledger, per class too, and as XLSX and PDF', async () => {
    const month = MonthlyLedgerSchema.parse(await (await get('/api/ledger/monthly?month=2026-04')).json());
    expect(month.rows).toHaveLength(4);
    const c001 = month.rows.find((r) => r.child_id === 'c001');
    expect(c001?.days).toHaveLength(30);
    expect(c001?.days.slice(0, 2)).toEqual(['08:00-17:30', '08:00-']);
    expect(month.rows.find((r) => r.child_id === 'c002')?.days[0]).toBe('欠');
    const k2 = MonthlyLedgerSchema.parse(
      await (await get('/api/ledger/monthly?month=2026-04&class=k2')).json(),
    );
    expect(k2.rows.map((r) => r.child_id)).toEqual(['c004', 'c003']);
    const xlsx = await get('/api/ledger/monthly?month=2026-04&format=xlsx');
    expect(xlsx.status).toBe(200);
    expect(
      Buffer.from(await xlsx.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
    const pdf = await get('/api/ledger/daily?date=2026-04-01&format=pdf');
    expect(pdf.status).toBe(200);
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  });

  it('refuses a bad month, format, encoding or class with 400', async () => {
    for (const q of [
      'monthly?month=2026-13',
      'monthly?month=2026-04&class=nope',
      'daily?date=2026-04-01&format=docx',
      'daily?date=2026-04-01&format=csv&encoding=latin1',
      'daily?date=2026-04-01&format=csv&lang=fr',
    ]) {
      const res = await get(`/api/ledger/${q}`);
      expect(res.status, q).toBe(400);
    }
  });
});

describe('hub admin token', () => {
  it('is generated once when none is given, stored hashed, and kept on later starts', async () => {
    const site = await provision(0);
    const options = {
      dataDir: site.dir,
      host: '127.0.0.1',
      mqttPort: 0,
      wsPort: 0,
      httpPort: 0,
      logger: silentLogger(),
    };
    try {
      const first = await startHub(options);
      const token = first.generatedAdminToken;
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      await first.close();

      const store = HubStore.open(site.dir);
      expect(JSON.stringify(store.db.prepare('SELECT * FROM meta').all())).not.toContain(token);
      store.close();

      const second = await startHub(options);
      try {
        expect(second.generatedAdminToken).toBeUndefined();
        expect(second.facilityId).toBe('demo');
        const res = await fetch(`http://127.0.0.1:${second.ports.http}/api/events`, {
          headers: { authorization: `Bearer ${token ?? ''}` },
        });
        expect(res.status).toBe(200);
      } finally {
        await second.close();
      }
      await expect(startHub({ ...options, facilityId: 'other' })).rejects.toMatchObject({
        code: 'facility_mismatch',
      });
    } finally {
      await removeDir(site.dir);
    }
  });
});

describe('hub relay health', () => {
  it('reports a stalled relay in /healthz and /metrics, without personal data', async () => {
    // A cloud that is down.
    const cloud = createServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'unavailable', message: 'down' } }));
    });
    await new Promise<void>((resolve) => cloud.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${String((cloud.address() as AddressInfo).port)}`;
    const site = await provision(1);
    const store = HubStore.open(site.dir);
    store.events.insertEvents([makeEvent({ note: '山田 太郎' }), makeEvent()], '2026-04-01T02:40:00.000Z');
    store.events.insertEvents([makeEvent({ clockDoubt: 'unsynced' })], '2026-04-01T02:50:00.000Z');
    store.close();
    // 20 minutes after the oldest was received.
    const hub = await startTestHub(site, {
      clock: fixedClock('2026-04-01T12:00:00+09:00'),
      cloud: { url, token: 'hub1.secret' },
      tuning: { rosterPollMs: 50, rollcallThrottleMs: 20, relay: { baseDelayMs: 5, maxDelayMs: 20 } },
    });
    const base = `http://127.0.0.1:${String(hub.ports.http)}`;
    try {
      const health = async () =>
        (await (await fetch(`${base}/healthz`)).json()) as {
          ok: boolean;
          relay: { lastError: unknown };
          warnings: string[];
        };
      const body = await until(async () => {
        const b = await health();
        return b.relay.lastError !== null && b;
      }, 'the relay to report an error');
      expect(body).toEqual({
        ok: true,
        relay: {
          configured: true,
          waiting: 3,
          oldestWaitingAt: '2026-04-01T02:40:00.000Z',
          oldestAgeSeconds: 1200,
          lastError: { reason: 'HTTP 503 unavailable', at: '2026-04-01T03:00:00.000Z' },
          lastSuccessAt: null,
          rejected: 0,
        },
        warnings: ['relay_stalled'],
      });
      expect(JSON.stringify(body)).not.toContain('山田');

      const metrics = await (
        await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
      ).text();
      for (const line of [
        'genkan_hub_events_total 3',
        'genkan_hub_clock_doubt_events_total 1',
        'genkan_hub_relay_configured 1',
        'genkan_hub_relay_waiting_events 3',
        'genkan_hub_relay_oldest_waiting_seconds 1200',
        'genkan_hub_relay_rejected_events 0',
        'genkan_hub_relay_last_success_timestamp_seconds 0',
        `genkan_hub_relay_last_error_timestamp_seconds ${String(Date.parse('2026-04-01T03:00:00Z') / 1000)}`,
      ]) {
        expect(metrics).toContain(`\n${line}\n`);
      }
    } finally {
      await hub.close();
      cloud.closeAllConnections();
      await new Promise((resolve) => cloud.close(resolve));
      await removeDir(site.dir);
    }
  });
});
