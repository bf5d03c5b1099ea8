import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserWindowConstructorOptions, CustomScheme } from 'electron';
import type { Logger } from '../../../common/logger.ts';
import { errorMessage } from '../../../common/errors.ts';
import { IPC, UiCommandSchema, type UiEvent, type UiReply } from '../../common/ui-api.ts';
import { AgentLink, type Backoff } from './agent-link.ts';
import { autostartDesktopEntry, withinOpeningHours, type KioskShellConfig } from './config.ts';
import { SHELL_EXIT } from './exit-codes.ts';
import {
  APP_SCHEME,
  APP_SCHEME_PRIVILEGES,
  APP_START_URL,
  appResponseHeaders,
  blockedInput,
  contentTypeOf,
  kioskWindowOptions,
  navigationAllowed,
  permissionCheckAllowed,
  permissionRequestAllowed,
  resolveAppFile,
  trustedSender,
  type KeyInput,
  type PermissionCheckInfo,
  type PermissionRequestInfo,
  type SenderFrame,
} from './security.ts';

/*
 * The slice of Electron's API the shell uses. The real module satisfies it (main.ts passes it in and is
 * type-checked), and tests pass a fake that records what the shell did.
 */

export interface PreventableEvent {
  preventDefault(): void;
}

export interface NavigationEvent extends PreventableEvent {
  readonly url: string;
}

export interface ShellWebContents {
  readonly id: number;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'before-input-event', listener: (event: PreventableEvent, input: KeyInput) => void): unknown;
  on(
    event: 'render-process-gone',
    listener: (event: unknown, details: { readonly reason: string; readonly exitCode: number }) => void,
  ): unknown;
  setWindowOpenHandler(handler: (details: { readonly url: string }) => { action: 'deny' }): void;
  send(channel: string, ...args: unknown[]): void;
  reload(): void;
  isDestroyed(): boolean;
}

export interface ShellWindow {
  readonly webContents: ShellWebContents;
  on(event: 'close', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'unresponsive' | 'responsive', listener: () => void): unknown;
  once(event: 'ready-to-show', listener: () => void): unknown;
  loadURL(url: string): Promise<void>;
  show(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isDestroyed(): boolean;
  destroy(): void;
}

export interface ShellIpcEvent {
  readonly sender: { readonly id: number };
  readonly senderFrame: SenderFrame | null;
}

export interface ShellElectron {
  readonly app: {
    readonly isPackaged: boolean;
    readonly commandLine: { appendSwitch(name: string, value?: string): void };
    requestSingleInstanceLock(): boolean;
    on(event: 'second-instance' | 'before-quit' | 'window-all-closed', listener: () => void): unknown;
    whenReady(): Promise<void>;
    quit(): void;
    exit(exitCode?: number): void;
    setLoginItemSettings(settings: { openAtLogin: boolean }): void;
  };
  readonly BrowserWindow: new (options: BrowserWindowConstructorOptions) => ShellWindow;
  readonly Menu: { setApplicationMenu(menu: null): void };
  readonly ipcMain: {
    handle(channel: string, listener: (event: ShellIpcEvent, ...args: unknown[]) => unknown): void;
  };
  readonly protocol: {
    registerSchemesAsPrivileged(schemes: CustomScheme[]): void;
    handle(
      scheme: string,
      handler: (request: { readonly url: string; readonly method: string }) => Promise<Response>,
    ): void;
  };
  readonly session: {
    readonly defaultSession: {
      setPermissionRequestHandler(
        handler: (
          webContents: unknown,
          permission: string,
          callback: (granted: boolean) => void,
          details: PermissionRequestInfo,
        ) => void,
      ): void;
      setPermissionCheckHandler(
        handler: (
          webContents: unknown,
          permission: string,
          requestingOrigin: string,
          details: PermissionCheckInfo,
        ) => boolean,
      ): void;
    };
  };
  readonly powerSaveBlocker: {
    start(type: 'prevent-display-sleep'): number;
    stop(id: number): boolean;
  };
}

export interface KioskShellDeps {
  readonly logger: Logger;
  readonly platform?: NodeJS.Platform;
  /** XDG_CONFIG_HOME or ~/.config: where autostart/ lives on Linux. */
  readonly xdgConfigHome?: string;
  /** What to start at login: the AppImage file when run from one, else the app's executable. */
  readonly executable?: string;
  readonly now?: () => Date;
  readonly agentBackoff?: Backoff;
  readonly commandTimeoutMs?: number;
}

export interface KioskShell {
  /** Settles once the window exists, or once this instance gave way to the one already running. */
  readonly ready: Promise<void>;
  /** Lets the window close and quits (SIGTERM from the supervising CLI). */
  quit(): void;
  /** Stops timers and the agent link; the app's before-quit does it too. */
  dispose(): Promise<void>;
}

export const HANG_TIMEOUT_MS = 10_000;
const POWER_CHECK_MS = 60_000;
const CRASH_WINDOW_MS = 60_000;
const CRASHES_BEFORE_PAUSE = 3;
const CRASH_PAUSE_MS = 10_000;

const REFUSED = {
  forbidden: { ok: false, code: 'forbidden', message: 'commands are accepted from the kiosk screen only' },
  badCommand: { ok: false, code: 'bad_command', message: 'not a valid kiosk command' },
} as const satisfies Record<string, UiReply>;

/**
 * Starts the kiosk's Electron shell: one locked-down fullscreen window showing the app:// screen, and a
 * relay between that screen and the agent's UI socket. Everything Electron is injected.
 */
export function startKioskShell(
  electron: ShellElectron,
  config: KioskShellConfig,
  deps: KioskShellDeps,
): KioskShell {
  const { app } = electron;
  const log = deps.logger;
  const now = deps.now ?? (() => new Date());
  const rendererDir = join(config.appDir, 'renderer');
  const preloadPath = join(config.appDir, 'preload.cjs');

  let window: ShellWindow | undefined;
  let quitting = false;
  let disposed = false;
  let powerBlocker: number | undefined;
  let powerTimer: NodeJS.Timeout | undefined;
  let hangTimer: NodeJS.Timeout | undefined;
  let reloadTimer: NodeJS.Timeout | undefined;
  let crashes: number[] = [];

  const link = new AgentLink({
    url: config.agentUrl,
    logger: log.child({ ns: 'agent-link' }),
    onEvent: (event) => {
      sendEvent(event);
    },
    ...(deps.agentBackoff !== undefined && { backoff: deps.agentBackoff }),
    ...(deps.commandTimeoutMs !== undefined && { commandTimeoutMs: deps.commandTimeoutMs }),
    now: () => now().getTime(),
  });

  function sendEvent(event: UiEvent): void {
    const contents = window?.webContents;
    if (window === undefined || window.isDestroyed() || contents === undefined || contents.isDestroyed())
      return;
    contents.send(IPC.event, event);
  }

  function fromOurScreen(event: ShellIpcEvent): boolean {
    return (
      window !== undefined &&
      !window.isDestroyed() &&
      event.sender.id === window.webContents.id &&
      trustedSender(event.senderFrame)
    );
  }

  async function serve(request: { readonly url: string; readonly method: string }): Promise<Response> {
    const resolved = resolveAppFile(request.method, request.url);
    if (!resolved.ok)
      return new Response(null, { status: resolved.status, headers: appResponseHeaders('text/plain') });
    const headers = appResponseHeaders(contentTypeOf(resolved.file));
    try {
      const body = await readFile(join(rendererDir, ...resolved.file.split('/')));
      return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const missing = code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR';
      if (!missing) log.error({ code }, 'could not read a renderer file');
      return new Response(null, { status: missing ? 404 : 500, headers: appResponseHeaders('text/plain') });
    }
  }

  function onCrash(reason: string, exitCode: number): void {
    if (quitting) return;
    const at = now().getTime();
    crashes = [...crashes.filter((t) => at - t < CRASH_WINDOW_MS), at];
    // A renderer that dies at once on every load would spin a core; after a few, pause between reloads.
    const delay = crashes.length > CRASHES_BEFORE_PAUSE ? CRASH_PAUSE_MS : 0;
    log.error({ reason, exitCode, reloadInMs: delay }, 'the kiosk screen crashed; reloading');
    const reload = (): void => {
      if (window !== undefined && !window.isDestroyed()) window.webContents.reload();
    };
    clearTimeout(reloadTimer);
    if (delay === 0) reload();
    else reloadTimer = setTimeout(reload, delay);
  }

  function createWindow(): ShellWindow {
    const win = new electron.BrowserWindow(kioskWindowOptions({ preloadPath, devTools: config.devTools }));
    const contents = win.webContents;
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    const guard = (event: NavigationEvent): void => {
      if (navigationAllowed(event.url)) return;
      event.preventDefault();
      log.warn('blocked a navigation away from the kiosk screen');
    };
    contents.on('will-navigate', guard);
    contents.on('will-redirect', guard);
    contents.on('will-attach-webview', (event) => {
      event.preventDefault();
    });
    contents.on('before-input-event', (event, input) => {
      if (blockedInput(input)) event.preventDefault();
    });
    contents.on('render-process-gone', (_event, details) => {
      if (window === win) onCrash(details.reason, details.exitCode);
    });
    win.on('close', (event) => {
      if (!quitting) event.preventDefault();
    });
    win.on('unresponsive', () => {
      if (hangTimer !== undefined || window !== win) return;
      log.warn('the kiosk screen is unresponsive');
      hangTimer = setTimeout(() => {
        hangTimer = undefined;
        if (window !== win || quitting) return;
        log.error(
          { afterMs: HANG_TIMEOUT_MS },
          'the kiosk screen stayed unresponsive; recreating the window',
        );
        // The new window first: with no window at all the app would see window-all-closed.
        window = createWindow();
        win.destroy();
      }, HANG_TIMEOUT_MS);
    });
    win.on('responsive', () => {
      if (window !== win) return;
      clearTimeout(hangTimer);
      hangTimer = undefined;
    });
    win.once('ready-to-show', () => {
      win.show();
    });
    win.loadURL(APP_START_URL).catch((err: unknown) => {
      log.error({ err: errorMessage(err) }, 'could not load the kiosk screen');
    });
    return win;
  }

  function updatePowerSave(): void {
    const open = withinOpeningHours(config.openingHours, now(), config.timeZone);
    if (open && powerBlocker === undefined) {
      powerBlocker = electron.powerSaveBlocker.start('prevent-display-sleep');
      log.info('opening hours: keeping the screen awake');
    } else if (!open && powerBlocker !== undefined) {
      electron.powerSaveBlocker.stop(powerBlocker);
      powerBlocker = undefined;
      log.info('outside opening hours: the screen may sleep');
    }
  }

  async function registerAutostart(): Promise<void> {
    if (!config.autostart || !app.isPackaged) return;
    const platform = deps.platform ?? process.platform;
    if (platform === 'win32' || platform === 'darwin') {
      app.setLoginItemSettings({ openAtLogin: true });
      return;
    }
    if (platform !== 'linux' || deps.xdgConfigHome === undefined || deps.executable === undefined) return;
    const dir = join(deps.xdgConfigHome, 'autostart');
    await mkdir(dir, { recursive: true });
    try {
      // 'wx': an entry the user edited or disabled is theirs; never overwrite it.
      await writeFile(join(dir, 'genkan-kiosk.desktop'), autostartDesktopEntry(deps.executable), {
        flag: 'wx',
      });
      log.info('registered the kiosk to start at login');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }

  async function dispose(): Promise<void> {
    if (disposed) return;
    disposed = true;
    clearInterval(powerTimer);
    clearTimeout(hangTimer);
    clearTimeout(reloadTimer);
    if (powerBlocker !== undefined) {
      electron.powerSaveBlocker.stop(powerBlocker);
      powerBlocker = undefined;
    }
    await link.close();
  }

  function quit(): void {
    quitting = true;
    app.quit();
  }

  // Before ready: privileged schemes must be registered before the app is ready, and so must switches.
  electron.protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  app.commandLine.appendSwitch('disable-features', 'HardwareMediaKeyHandling,MediaSessionService');

  if (!app.requestSingleInstanceLock()) {
    log.warn('another kiosk shell is running; this one exits');
    app.exit(SHELL_EXIT.alreadyRunning);
    return { ready: Promise.resolve(), quit, dispose };
  }

  app.on('second-instance', () => {
    if (window === undefined || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  });
  app.on('before-quit', () => {
    quitting = true;
    void dispose();
  });
  app.on('window-all-closed', () => {
    app.quit();
  });

  const ready = app.whenReady().then(() => {
    if (disposed) return;
    electron.Menu.setApplicationMenu(null);
    electron.protocol.handle(APP_SCHEME, serve);
    const session = electron.session.defaultSession;
    session.setPermissionRequestHandler((_contents, permission, callback, details) => {
      const granted = permissionRequestAllowed(permission, details);
      if (!granted) log.warn({ permission }, 'denied a permission request');
      callback(granted);
    });
    session.setPermissionCheckHandler((_contents, permission, origin, details) =>
      permissionCheckAllowed(permission, origin, details),
    );
    electron.ipcMain.handle(IPC.command, (event, raw) => {
      if (!fromOurScreen(event)) {
        log.warn('refused a command from outside the kiosk screen');
        return REFUSED.forbidden;
      }
      const parsed = UiCommandSchema.safeParse(raw);
      if (!parsed.success) {
        log.warn('refused an invalid command from the kiosk screen');
        return REFUSED.badCommand;
      }
      return link.send(parsed.data);
    });
    electron.ipcMain.handle(IPC.hello, (event) => (fromOurScreen(event) ? link.helloEvents() : []));
    window = createWindow();
    link.start();
    updatePowerSave();
    powerTimer = setInterval(updatePowerSave, POWER_CHECK_MS);
    registerAutostart().catch((err: unknown) => {
      log.warn({ err: errorMessage(err) }, 'could not register the kiosk to start at login');
    });
  });

  return { ready, quit, dispose };
}
