import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { silentLogger } from '../../common/logger.ts';
import { until } from '../../test/support/wait.ts';
import { WsServerFrameSchema, type UiEvent, type UiReply, type WsServerFrame } from '../common/ui-api.ts';
import type { WebBundle } from '../../common/web-bundle.ts';
import { KIOSK_CSP, startUiServer, type UiEndpoint, type UiServer } from './ui-server.ts';

const TOKEN = 'test-token-0123456789abcdef';
const bundle: WebBundle = {
  files: new Map([
    [
      'index.html',
      { body: Buffer.from('<!doctype html><title>k</title>'), type: 'text/html; charset=utf-8' },
    ],
    ['app.js', { body: Buffer.from('export {};'), type: 'text/javascript; charset=utf-8' }],
  ]),
};
const STATE_EVENT: UiEvent = {
  type: 'state',
  state: {
    mode: 'kiosk',
    deviceId: 'kiosk-1',
    facilityId: 'f1',
    facilityName: 'ひだまり保育園',
    timeZone: 'Asia/Tokyo',
    online: true,
    outbox: 0,
    ready: true,
    readers: [{ name: 'stdin', attached: true }],
    camera: false,
    defaultLocale: 'ja',
    autoConfirmMs: 8000,
    speak: false,
  },
};

/** An endpoint that records commands and sends the state on subscribe, as the controller does. */
function fakeEndpoint(): UiEndpoint & { commands: unknown[]; emit(e: UiEvent): void } {
  const listeners = new Set<(e: UiEvent) => void>();
  const commands: unknown[] = [];
  return {
    commands,
    emit: (e) => {
      for (const l of listeners) l(e);
    },
    subscribe(listener) {
      listeners.add(listener);
      listener(STATE_EVENT);
      return () => listeners.delete(listener);
    },
    handle(raw): UiReply {
      commands.push(raw);
      return { ok: true };
    },
  };
}

let server: UiServer | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await server?.close();
  server = undefined;
});

async function start(): Promise<UiServer> {
  server = await startUiServer({ port: 0, bundle, logger: silentLogger(), token: TOKEN });
  return server;
}

/** A raw HTTP GET with a chosen Host header (fetch does not let a test forge one). */
function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** Opens the screen socket and collects its frames; resolves once open (or rejects with the HTTP status). */
function connect(url: string, origin?: string): Promise<{ ws: WebSocket; frames: WsServerFrame[] }> {
  const ws = new WebSocket(url, origin === undefined ? {} : { origin });
  sockets.push(ws);
  const frames: WsServerFrame[] = [];
  ws.on('message', (data: Buffer) => {
    frames.push(WsServerFrameSchema.parse(JSON.parse(data.toString('utf8'))));
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      resolve({ ws, frames });
    });
    ws.once('unexpected-response', (_req, res) => {
      reject(new Error(`HTTP ${String(res.statusCode)}`));
    });
    ws.once('error', reject);
  });
}

describe('kiosk screen server (browser mode)', () => {
  it('serves the screen only under its token, on 127.0.0.1, with a strict CSP', async () => {
    const s = await start();
    expect(s.url).toBe(`http://127.0.0.1:${s.port}/k/${TOKEN}/`);
    const host = { host: `127.0.0.1:${s.port}` };
    const page = await get(s.port, `/k/${TOKEN}/`, host);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>k</title>');
    expect(page.headers['content-security-policy']).toBe(KIOSK_CSP);
    expect(KIOSK_CSP).toContain("script-src 'self'");
    expect(KIOSK_CSP).not.toContain('unsafe');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect((await get(s.port, `/k/${TOKEN}/app.js`, host)).headers['content-type']).toMatch(/javascript/);

    for (const path of [
      '/',
      `/k/${TOKEN}`,
      `/k/${TOKEN.slice(0, -1)}x/`,
      `/k/${TOKEN}/missing.js`,
      `/k/${TOKEN}/../app.js`,
      '/k/short/',
    ]) {
      expect((await get(s.port, path, host)).status, path).toBe(404);
    }
    // DNS rebinding: a page from another name that resolves to 127.0.0.1 is not served.
    expect((await get(s.port, `/k/${TOKEN}/`, { host: `evil.example:${s.port}` })).status).toBe(404);
    expect((await get(s.port, `/k/${TOKEN}/`, host, 'POST')).status).toBe(404);
  });

  it('carries events and commands over the socket and drops malformed frames without disconnecting', async () => {
    const s = await start();
    const endpoint = fakeEndpoint();
    s.serve(endpoint);
    const { ws, frames } = await connect(s.wsUrl, `http://127.0.0.1:${s.port}`);
    await until(() => frames.find((f) => 'event' in f && f.event.type === 'state'), 'the state');

    ws.send('not json');
    ws.send(JSON.stringify({ id: 1, command: { op: 'launch_missiles' } }));
    ws.send(Buffer.from([0, 1, 2]), { binary: true });
    ws.send(JSON.stringify({ id: 2, command: { op: 'camera', status: 'on' } }));
    const reply = await until(() => frames.find((f) => 'id' in f && f.id === 2), 'the reply');
    expect(reply).toEqual({ id: 2, reply: { ok: true } });
    // Only the valid command reached the endpoint; nothing answered the invalid ones.
    expect(endpoint.commands).toEqual([{ op: 'camera', status: 'on' }]);
    expect(frames.filter((f) => 'id' in f)).toHaveLength(1);

    endpoint.emit({ type: 'tap', tap: { result: 'no_roster' } });
    await until(() => frames.find((f) => 'event' in f && f.event.type === 'tap'), 'the tap');
  });

  it('refuses sockets from other origins, with a wrong token, and before it serves', async () => {
    const s = await start();
    await expect(connect(s.wsUrl)).rejects.toThrow('HTTP 503');
    s.serve(fakeEndpoint());
    await expect(connect(s.wsUrl, 'http://evil.example')).rejects.toThrow('HTTP 403');
    await expect(connect(s.wsUrl.replace(TOKEN, `${TOKEN}x`))).rejects.toThrow('HTTP 404');
    await expect(connect(s.wsUrl.replace('/ws', '/other'))).rejects.toThrow('HTTP 404');
    // No Origin at all is a local program (the Electron shell's relay), which the token admits.
    const { frames } = await connect(s.wsUrl);
    await until(() => frames[0], 'the state');
  });

  it('generates a random token per launch and refuses a weak one', async () => {
    const a = await startUiServer({ port: 0, bundle, logger: silentLogger() });
    const b = await startUiServer({ port: 0, bundle, logger: silentLogger() });
    try {
      expect(a.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/k\/[A-Za-z0-9_-]{32}\/$/);
      expect(a.url.split('/k/')[1]).not.toBe(b.url.split('/k/')[1]);
    } finally {
      await a.close();
      await b.close();
    }
    await expect(
      startUiServer({ port: 0, bundle, logger: silentLogger(), token: 'short' }),
    ).rejects.toMatchObject({
      code: 'bad_ui_token',
    });
  });
});
