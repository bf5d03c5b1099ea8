import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubStore } from '../edge-hub/store/hub-store.ts';
import {
  generateQrKeyPair,
  importQrPrivateKey,
  signGuardianQr,
  topics,
  type Roster,
} from '../protocol/index.ts';
import { eventually, genkanJson, tempDir, type GenkanProcess, type JsonLine } from './support/process.ts';
import { hubEvents, provisionSite, startHub, startKiosk, testDates, type Site } from './support/site.ts';

/**
 * Signed guardian QR codes across real processes: the hub's key signs, the CLI prints a card, a kiosk
 * verifies offline and records the check-in like a card tap; bad codes are refused with their reason and
 * nothing is stored. Meanwhile every message a device can receive is scanned for clear card numbers.
 */
describe('signed guardian QR check-in', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  const procs: GenkanProcess[] = [];
  let monitor: MqttClient | undefined;
  const startedAt = new Date();

  beforeAll(async () => {
    process.env['GENKAN_LOG_LEVEL'] = 'debug';
    dir = await tempDir();
    site = await provisionSite(dir.path, { kiosks: 2, children: 3 });
  });
  afterAll(async () => {
    delete process.env['GENKAN_LOG_LEVEL'];
    await monitor?.endAsync(true);
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await dir.remove();
  });

  it('checks in by a signed code, refuses bad ones with their reason, and never sends a card id in clear', async () => {
    const hubDir = join(site.dir, 'hub');
    const hub = startHub(site);
    procs.push(hub);
    const hubReady = await hub.ready();
    const mqttPort = Number(hubReady['mqtt']);
    const httpPort = Number(hubReady['http']);

    // An extra device that subscribes to everything a device may: the roster (both filters), the
    // roll-call and its own acks. Every payload it receives is kept.
    const spy = site.devices[1];
    if (!spy) throw new Error('need a second device');
    const received: { topic: string; payload: string }[] = [];
    monitor = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      username: spy.deviceId,
      password: spy.password,
      clientId: spy.deviceId,
    });
    monitor.on('message', (topic, payload) => {
      received.push({ topic, payload: payload.toString('utf8') });
    });
    const granted = await monitor.subscribeAsync(
      [
        topics.roster(site.facilityId),
        topics.anyRoster,
        topics.rollcall(site.facilityId),
        topics.acks(site.facilityId, spy.deviceId),
      ],
      { qos: 1 },
    );
    expect(granted.map((g) => g.qos)).toEqual([1, 1, 1, 1]);

    // The printing workflow: a card for guardian g001.
    const card = await genkanJson<{ guardianId: string; expires: string; file: string }>([
      'qr',
      'issue',
      'g001',
      '--data',
      hubDir,
      '--out',
      join(dir.path, 'g001.svg'),
    ]);
    expect(card.guardianId).toBe('g001');
    expect(await readFile(card.file, 'utf8')).toContain('保護者 001');

    // The CLI prints no payload, so the test signs with the hub's key through the store API, as the CLI does.
    const store = HubStore.open(hubDir);
    const key = store.facility.qrSigningKey();
    const publicKey = store.facility.meta().qrPublicKey;
    store.close();
    const now = Math.floor(Date.now() / 1000);
    const sign = (guardianId: string, expires = now + 3600, facilityId = site.facilityId) =>
      signGuardianQr(key, { facilityId, guardianId, expires });
    const stranger = importQrPrivateKey(generateQrKeyPair().privateKey);
    const good = sign('g001');

    const kiosk = startKiosk(site, 0, mqttPort, ['--debounce-ms', '0']);
    procs.push(kiosk);
    await kiosk.ready();
    const taps = () => kiosk.lines.filter((l) => l['type'] === 'tap');
    const tap = async (line: string): Promise<JsonLine> => {
      const before = taps().length;
      kiosk.write(`${line}\n`);
      await kiosk.waitFor(() => taps().length > before, 30_000, `tap line for ${line.slice(0, 12)}`);
      const out = taps()[before];
      if (!out) throw new Error('no tap line');
      return out;
    };

    const ok = await tap(`qr:${good}`);
    expect(ok).toMatchObject({
      result: 'ok',
      guardian: { id: 'g001', name: '保護者 001' },
      events: [{ childId: 'c001', type: 'check_in' }],
    });
    const okId = (ok['events'] as { id: string }[])[0]?.id;

    const bad: [string, string][] = [
      [
        'forged',
        signGuardianQr(stranger, { facilityId: site.facilityId, guardianId: 'g002', expires: now + 3600 }),
      ],
      ['forged', good.replace('.g001.', '.g002.')],
      ['expired', sign('g002', now - 60)],
      ['other_facility', sign('g002', now + 3600, 'f2')],
      ['malformed', 'GK1.f1.g002.soon.c2lnbmF0dXJl'],
      ['unsigned', 'g002'],
      ['unsigned', 'https://example.com/checkin?guardian=g002'],
      ['unknown_guardian', sign('g999')],
    ];
    for (const [reason, payload] of bad) {
      const line = await tap(`qr:${payload}`);
      expect(line, reason).toEqual({
        type: 'tap',
        result: 'refused_qr',
        reason,
        message: expect.any(String) as string,
        reader: 'stdin',
      });
      expect(String(line['message']).length).toBeGreaterThan(10);
    }

    // A barrier: a card tap after the refusals. Once it is at the hub, anything a refusal had recorded
    // would be too.
    const cardTap = await tap(`card:${site.cards[2] ?? ''}`);
    expect(cardTap).toMatchObject({ result: 'ok', events: [{ childId: 'c003', type: 'check_in' }] });
    // Asked anew at each use: the run may cross midnight in Tokyo after this line.
    const dates = () => testDates(startedAt);
    const events = await eventually(
      async () => {
        const atHub = await hubEvents(site, httpPort, dates());
        return atHub.length >= 2 ? atHub : undefined;
      },
      30_000,
      'both events at the hub',
    );
    expect(events).toHaveLength(2);
    expect(events.find((e) => e.id === okId)).toMatchObject({
      childId: 'c001',
      type: 'check_in',
      method: 'qr',
      actor: 'g001',
      deviceId: site.devices[0]?.deviceId,
    });
    expect(events.find((e) => e.id !== okId)).toMatchObject({
      childId: 'c003',
      method: 'card',
      actor: 'g003',
    });

    // Let the roll-call of the two events reach the monitor, then scan everything it saw.
    await eventually(
      () => {
        const seen = received.some(
          (m) => m.topic === topics.rollcall(site.facilityId) && m.payload.includes('"present"'),
        );
        return Promise.resolve(seen ? true : undefined);
      },
      15_000,
      'the roll-call with the check-ins',
    );
    const roster = received.find((m) => m.topic === topics.roster(site.facilityId));
    expect(roster).toBeDefined();
    expect((JSON.parse(roster?.payload ?? '{}') as Roster).qrPublicKey).toBe(publicKey);
    expect(received.length).toBeGreaterThanOrEqual(3);
    for (const m of received) {
      for (const uid of site.cards) {
        expect(m.payload.toLowerCase(), `${uid} on ${m.topic}`).not.toContain(uid.toLowerCase());
      }
      // Nor any QR payload or the signing key.
      expect(m.payload).not.toContain('GK1.');
    }

    // The kiosk logs the reason of a refusal, never the code it read.
    const logs = kiosk.stderr;
    expect(logs).toContain('QR code refused');
    for (const payload of [good, ...bad.map(([, p]) => p)]) {
      const secret = payload.split('.').at(-1) ?? payload;
      expect(logs.includes(secret), `payload part ${secret.slice(0, 8)}… in the kiosk log`).toBe(false);
    }
  });
});
