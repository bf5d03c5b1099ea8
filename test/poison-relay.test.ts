import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newEventId } from '../common/ids.ts';
import { formatRfc3339, localDate } from '../common/time.ts';
import { openHubEventStore } from '../edge-hub/store/event-store.ts';
import { AckSchema, topics, type Ack, type AttendanceEvent } from '../protocol/index.ts';
import { describeOnPostgres, type PostgresBackend } from './support/cloud.ts';
import { cloudProcess, cloudReady } from './support/cloud-process.ts';
import { eventually, genkanJson, tempDir, type GenkanProcess } from './support/process.ts';
import { cloudEvents, hubEvents, simpleRoster, startHub, type Site } from './support/site.ts';

/**
 * Issue 11 across real processes: a bad event (a time no clock could have stamped, a NUL in a note) must
 * neither enter the record nor stop what comes after it. A hub relays to `genkan cloud --db postgres://…`:
 *
 * - poison events a hub stored before the validity rule existed are relayed, the cloud answers 200 and
 *   lists them as rejected, and the hub's relay moves past them (it used to get 500 for ever);
 * - a kiosk publishing poison events gets each rejected in the hub's ack with its code, nothing is
 *   stored, and its valid event published after them is in the cloud within seconds;
 * - a batch with one bad and one good event posted straight to the cloud is answered 200.
 */

const TZ = 'Asia/Tokyo';
const CLOUD_ADMIN = 'poison-cloud-admin-token-0123';
const DAY = 86_400_000;

/** The same instant as `at`, written with the offset +23:59 (beyond the ±14:00 in use on Earth). */
function withOffset2359(at: Date): string {
  const shifted = new Date(at.getTime() + (23 * 60 + 59) * 60_000);
  return `${shifted.toISOString().slice(0, 19)}+23:59`;
}

describeOnPostgres('poison events on the way to a PostgreSQL cloud', (postgres) => {
  let db: PostgresBackend;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  let cloud: GenkanProcess;
  let hub: GenkanProcess;
  let client: MqttClient | undefined;
  let cloudBase = '';
  let hubHttp = 0;
  let mqttPort = 0;
  const acks: Ack[] = [];
  const startedAt = new Date();
  let seq = 0;
  /** Stored by a hub before the rule existed (seeded into its database before it starts). */
  const legacy: { good: AttendanceEvent[]; poison: { event: AttendanceEvent; code: string }[] } = {
    good: [],
    poison: [],
  };
  const secretNote = 'お迎え 山田 花子';

  const deviceId = () => site.devices[0]?.deviceId ?? '';
  const event = (overrides: Partial<AttendanceEvent> = {}): AttendanceEvent => ({
    id: newEventId(),
    type: 'check_in',
    childId: 'c001',
    occurredAt: formatRfc3339(new Date(), TZ),
    deviceId: deviceId(),
    seq: ++seq,
    method: 'card',
    // The guardian of c001 on the roster: a kiosk's events need one.
    actor: 'g001',
    ...overrides,
  });

  /** The poison events, each with the code the hub and the cloud give it. */
  const poisons = (): { name: string; event: AttendanceEvent; code: string }[] => {
    const now = Date.now();
    return [
      {
        name: 'occurredAt 9999-12-31T15:00Z',
        event: event({ occurredAt: '9999-12-31T15:00:00Z' }),
        code: 'implausible_time',
      },
      { name: 'a NUL in the note', event: event({ note: `${secretNote}\u0000` }), code: 'bad_text' },
      {
        name: 'occurredAt 1970',
        event: event({ occurredAt: '1970-01-01T00:00:00Z' }),
        code: 'implausible_time',
      },
      {
        name: 'occurredAt a day ahead',
        event: event({ occurredAt: formatRfc3339(new Date(now + DAY), TZ) }),
        code: 'implausible_time',
      },
      {
        name: 'the offset +23:59',
        event: event({ occurredAt: withOffset2359(new Date(now)) }),
        code: 'implausible_time',
      },
    ];
  };

  const pgQuery = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      return (await c.query<R>(text, values)).rows;
    } finally {
      await c.end();
    }
  };
  const storedIds = async (): Promise<string[]> =>
    (await pgQuery<{ id: string }>("SELECT id FROM events WHERE facility_id = 'f1' ORDER BY id")).map(
      (r) => r.id,
    );

  const inCloud = async (e: AttendanceEvent): Promise<AttendanceEvent | undefined> => {
    const dates = [...new Set([...testDates(), localDate(new Date(e.occurredAt), TZ)])];
    return (await cloudEvents(site, Number(new URL(cloudBase).port), dates)).find((c) => c.id === e.id);
  };
  const testDates = () => [...new Set([localDate(startedAt, TZ), localDate(new Date(), TZ)])];

  /** Publishes as the kiosk and resolves with the ack that answers the event. */
  async function publish(e: AttendanceEvent): Promise<Ack> {
    const mqttClient = client;
    if (mqttClient === undefined) throw new Error('kiosk not connected');
    const answering = (a: Ack) => a.acked.includes(e.id) || a.rejected.some((r) => r.id === e.id);
    const answer = new Promise<Ack>((resolve, reject) => {
      const timer = setTimeout(() => {
        mqttClient.off('message', check);
        reject(new Error(`no ack for ${e.id} within 10 s`));
      }, 10_000);
      // After the listener that collects acks (registered first), so the answering ack is in the list.
      const check = (): void => {
        const ack = acks.find(answering);
        if (ack === undefined) return;
        clearTimeout(timer);
        mqttClient.off('message', check);
        resolve(ack);
      };
      mqttClient.on('message', check);
    });
    await mqttClient.publishAsync(topics.events(site.facilityId, deviceId()), JSON.stringify(e), { qos: 1 });
    return answer;
  }

  beforeAll(async () => {
    db = await postgres.backend();
    dir = await tempDir('genkan-poison-');
    const { csv, cards } = simpleRoster(3);
    await writeFile(join(dir.path, 'roster.csv'), csv);
    const hubToken = await genkanJson<{ token: string }>([
      'cloud',
      'hub',
      'add',
      'hub1',
      '--facility',
      'f1',
      '--db',
      db.url,
    ]);
    await genkanJson(['hub', 'init', '--data', join(dir.path, 'hub'), '--facility', 'f1']);
    const device = await genkanJson<{ deviceId: string; password: string }>([
      'device',
      'add',
      'kiosk-1',
      '--data',
      join(dir.path, 'hub'),
      '--role',
      'kiosk',
    ]);
    await genkanJson(['roster', 'import', join(dir.path, 'roster.csv'), '--data', join(dir.path, 'hub')]);
    site = {
      dir: dir.path,
      facilityId: 'f1',
      hubToken: hubToken.token,
      adminToken: 'test-admin-token',
      cloudAdminToken: CLOUD_ADMIN,
      devices: [device],
      cards,
    };

    // What a hub of the previous release stored and had not relayed yet: poison among good events.
    legacy.good.push(event(), event({ childId: 'c002', actor: 'g002' }));
    legacy.poison.push(
      { event: event({ occurredAt: '9999-12-31T15:00:00Z' }), code: 'implausible_time' },
      { event: event({ note: `${secretNote}\u0000` }), code: 'bad_text' },
    );
    const [g1, g2] = legacy.good;
    const [p1, p2] = legacy.poison;
    if (!g1 || !g2 || !p1 || !p2) throw new Error('legacy events expected');
    const old = openHubEventStore(join(dir.path, 'hub'), TZ);
    try {
      await old.insertEvents([g1, p1.event, p2.event, g2]);
    } finally {
      await old.close();
    }

    cloud = cloudProcess('cloud', db.location, CLOUD_ADMIN);
    cloudBase = (await cloudReady(cloud)).base;
    hub = startHub(site, { cloudUrl: cloudBase });
    const ready = await hub.ready();
    hubHttp = Number(ready['http']);
    mqttPort = Number(ready['mqtt']);
  });

  afterAll(async () => {
    await client?.endAsync();
    await hub.stop();
    await cloud.stop();
    await dir.remove();
    await db.remove();
  });

  it('relays past the poison a hub already held: the cloud answers 200 and rejects it, what follows arrives', async () => {
    // Both good events reach the cloud although the poison sits between them in the hub's relay order.
    for (const e of legacy.good) {
      expect(await eventually(() => inCloud(e), 15_000, `legacy event ${e.id} in the cloud`)).toStrictEqual(
        e,
      );
    }
    expect(await storedIds()).toStrictEqual(legacy.good.map((e) => e.id).sort());
    const metrics = await (
      await fetch(`${cloudBase}/metrics`, { headers: { authorization: `Bearer ${CLOUD_ADMIN}` } })
    ).text();
    expect(metrics).toContain('genkan_cloud_events_rejected_total{code="implausible_time"} 1');
    expect(metrics).toContain('genkan_cloud_events_rejected_total{code="bad_text"} 1');
    expect(metrics).toContain('genkan_cloud_events_rejected_total{code="store_error"} 0');
  });

  it('rejects each poison event a kiosk publishes in the ack with its code; the valid event after them reaches the cloud', async () => {
    const device = site.devices[0];
    if (!device) throw new Error('no device');
    client = await mqtt.connectAsync(`mqtt://127.0.0.1:${String(mqttPort)}`, {
      protocolVersion: 4,
      clientId: device.deviceId,
      username: device.deviceId,
      password: device.password,
      reconnectPeriod: 0,
    });
    client.on('message', (_topic, payload) => {
      acks.push(AckSchema.parse(JSON.parse(payload.toString())));
    });
    await client.subscribeAsync(topics.acks(site.facilityId, device.deviceId), { qos: 1 });

    const before = await storedIds();
    const bad = poisons();
    for (const { name, event: e, code } of bad) {
      const ack = await publish(e);
      expect(ack.acked, name).not.toContain(e.id);
      expect(
        ack.rejected.filter((r) => r.id === e.id),
        name,
      ).toStrictEqual([{ id: e.id, code, message: expect.any(String) as string }]);
    }
    const valid = event({ type: 'check_out' });
    expect((await publish(valid)).acked).toContain(valid.id);

    // Within seconds, over HTTP and in PostgreSQL; the poison nowhere.
    expect(await eventually(() => inCloud(valid), 10_000, 'the valid event in the cloud')).toStrictEqual(
      valid,
    );
    expect(await storedIds()).toStrictEqual([...before, valid.id].sort());
    const [row] = await pgQuery<{ note: string | null; hub_id: string }>(
      'SELECT note, hub_id FROM events WHERE id = $1',
      [valid.id],
    );
    expect(row).toStrictEqual({ note: null, hub_id: 'hub1' });
    const atHub = await hubEvents(site, hubHttp, [
      ...testDates(),
      localDate(new Date(Date.now() + DAY), TZ),
      '1970-01-01',
    ]);
    for (const { event: e } of bad) expect(atHub.map((h) => h.id)).not.toContain(e.id);
    expect(atHub.map((h) => h.id)).toContain(valid.id);
  });

  it('answers a batch with one bad and one good event posted straight to the cloud with 200', async () => {
    const good = event({ deviceId: 'kiosk-9', seq: 1 });
    const bad = event({ deviceId: 'kiosk-9', seq: 2, note: `${secretNote}\u0000` });
    const res = await fetch(`${cloudBase}/v1/batches`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${site.hubToken}` },
      body: JSON.stringify({ hubId: 'hub1', facilityId: site.facilityId, events: [bad, good] }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toStrictEqual({
      accepted: [good.id],
      duplicates: [],
      rejected: [{ id: bad.id, code: 'bad_text', message: expect.any(String) as string }],
    });
    expect(await inCloud(good)).toStrictEqual(good);
    expect(await pgQuery('SELECT id FROM events WHERE id = ANY($1)', [[good.id, bad.id]])).toStrictEqual([
      { id: good.id },
    ]);
    // The cloud logged ids and codes, never the note.
    expect(cloud.stderr).not.toContain('山田');
  });
});
