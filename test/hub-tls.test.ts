import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEventId } from '../common/ids.ts';
import { formatRfc3339 } from '../common/time.ts';
import {
  certFingerprint,
  decodePairingPayload,
  encodePairingPayload,
  type AttendanceEvent,
} from '../protocol/index.ts';
import { DIRECTOR } from './support/admin.ts';
import { httpsRequest } from './support/https.ts';
import { hasCommand, requirePrereq } from './support/prereq.ts';
import { eventually, GenkanProcess, genkanJson, tempDir, type JsonLine } from './support/process.ts';
import { addStaff, hubTlsOf, provisionSite, startHub, testDates, type Site } from './support/site.ts';

/**
 * A hub started as `genkan hub` starts by default (TLS only, issue 15): a standard MQTT client with the
 * hub's CA file and device credentials gets in, plain MQTT gets nowhere, a kiosk paired by QR code pins
 * the hub's CA and talks TLS, a kiosk shown a code naming another CA never sends the code, and the staff
 * cookies are Secure.
 */
const available = requirePrereq(
  hasCommand('mosquitto_pub'),
  'mosquitto_pub',
  'apt-get install -y mosquitto-clients',
);

function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(cmd, args);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((res) =>
    child.on('exit', (code) => {
      res({ code, stdout, stderr });
    }),
  );
}

/** What a plain MQTT CONNECT to `port` gets: the bytes answered before the connection closed. */
function plainConnect(port: number): Promise<{ answered: Buffer; error?: string }> {
  // MQTT 3.1.1 CONNECT, client id "x", clean session, keepalive 10.
  const connect = Buffer.from([0x10, 13, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 10, 0, 1, 0x78]);
  return new Promise((resolve) => {
    const socket = netConnect(port, '127.0.0.1', () => socket.write(connect));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('error', (err) => {
      resolve({ answered: Buffer.concat(chunks), error: err.message });
    });
    socket.on('close', () => {
      resolve({ answered: Buffer.concat(chunks) });
    });
  });
}

describe.runIf(available)('the hub on site: TLS by default', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  let hub: GenkanProcess;
  let ready: JsonLine;
  let tls: ReturnType<typeof hubTlsOf>;
  let ca: string;
  const procs: GenkanProcess[] = [];
  const startedAt = new Date();

  beforeAll(async () => {
    dir = await tempDir();
    site = await provisionSite(dir.path, { kiosks: 1, children: 2 });
    await addStaff(join(site.dir, 'hub'), { ...DIRECTOR, role: 'admin' });
    hub = startHub(site, { tls: true });
    procs.push(hub);
    ready = await hub.ready();
    tls = hubTlsOf(ready);
    ca = readFileSync(tls.caFile, 'utf8');
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await dir.remove();
  });

  const api = (path: string) => `https://127.0.0.1:${tls.https}${path}`;
  const hubEvents = async (): Promise<AttendanceEvent[]> => {
    const out: AttendanceEvent[] = [];
    for (const date of testDates(startedAt)) {
      const res = await httpsRequest(api(`/api/events?date=${date}`), {
        ca,
        headers: { authorization: `Bearer ${site.adminToken}` },
      });
      expect(res.status, res.text).toBe(200);
      out.push(...(JSON.parse(res.text) as { events: AttendanceEvent[] }).events);
    }
    return out;
  };

  it('names the TLS listeners and the CA file in its ready line, and no plain ones', () => {
    expect(ready).toMatchObject({ ready: true, facility: site.facilityId });
    for (const key of ['mqtts', 'wss', 'https']) expect(Number(ready[key]), key).toBeGreaterThan(0);
    for (const key of ['mqtt', 'ws', 'http']) expect(ready, key).not.toHaveProperty(key);
    expect(tls.caFile).toBe(join(site.dir, 'hub', 'tls', 'ca.pem'));
    expect(tls.caFingerprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('accepts mosquitto_pub --cafile with device credentials; the event is stored', async () => {
    const d = site.devices[0];
    if (!d) throw new Error('no device');
    const event = {
      id: newEventId(),
      type: 'check_in',
      childId: 'c001',
      occurredAt: formatRfc3339(new Date(), 'Asia/Tokyo'),
      deviceId: d.deviceId,
      seq: 1,
      method: 'card',
      actor: 'g001',
    };
    const pub = await run('mosquitto_pub', [
      '--cafile',
      tls.caFile,
      '-h',
      '127.0.0.1',
      '-p',
      String(tls.mqtts),
      '-V',
      'mqttv311',
      '-q',
      '1',
      '-i',
      d.deviceId,
      '-u',
      d.deviceId,
      '-P',
      d.password,
      '-t',
      `genkan/v1/${site.facilityId}/devices/${d.deviceId}/events`,
      '-m',
      JSON.stringify(event),
    ]);
    expect(pub.code, pub.stderr).toBe(0);
    await eventually(
      async () => ((await hubEvents()).some((e) => e.id === event.id) ? true : undefined),
      10_000,
      'the event at the hub',
    );

    // The same client without the CA file does not trust the hub.
    const untrusting = await run('mosquitto_pub', [
      '--capath',
      '/etc/ssl/certs',
      '-h',
      '127.0.0.1',
      '-p',
      String(tls.mqtts),
      '-i',
      d.deviceId,
      '-u',
      d.deviceId,
      '-P',
      d.password,
      '-t',
      `genkan/v1/${site.facilityId}/devices/${d.deviceId}/status`,
      '-m',
      '{"online":true}',
    ]);
    expect(untrusting.code).not.toBe(0);
  });

  it('refuses plain MQTT: the TLS port answers no CONNACK, and nothing else listens', async () => {
    const spoken = await plainConnect(tls.mqtts);
    // A TLS server answers a plain CONNECT with at most a TLS alert (0x15), never a CONNACK (0x20).
    expect(spoken.answered[0] === 0x20).toBe(false);
    const plain = await run('mosquitto_pub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(tls.mqtts),
      '-u',
      'kiosk-1',
      '-P',
      'x',
      '-i',
      'kiosk-1',
      '-t',
      't',
      '-m',
      'm',
    ]);
    expect(plain.code).not.toBe(0);
    // Nothing on the plain default port of this hub's ready line: it has none.
    expect(Object.keys(ready).filter((k) => ['mqtt', 'ws', 'http'].includes(k))).toEqual([]);
  });

  it('marks the admin session cookie Secure over HTTPS', async () => {
    const res = await httpsRequest(api('/api/admin/session'), {
      ca,
      method: 'POST',
      body: { staffId: DIRECTOR.id, pin: DIRECTOR.pin },
    });
    expect(res.status, res.text).toBe(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
  });

  const pairingKiosk = (name: string): GenkanProcess => {
    // No --hub, --device or password: the kiosk pairs from its screen's reader (stdin stands in for a scanner).
    const p = new GenkanProcess(name, [
      'kiosk',
      '--data',
      join(site.dir, name),
      '--reader',
      'stdin',
      '--ui',
      'browser',
      '--debounce-ms',
      '0',
    ]);
    procs.push(p);
    return p;
  };
  const pairingCode = async (deviceId: string, extra: string[] = []): Promise<string> => {
    const pair = await genkanJson<{ payload: string }>([
      'device',
      'pair',
      deviceId,
      '--data',
      join(site.dir, 'hub'),
      '--hub-url',
      api(''),
      ...extra,
    ]);
    return pair.payload;
  };

  it('pairs a kiosk by QR code over HTTPS: it pins the CA, then talks MQTT over TLS', async () => {
    const png = join(site.dir, 'pair.png');
    const payload = await pairingCode('kiosk-new', ['--out', png]);
    // The QR code carries the CA's fingerprint, and still renders as a QR code.
    expect(decodePairingPayload(payload)).toMatchObject({ tls: tls.caFingerprint, hub: api('') });
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    const kiosk = pairingKiosk('kiosk-new');
    await kiosk.waitFor((l) => l['pairing'] === true, 60_000, 'pairing line');
    kiosk.write(`qr:${payload}\n`);
    expect(await kiosk.ready()).toMatchObject({ device: 'kiosk-new', facility: site.facilityId });
    const saved = JSON.parse(readFileSync(join(site.dir, 'kiosk-new', 'pairing.json'), 'utf8')) as {
      hubUrl: string;
      hubCa: string;
    };
    expect(saved.hubUrl).toBe(`mqtts://127.0.0.1:${tls.mqtts}`);
    expect(saved.hubCa.replace(/\s+/g, '')).toBe(ca.replace(/\s+/g, ''));

    await kiosk.waitFor((l) => l['type'] === 'connection' && l['online'] === true, 30_000, 'online');
    // The second child: the first one's check-in was published above (a tap now would meet the reversal guard).
    kiosk.write(`card:${site.cards[1] ?? ''}\n`);
    const tap = await kiosk.waitFor((l) => l['type'] === 'tap', 30_000, 'a tap');
    expect(tap['result'], JSON.stringify(tap)).toBe('ok');
    const ids = (tap['events'] as { id: string }[]).map((e) => e.id);
    await eventually(
      async () => {
        const stored = await hubEvents();
        return ids.every((id) => stored.some((e) => e.id === id)) || undefined;
      },
      30_000,
      'the paired kiosk’s event at the hub',
    );
  });

  it('refuses to pair with a hub whose chain lacks the pinned CA, and never sends the code', async () => {
    const payload = await pairingCode('kiosk-wary');
    const decoded = decodePairingPayload(payload);
    if (!decoded) throw new Error('bad payload');
    const other = encodePairingPayload({ ...decoded, tls: certFingerprint(Buffer.from('another CA')) });
    const kiosk = pairingKiosk('kiosk-wary');
    await kiosk.waitFor((l) => l['pairing'] === true, 60_000, 'pairing line');
    kiosk.write(`qr:${other}\n`);
    await eventually(
      () => Promise.resolve(/hub_not_trusted/.test(kiosk.stderr) || undefined),
      15_000,
      'the refusal in the kiosk log',
    );
    expect(kiosk.lines.some((l) => l['ready'] === true)).toBe(false);
    // The code was never sent: it still pairs the device.
    const res = await httpsRequest(api('/api/pair'), {
      ca,
      method: 'POST',
      body: { deviceId: decoded.device, code: decoded.code },
    });
    expect(res.status, res.text).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ mqttUrl: `mqtts://127.0.0.1:${tls.mqtts}` });
  });
});
