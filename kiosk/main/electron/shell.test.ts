import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { silentLogger } from '../../../common/logger.ts';
import { IPC, type UiEvent, type WsClientFrame } from '../../common/ui-api.ts';
import { parseOpeningHours, type KioskShellConfig } from './config.ts';
import { SHELL_EXIT } from './exit-codes.ts';
import { CONTENT_SECURITY_POLICY } from './security.ts';
import { startKioskShell, type KioskShell, type KioskShellDeps, type ShellIpcEvent } from './shell.ts';
import {
  fakeElectron,
  preventable,
  type FakeElectron,
  type FakeWindow,
} from '../../../test/support/kiosk/fake-electron.ts';

const STATE: UiEvent = {
  type: 'state',
  state: {
    mode: 'kiosk',
    deviceId: 'kiosk-1',
    facilityId: 'fac-1',
    facilityName: 'ひまわり保育園',
    timeZone: 'Asia/Tokyo',
    online: true,
    outbox: 0,
    ready: true,
    readers: [{ name: 'pcsc', attached: true }],
    camera: false,
    defaultLocale: 'ja',
    autoConfirmMs: 8000,
    speak: false,
  },
};
const TAP_ID = '0b7c3f7e-3c1a-4d59-9a53-2b8f8d6f0c11';

let dir: string;
let shells: KioskShell[] = [];
let servers: WebSocketServer[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genkan-shell-'));
  await mkdir(join(dir, 'app', 'renderer'), { recursive: true });
  await writeFile(join(dir, 'app', 'renderer', 'index.html'), '<!doctype html><title>k</title>');
  await writeFile(join(dir, 'app', 'renderer', 'app.js'), 'console.log(1)');
  await writeFile(join(dir, 'app', 'secret.txt'), 'outside the renderer folder');
  await writeFile(join(dir, 'secret.txt'), 'outside the app');
});

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(shells.map((s) => s.dispose()));
  shells = [];
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          for (const client of server.clients) client.terminate();
          server.close(() => {
            resolve();
          });
        }),
    ),
  );
  servers = [];
  await rm(dir, { recursive: true, force: true });
});

function config(overrides: Partial<KioskShellConfig> = {}): KioskShellConfig {
  return {
    // Port 9 (discard) on loopback: nothing listens, so the agent is unreachable unless a test says otherwise.
    agentUrl: 'ws://127.0.0.1:9/k/token/ws',
    appDir: join(dir, 'app'),
    devTools: false,
    openingHours: parseOpeningHours('07:00-19:30'),
    timeZone: 'Asia/Tokyo',
    autostart: false,
    ...overrides,
  };
}

async function start(
  electron: FakeElectron,
  overrides: Partial<KioskShellConfig> = {},
  deps: Partial<KioskShellDeps> = {},
): Promise<KioskShell> {
  const shell = startKioskShell(electron, config(overrides), {
    logger: silentLogger(),
    agentBackoff: { initialMs: 50, maxMs: 200 },
    now: () => new Date('2026-04-01T00:00:00Z'), // 09:00 in Tokyo: open
    ...deps,
  });
  shells.push(shell);
  await shell.ready;
  return shell;
}

function theWindow(electron: FakeElectron): FakeWindow {
  const win = electron.windows.at(-1);
  if (win === undefined) throw new Error('no window');
  return win;
}

function ipcEvent(win: FakeWindow, url = 'app://kiosk/index.html', parent: unknown = null): ShellIpcEvent {
  return { sender: { id: win.webContents.id }, senderFrame: { url, parent } };
}

async function invoke(electron: FakeElectron, channel: string, event: ShellIpcEvent, ...args: unknown[]) {
  const handler = electron.ipcHandlers.get(channel);
  if (handler === undefined) throw new Error(`no handler for ${channel}`);
  return await handler(event, ...args);
}

/** A stand-in agent UI server on a free port; replies ok to every command unless told to stay silent. */
async function agentServer(options: { silent?: boolean } = {}) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/k/secret-token/ws' });
  servers.push(server);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const frames: WsClientFrame[] = [];
  const connected = new Promise<WebSocket>((resolve) => {
    server.once('connection', (socket) => {
      socket.send(JSON.stringify({ event: STATE }));
      socket.on('message', (data) => {
        const frame = JSON.parse((data as Buffer).toString('utf8')) as WsClientFrame;
        frames.push(frame);
        if (options.silent !== true) socket.send(JSON.stringify({ id: frame.id, reply: { ok: true } }));
      });
      resolve(socket);
    });
  });
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/k/secret-token/ws`;
  return { url, frames, connected };
}

function nextSend(win: FakeWindow): Promise<void> {
  return new Promise((resolve) => {
    win.webContents.onSend = resolve;
  });
}

describe('kiosk window', () => {
  it('is one fullscreen kiosk window with locked-down web preferences', async () => {
    const electron = fakeElectron();
    await start(electron);
    expect(electron.windows).toHaveLength(1);
    const win = theWindow(electron);
    expect(win.options).toMatchObject({
      kiosk: true,
      fullscreen: true,
      frame: false,
      autoHideMenuBar: true,
      closable: false,
      backgroundColor: expect.stringMatching(/^#/) as unknown,
    });
    expect(win.options.webPreferences).toEqual({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      spellcheck: false,
      devTools: false,
      preload: join(dir, 'app', 'preload.cjs'),
    });
    expect(win.loaded).toEqual(['app://kiosk/index.html']);
    expect(electron.calls.menuCleared).toBe(true);
    expect(electron.calls.schemes).toEqual([
      expect.objectContaining({
        scheme: 'app',
        privileges: expect.objectContaining({ standard: true, secure: true }) as unknown,
      }),
    ]);
    win.emit('ready-to-show');
    expect(win.shown).toBe(1);
  });

  it('allows devtools only when configured', async () => {
    const electron = fakeElectron();
    await start(electron, { devTools: true });
    expect(theWindow(electron).options.webPreferences?.devTools).toBe(true);
  });

  it('serves renderer files over app:// with the CSP and refuses anything outside the folder', async () => {
    const electron = fakeElectron();
    await start(electron);
    const serve = electron.protocolHandlers.get('app');
    if (serve === undefined) throw new Error('app:// not handled');
    const ok = await serve({ url: 'app://kiosk/index.html', method: 'GET' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(ok.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await ok.text()).toContain('<title>k</title>');
    const root = await serve({ url: 'app://kiosk/', method: 'GET' });
    expect(root.status).toBe(200);
    const js = await serve({ url: 'app://kiosk/app.js', method: 'GET' });
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    for (const url of [
      'app://kiosk/../secret.txt',
      'app://kiosk/../../secret.txt',
      'app://kiosk/%2e%2e/secret.txt',
      'app://kiosk/..%2fsecret.txt',
      'app://kiosk/%2E%2E%5Csecret.txt',
      'app://kiosk/.%2e/.%2e/secret.txt',
      'app://kiosk//etc/passwd',
      'app://kiosk/missing.js',
      'app://other/index.html',
    ]) {
      const res = await serve({ url, method: 'GET' });
      expect(res.status, url).toBe(404);
      expect(res.headers.get('content-security-policy'), url).toBe(CONTENT_SECURITY_POLICY);
      expect(await res.text(), url).not.toContain('outside');
    }
    expect((await serve({ url: 'app://kiosk/%E0%A4%A', method: 'GET' })).status).toBe(400);
    expect((await serve({ url: 'app://kiosk/index.html', method: 'POST' })).status).toBe(405);
  });

  it('stays on the app: navigation elsewhere is prevented and window.open denied', async () => {
    const electron = fakeElectron();
    await start(electron);
    const contents = theWindow(electron).webContents;
    for (const [event, url, blocked] of [
      ['will-navigate', 'https://evil.example/', true],
      ['will-navigate', 'file:///etc/passwd', true],
      ['will-navigate', 'app://kiosk.evil/index.html', true],
      ['will-redirect', 'http://127.0.0.1:8080/', true],
      ['will-navigate', 'app://kiosk/index.html', false],
    ] as const) {
      const e = preventable({ url });
      contents.emit(event, e);
      expect(e.prevented, `${event} ${url}`).toBe(blocked);
    }
    expect(contents.openHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    const webview = preventable({});
    contents.emit('will-attach-webview', webview);
    expect(webview.prevented).toBe(true);
  });

  it('swallows close, reload and devtools shortcuts but lets plain keys through', async () => {
    const electron = fakeElectron();
    await start(electron);
    const contents = theWindow(electron).webContents;
    expect(contents.input({ key: 'w', control: true }).prevented).toBe(true);
    expect(contents.input({ key: 'w', meta: true }).prevented).toBe(true);
    expect(contents.input({ key: 'F4', alt: true }).prevented).toBe(true);
    expect(contents.input({ key: 'F5' }).prevented).toBe(true);
    expect(contents.input({ key: 'F11' }).prevented).toBe(true);
    expect(contents.input({ key: 'I', control: true }).prevented).toBe(true);
    expect(contents.input({ key: '7' }).prevented).toBe(false);
    expect(contents.input({ key: 'Enter' }).prevented).toBe(false);
  });

  it('cannot be closed until the shell quits', async () => {
    const electron = fakeElectron();
    const shell = await start(electron);
    const win = theWindow(electron);
    const first = preventable({});
    win.emit('close', first);
    expect(first.prevented).toBe(true);
    shell.quit();
    expect(electron.calls.quits).toBe(1);
    const second = preventable({});
    win.emit('close', second);
    expect(second.prevented).toBe(false);
  });

  it('grants only the camera (video) to the app origin', async () => {
    const electron = fakeElectron();
    await start(electron);
    const request = (
      permission: string,
      details: Parameters<NonNullable<FakeElectron['permissionRequest']>>[3],
    ) =>
      new Promise<boolean>((resolve) => {
        electron.permissionRequest?.(undefined, permission, resolve, details);
      });
    const app = { isMainFrame: true, requestingUrl: 'app://kiosk/index.html' };
    expect(await request('media', { ...app, mediaTypes: ['video'] })).toBe(true);
    expect(await request('media', { ...app, mediaTypes: ['video', 'audio'] })).toBe(false);
    expect(await request('media', { ...app, mediaTypes: ['audio'] })).toBe(false);
    expect(
      await request('media', { ...app, requestingUrl: 'https://evil.example/', mediaTypes: ['video'] }),
    ).toBe(false);
    for (const permission of [
      'geolocation',
      'notifications',
      'clipboard-read',
      'fullscreen',
      'openExternal',
      'hid',
    ]) {
      expect(await request(permission, app), permission).toBe(false);
    }
    const check = electron.permissionCheck;
    expect(check?.(undefined, 'media', 'app://kiosk', { isMainFrame: true, mediaType: 'video' })).toBe(true);
    expect(check?.(undefined, 'media', 'app://kiosk', { isMainFrame: true, mediaType: 'audio' })).toBe(false);
    expect(check?.(undefined, 'geolocation', 'app://kiosk', { isMainFrame: true })).toBe(false);
    expect(
      check?.(undefined, 'media', 'https://evil.example', { isMainFrame: true, mediaType: 'video' }),
    ).toBe(false);
  });

  it('reloads the screen when its renderer process dies', async () => {
    const electron = fakeElectron();
    await start(electron);
    const contents = theWindow(electron).webContents;
    contents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    expect(contents.reloads).toBe(1);
  });

  it('recreates the window when it stays unresponsive for 10 s, not when it recovers', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const electron = fakeElectron();
    await start(electron);
    const first = theWindow(electron);
    first.emit('unresponsive');
    vi.advanceTimersByTime(5000);
    first.emit('responsive');
    vi.advanceTimersByTime(10_000);
    expect(electron.windows).toHaveLength(1);
    first.emit('unresponsive');
    vi.advanceTimersByTime(10_000);
    expect(electron.windows).toHaveLength(2);
    expect(first.destroyed).toBe(true);
    expect(theWindow(electron).loaded).toEqual(['app://kiosk/index.html']);
  });
});

describe('single instance', () => {
  it('a second instance exits without opening a window', async () => {
    const electron = fakeElectron({ lock: false });
    await start(electron);
    expect(electron.calls.lockRequested).toBe(true);
    expect(electron.calls.exitCode).toBe(SHELL_EXIT.alreadyRunning);
    expect(electron.windows).toHaveLength(0);
    expect(electron.ipcHandlers.size).toBe(0);
  });

  it('the first instance comes to the front when a second one starts', async () => {
    const electron = fakeElectron();
    await start(electron);
    electron.appEvents.emit('second-instance');
    expect(theWindow(electron).focused).toBe(1);
  });
});

describe('screen awake and autostart', () => {
  it('keeps the display awake only during opening hours (facility time)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    let now = new Date('2026-04-01T10:29:30Z'); // 19:29:30 in Tokyo
    const electron = fakeElectron();
    await start(electron, {}, { now: () => now });
    expect(electron.calls.powerStarted).toBe(1);
    now = new Date('2026-04-01T10:30:30Z'); // 19:30:30: closed
    vi.advanceTimersByTime(60_000);
    expect(electron.calls.powerStopped).toEqual([1]);
  });

  it('writes the XDG autostart entry once on Linux, keeping an existing one', async () => {
    const electron = fakeElectron({ isPackaged: true });
    const xdg = join(dir, 'xdg');
    const file = join(xdg, 'autostart', 'genkan-kiosk.desktop');
    const deps = {
      platform: 'linux' as const,
      xdgConfigHome: xdg,
      executable: '/opt/Genkan Kiosk/genkan-kiosk',
    };
    await start(electron, { autostart: true }, deps);
    await vi.waitFor(async () => {
      expect(await readFile(file, 'utf8')).toContain('Exec="/opt/Genkan Kiosk/genkan-kiosk"');
    });
    await writeFile(file, 'edited by the admin');
    await start(fakeElectron({ isPackaged: true }), { autostart: true }, deps);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await readFile(file, 'utf8')).toBe('edited by the admin');
  });

  it('uses the login item setting on Windows', async () => {
    const electron = fakeElectron({ isPackaged: true });
    await start(electron, { autostart: true }, { platform: 'win32' });
    expect(electron.calls.loginItem).toEqual({ openAtLogin: true });
  });
});

describe('IPC relay', () => {
  it('refuses commands from a foreign frame or with an invalid body, without forwarding them', async () => {
    const agent = await agentServer();
    const electron = fakeElectron();
    await start(electron, { agentUrl: agent.url });
    const win = theWindow(electron);
    // The first event relayed means the link is open on the shell's side too.
    const linked = nextSend(win);
    await agent.connected;
    await linked;
    const valid = { op: 'undo', tapId: TAP_ID };
    const forbidden = { ok: false, code: 'forbidden', message: expect.any(String) as unknown };
    expect(await invoke(electron, IPC.command, ipcEvent(win, 'https://evil.example/'), valid)).toEqual(
      forbidden,
    );
    expect(await invoke(electron, IPC.command, ipcEvent(win, 'app://kiosk/index.html', {}), valid)).toEqual(
      forbidden,
    );
    expect(
      await invoke(
        electron,
        IPC.command,
        { sender: { id: -1 }, senderFrame: { url: 'app://kiosk/', parent: null } },
        valid,
      ),
    ).toEqual(forbidden);
    expect(
      await invoke(electron, IPC.command, { sender: { id: win.webContents.id }, senderFrame: null }, valid),
    ).toEqual(forbidden);
    for (const bad of [
      undefined,
      'undo',
      { op: 'undo', tapId: 'not-a-uuid' },
      { op: 'shell', cmd: 'rm -rf /' },
      { ...valid, extra: 1 },
    ]) {
      expect(await invoke(electron, IPC.command, ipcEvent(win), bad)).toEqual({
        ok: false,
        code: 'bad_command',
        message: expect.any(String) as unknown,
      });
    }
    // A valid command afterwards is the first and only frame the agent sees.
    expect(await invoke(electron, IPC.command, ipcEvent(win), valid)).toEqual({ ok: true });
    expect(agent.frames).toEqual([{ id: expect.any(Number) as unknown, command: valid }]);
  });

  it('relays agent events to the window and answers hello with the latest state and tap', async () => {
    const agent = await agentServer();
    const electron = fakeElectron();
    await start(electron, { agentUrl: agent.url });
    const win = theWindow(electron);
    const firstSend = nextSend(win);
    const socket = await agent.connected;
    await firstSend;
    expect(win.webContents.sent).toEqual([{ channel: IPC.event, args: [STATE] }]);
    // An invalid event is dropped; the valid one after it arrives.
    socket.send(JSON.stringify({ event: { type: 'state', state: { deviceId: 'x' } } }));
    const tap: UiEvent = { type: 'tap', tap: { result: 'unknown_credential', kind: 'card' } };
    const tapSent = nextSend(win);
    socket.send(JSON.stringify({ event: tap }));
    await tapSent;
    expect(win.webContents.sent.map((s) => s.args[0])).toEqual([STATE, tap]);
    expect(await invoke(electron, IPC.hello, ipcEvent(win))).toEqual([STATE, tap]);
    expect(await invoke(electron, IPC.hello, ipcEvent(win, 'https://evil.example/'))).toEqual([]);
  });

  it('answers agent_unreachable while the agent is down', async () => {
    const electron = fakeElectron();
    await start(electron);
    expect(
      await invoke(electron, IPC.command, ipcEvent(theWindow(electron)), { op: 'camera', status: 'on' }),
    ).toEqual({
      ok: false,
      code: 'agent_unreachable',
      message: expect.any(String) as unknown,
    });
  });

  it('answers timeout when the agent does not reply', async () => {
    const agent = await agentServer({ silent: true });
    const electron = fakeElectron();
    await start(electron, { agentUrl: agent.url }, { commandTimeoutMs: 100 });
    const win = theWindow(electron);
    const connected = nextSend(win);
    await agent.connected;
    await connected;
    expect(await invoke(electron, IPC.command, ipcEvent(win), { op: 'qr', value: 'GENKAN1:abc' })).toEqual({
      ok: false,
      code: 'timeout',
      message: expect.any(String) as unknown,
    });
    expect(agent.frames).toHaveLength(1);
  });
});
