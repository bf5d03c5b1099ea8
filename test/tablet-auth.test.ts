import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { addDevice } from '../edge-hub/access/devices.ts';
import { HubStore } from '../edge-hub/store/hub-store.ts';
import { decodePairingPayload } from '../protocol/index.ts';
import { genkanJson, runGenkan, tempDir, type GenkanProcess } from './support/process.ts';
import { provisionSite, startHub, type Site } from './support/site.ts';

/** A real hub process: nothing of the roll-call leaves it without a set-up tablet and a live session. */
describe('tablet authentication (real hub process)', () => {
  let dir: { path: string; remove(): Promise<void> };
  let site: Site;
  let hub: GenkanProcess;
  let base: string;
  let mqttPort: number;
  const hubDir = () => join(site.dir, 'hub');

  beforeAll(async () => {
    dir = await tempDir('genkan-tablet-auth-');
    site = await provisionSite(dir.path, { kiosks: 1, children: 3 });
    const added = await runGenkan(['staff', 'add', 's1', '--name', '保育 一郎', '--data', hubDir()], {
      GENKAN_STAFF_PIN: '2468',
    });
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toEqual({ staffId: 's1', name: '保育 一郎', role: 'staff' });
    expect(added.stdout + added.stderr).not.toContain('2468');
    hub = startHub(site);
    const ready = await hub.ready();
    base = `http://127.0.0.1:${String(ready['http'])}`;
    mqttPort = Number(ready['mqtt']);
  });
  afterAll(async () => {
    await hub.stop();
    await dir.remove();
  });

  const req = (method: string, path: string, cookies: string[] = [], body?: unknown) =>
    fetch(`${base}${path}`, {
      method,
      headers: {
        ...(cookies.length > 0 && { cookie: cookies.join('; ') }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const pairCode = async (id: string, role: 'kiosk' | 'tablet') => {
    const out = await genkanJson<{ payload: string; url?: string }>([
      'device',
      'pair',
      id,
      '--role',
      role,
      '--data',
      hubDir(),
      '--hub-url',
      base,
    ]);
    const p = decodePairingPayload(out.payload);
    if (!p) throw new Error('bad payload');
    return { code: p.code, url: out.url };
  };
  /** Status of a WebSocket upgrade to the push channel (101 when it opened). */
  const wsStatus = (cookies: string[]) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(`${base.replace('http', 'ws')}/tablet/ws`, {
        headers: { origin: base, ...(cookies.length > 0 && { cookie: cookies.join('; ') }) },
      });
      ws.on('open', () => {
        ws.terminate();
        resolve(101);
      });
      ws.on('unexpected-response', (_r, res) => {
        resolve(res.statusCode ?? 0);
      });
      ws.on('error', () => {
        resolve(0);
      });
    });
  const noAccess = async (cookies: string[]) => {
    const r = await req('GET', '/api/tablet/rollcall', cookies);
    expect(r.status).toBe(401);
    expect(await r.text()).not.toContain('園児');
    const a = await req('POST', '/api/tablet/actions', cookies, {
      op: 'check_in',
      id: randomUUID(),
      childId: 'c001',
    });
    expect(a.status).toBe(401);
    expect(await wsStatus(cookies)).toBe(401);
  };

  it('prints a tablet URL with the code in the fragment', async () => {
    const { url, code } = await pairCode('tab-x', 'tablet');
    expect(url).toMatch(new RegExp(`^${base}/tablet/#pair=GKP1\\.`));
    expect(code.length).toBeGreaterThanOrEqual(22);
  });

  it('gives nothing without cookies', async () => {
    await noAccess([]);
  });

  it("gives nothing with a kiosk's pairing code or credentials", async () => {
    const kiosk = await pairCode('kiosk-7', 'kiosk');
    const byCode = await req('POST', '/api/tablet/device', [], { deviceId: 'kiosk-7', code: kiosk.code });
    expect(byCode.status).toBe(403);
    expect(byCode.headers.get('set-cookie')).toBeNull();
    const device = site.devices[0];
    if (!device) throw new Error('no kiosk');
    const byPassword = await req('POST', '/api/tablet/device', [], {
      deviceId: device.deviceId,
      code: device.password,
    });
    expect(byPassword.status).toBe(401);
    expect(byPassword.headers.get('set-cookie')).toBeNull();
    // a made-up device cookie gets no session either
    const signIn = await req('POST', '/api/session', ['genkan_device=' + device.password], {
      staffId: 's1',
      pin: '2468',
    });
    expect(signIn.status).toBe(401);
    await noAccess(['genkan_device=' + device.password]);
  });

  it('gives nothing with a deleted session, and works while signed in', async () => {
    const { code } = await pairCode('tab-1', 'tablet');
    const set = await req('POST', '/api/tablet/device', [], { deviceId: 'tab-1', code });
    expect(set.status).toBe(204);
    const device = cookieOf(set);
    await noAccess([device]);
    const signIn = await req('POST', '/api/session', [device], { staffId: 's1', pin: '2468' });
    expect(signIn.status).toBe(200);
    const session = cookieOf(signIn);
    expect((await req('GET', '/api/tablet/rollcall', [device, session])).status).toBe(200);
    expect(await wsStatus([device, session])).toBe(101);
    expect((await req('DELETE', '/api/session', [device, session])).status).toBe(204);
    await noAccess([device, session]);
  });

  it('gives a tablet no MQTT login: its set-up code is refused at /api/pair, its password by the broker', async () => {
    const { code } = await pairCode('tab-mqtt', 'tablet');
    const pair = await fetch(`${base}/api/pair`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: 'tab-mqtt', code }),
    });
    expect(pair.status).toBe(403);
    expect(((await pair.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    // `genkan device add` refuses to make a tablet password …
    const refused = await runGenkan(['device', 'add', 'tab-mqtt', '--role', 'tablet', '--data', hubDir()]);
    expect(refused.stderr).toContain('bad_role');
    // … and one from before that rule (written as it was then, while the hub runs) does not log in.
    const store = HubStore.open(hubDir());
    const tablet = await addDevice(store, 'tab-mqtt', 'tablet').finally(() => {
      store.close();
    });
    await expect(
      mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
        protocolVersion: 4,
        reconnectPeriod: 0,
        username: tablet.deviceId,
        password: tablet.password,
        clientId: tablet.deviceId,
      }),
    ).rejects.toMatchObject({ code: 5 });
  });
});
