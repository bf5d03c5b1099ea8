import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodePairingPayload } from '../../protocol/index.ts';
import { silentLogger } from '../../common/logger.ts';
import { StdinReader } from '../../hardware/stdin.ts';
import { systemClock } from '../../common/time.ts';
import { until } from '../../test/support/wait.ts';
import type { PairingView, UiEvent } from '../common/ui-api.ts';
import { KioskPairing, loadPairing, PAIRING_FILE } from './pairing.ts';

const CODE = 'abcdefghijklmnopqrstuvwxyz012345';
const SETTINGS = { defaultLocale: 'ja', autoConfirmMs: 8000, speak: false } as const;

let dir: string;
let hub: Server;
let hubUrl: string;
/** What the stand-in hub answers next, and the bodies it received. */
let answer: { status: number; body: unknown };
const requests: unknown[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'genkan-pairing-'));
  requests.length = 0;
  answer = {
    status: 200,
    body: {
      deviceId: 'kiosk-7',
      facilityId: 'f1',
      password: 'p'.repeat(32),
      mqttUrl: 'mqtt://127.0.0.1:1883',
    },
  };
  // A stand-in for the hub's POST /api/pair: the kiosk side only needs its HTTP contract.
  hub = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, body: JSON.parse(body) as unknown });
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
  hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await new Promise<void>((resolve) => {
    hub.close(() => {
      resolve();
    });
  });
  rmSync(dir, { recursive: true, force: true });
});

function setup() {
  const input = new PassThrough();
  const reader = new StdinReader({ logger: silentLogger(), clock: systemClock, input });
  const pairing = new KioskPairing({
    dataDir: dir,
    readers: [reader],
    camera: undefined,
    logger: silentLogger(),
    settings: SETTINGS,
  });
  const views: PairingView[] = [];
  const events: UiEvent[] = [];
  pairing.subscribe((e) => {
    events.push(e);
    if (e.type === 'pairing') views.push(e.view);
  });
  return { input, reader, pairing, views, events };
}

describe('kiosk pairing by QR code', () => {
  it('shows the pairing screen, exchanges a scanned code at the hub and saves the login privately', async () => {
    const { input, reader, pairing, views, events } = setup();
    await reader.open();
    expect(events[0]).toMatchObject({ type: 'state', state: { mode: 'pairing', ready: false } });
    expect(views).toEqual([{ status: 'waiting' }]);
    expect(await loadPairing(dir)).toBeUndefined();

    input.write(`qr:${encodePairingPayload({ hub: hubUrl, device: 'kiosk-7', code: CODE })}\n`);
    const creds = await pairing.paired;
    expect(creds).toMatchObject({ hubUrl: 'mqtt://127.0.0.1:1883', deviceId: 'kiosk-7', facilityId: 'f1' });
    expect(requests).toEqual([
      { method: 'POST', url: '/api/pair', body: { deviceId: 'kiosk-7', code: CODE } },
    ]);
    expect(views.map((v) => v.status)).toEqual(['waiting', 'working']);
    expect(await loadPairing(dir)).toEqual(creds);
    // The password is in this file: nobody else on the machine may read it.
    expect(statSync(join(dir, PAIRING_FILE)).mode & 0o077).toBe(0);
    pairing.close();
    await reader.close();
  });

  it('says why pairing failed and stays ready for another code', async () => {
    const { input, reader, views } = setup();
    await reader.open();
    const failedWith = async (line: string) => {
      const before = views.length;
      input.write(`${line}\n`);
      return (
        await until(() => views.slice(before).find((v) => v.status === 'failed'), `the failure of ${line}`)
      ).code;
    };
    expect(await failedWith('qr:GK1.f1.g1.1.sig')).toBe('not_a_pairing_code');
    expect(await failedWith('qr:GKP1.not-base64-json')).toBe('pairing_code_malformed');
    answer = { status: 401, body: { error: { code: 'pairing_code_invalid' } } };
    const payload = encodePairingPayload({ hub: hubUrl, device: 'kiosk-7', code: CODE });
    expect(await failedWith(`qr:${payload}`)).toBe('pairing_code_invalid');
    answer = { status: 429, body: {} };
    expect(await failedWith(`qr:${payload}`)).toBe('too_many_requests');
    answer = {
      status: 200,
      body: { deviceId: 'someone-else', facilityId: 'f1', password: 'x'.repeat(20), mqttUrl: 'mqtt://h:1' },
    };
    expect(await failedWith(`qr:${payload}`)).toBe('pairing_failed');
    const gone = encodePairingPayload({ hub: 'http://127.0.0.1:9', device: 'kiosk-7', code: CODE });
    expect(await failedWith(`qr:${gone}`)).toBe('hub_unreachable');
    // A card is never a pairing code and is ignored here.
    input.write('card:0a0b0c0d\n');
    expect(await loadPairing(dir)).toBeUndefined();
    await reader.close();
  });

  it('calls a saved pairing file damaged whether it is not JSON or not a login', async () => {
    for (const text of ['{"hubUrl":', '{"hubUrl":"mqtt://127.0.0.1:1883"}']) {
      writeFileSync(join(dir, PAIRING_FILE), text);
      await expect(loadPairing(dir), text).rejects.toMatchObject({ code: 'bad_pairing_file' });
    }
  });

  it('refuses every screen command but the camera ones before pairing', () => {
    const { pairing } = setup();
    expect(pairing.handle({ op: 'undo', tapId: '0190a4c2-0000-7000-8000-000000000000' })).toMatchObject({
      ok: false,
      code: 'not_paired',
    });
    expect(pairing.handle({ op: 'qr', value: 'x' })).toMatchObject({ ok: false, code: 'no_camera' });
  });
});
