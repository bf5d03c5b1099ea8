import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodePairingPayload,
  PairResponseSchema,
  RosterSchema,
  topics,
  type PairingPayload,
} from '../protocol/index.ts';
import { HubStore } from '../edge-hub/store/hub-store.ts';
import { GenkanProcess, runGenkan, tempDir } from './support/process.ts';
import { simpleRoster } from './support/site.ts';

/**
 * Pairing end to end with real processes: `genkan device pair` writes a code into the data directory of a
 * running hub, and a device trades the code for MQTT credentials at POST /api/pair.
 */
describe('genkan device pair', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let hubDir: string;
  let hub: GenkanProcess;
  let httpPort: number;

  beforeAll(async () => {
    dir = await tempDir();
    hubDir = join(dir.path, 'hub');
    expect((await runGenkan(['hub', 'init', '--data', hubDir, '--facility', 'f1'])).code).toBe(0);
    await writeFile(join(dir.path, 'roster.csv'), simpleRoster(3).csv);
    const imported = await runGenkan(['roster', 'import', join(dir.path, 'roster.csv'), '--data', hubDir]);
    expect(imported.code, imported.stderr).toBe(0);
    hub = new GenkanProcess('hub', [
      'hub',
      '--data',
      hubDir,
      '--facility',
      'f1',
      '--host',
      '127.0.0.1',
      '--mqtts-port',
      '0',
      '--wss-port',
      '0',
      '--https-port',
      '0',
      '--plain',
      '--mqtt-port',
      '0',
      '--ws-port',
      '0',
      '--http-port',
      '0',
      '--admin-token',
      'test-admin-token',
    ]);
    httpPort = Number((await hub.ready())['http']);
  });
  afterAll(async () => {
    await hub.stop();
    await dir.remove();
  });

  const post = (p: PairingPayload) =>
    fetch(`${p.hub}/api/pair`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: p.device, code: p.code }),
    });

  it('pairs a new kiosk while the hub runs: credentials once, then the retained roster over MQTT', async () => {
    const svg = join(dir.path, 'kiosk-9.svg');
    const hubUrl = `http://127.0.0.1:${httpPort}`;
    const r = await runGenkan([
      'device',
      'pair',
      'kiosk-9',
      '--data',
      hubDir,
      '--hub-url',
      hubUrl,
      '--out',
      svg,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const printed = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(Object.keys(printed).sort()).toEqual(['deviceId', 'expires', 'file', 'payload']);
    expect(printed).toMatchObject({ deviceId: 'kiosk-9', file: svg });
    expect((Date.parse(String(printed['expires'])) - Date.now()) / 60_000).toBeCloseTo(15, 0);
    expect(await readFile(svg, 'utf8')).toContain('kiosk-9');
    const payload = decodePairingPayload(String(printed['payload']));
    expect(payload).toMatchObject({ hub: hubUrl, device: 'kiosk-9' });
    if (!payload) return;

    const res = await post(payload);
    expect(res.status).toBe(200);
    const paired = PairResponseSchema.parse(await res.json());
    expect(paired).toMatchObject({ deviceId: 'kiosk-9', facilityId: 'f1' });
    expect(paired.mqttUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);

    const client = await mqtt.connectAsync(paired.mqttUrl, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      username: paired.deviceId,
      password: paired.password,
      clientId: paired.deviceId,
    });
    try {
      const roster = new Promise<unknown>((resolve) => {
        client.on('message', (topic, body) => {
          if (topic === topics.roster('f1')) resolve(JSON.parse(body.toString('utf8')));
        });
      });
      await client.subscribeAsync(topics.roster('f1'), { qos: 1 });
      const parsed = RosterSchema.parse(await roster);
      expect(parsed.facilityId).toBe('f1');
      expect(parsed.children).toHaveLength(3);
    } finally {
      await client.endAsync();
    }

    const again = await post(payload);
    expect(again.status).toBe(401);
    expect(await again.json()).toMatchObject({ error: { code: 'pairing_code_invalid' } });
    // secrets never reach the hub's log
    expect(hub.stderr).not.toContain(payload.code);
    expect(hub.stderr).not.toContain(paired.password);
  });

  it('refuses a bad --hub-url or --out, and a tablet password, clearly, creating nothing', async () => {
    const bad = await runGenkan(['device', 'pair', 'kiosk-8', '--data', hubDir, '--hub-url', 'hub:8080']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('bad_hub_url');
    const jpg = await runGenkan([
      'device',
      'pair',
      'kiosk-8',
      '--data',
      hubDir,
      '--hub-url',
      `http://127.0.0.1:${httpPort}`,
      '--out',
      join(dir.path, 'x.jpg'),
    ]);
    expect(jpg.code).toBe(1);
    expect(jpg.stderr).toContain('.svg or .png');
    const unknown = await fetch(`http://127.0.0.1:${httpPort}/api/pair`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: 'kiosk-8', code: 'A'.repeat(32) }),
    });
    expect(unknown.status).toBe(401);
    // A tablet has no password to print: it is set up with a pairing code.
    const tablet = await runGenkan(['device', 'add', 'tab-8', '--role', 'tablet', '--data', hubDir]);
    expect(tablet.code).toBe(1);
    expect(tablet.stderr).toContain('genkan device pair ID --role tablet');
    const store = HubStore.open(hubDir);
    try {
      expect(store.devices.deviceRole('kiosk-8')).toBeUndefined();
      expect(store.devices.deviceRole('tab-8')).toBeUndefined();
    } finally {
      store.close();
    }
  });
});
