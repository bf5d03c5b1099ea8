import type { BrowserWindowConstructorOptions, CustomScheme } from 'electron';
import type {
  KeyInput,
  PermissionCheckInfo,
  PermissionRequestInfo,
} from '../../../kiosk/main/electron/security.ts';
import type { ShellElectron, ShellIpcEvent } from '../../../kiosk/main/electron/shell.ts';

type Listener = (...args: unknown[]) => void;

/** Just enough of Node's EventEmitter for the shell's `on`/`once` calls, with a synchronous emit. */
class FakeEmitter {
  readonly #listeners = new Map<string, Listener[]>();
  on(event: string, listener: (...args: never[]) => void): this {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), listener as Listener]);
    return this;
  }
  once(event: string, listener: (...args: never[]) => void): this {
    const wrapped: Listener = (...args) => {
      this.#listeners.set(
        event,
        (this.#listeners.get(event) ?? []).filter((l) => l !== wrapped),
      );
      (listener as Listener)(...args);
    };
    return this.on(event, wrapped);
  }
  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.#listeners.get(event) ?? []) listener(...args);
  }
  listenerCount(event: string): number {
    return this.#listeners.get(event)?.length ?? 0;
  }
}

export interface FakePreventable {
  prevented: boolean;
  preventDefault(): void;
}

export function preventable<T extends object>(extra: T): T & FakePreventable {
  return Object.assign(
    {
      prevented: false,
      preventDefault(this: FakePreventable) {
        this.prevented = true;
      },
    },
    extra,
  );
}

let nextContentsId = 1;

export class FakeWebContents extends FakeEmitter {
  readonly id = nextContentsId++;
  readonly sent: { channel: string; args: unknown[] }[] = [];
  reloads = 0;
  openHandler: ((details: { readonly url: string }) => { action: 'deny' }) | undefined;
  onSend: (() => void) | undefined;
  setWindowOpenHandler(handler: (details: { readonly url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
    this.onSend?.();
  }
  reload(): void {
    this.reloads++;
  }
  isDestroyed(): boolean {
    return false;
  }
  input(input: Partial<KeyInput>): FakePreventable {
    const event = preventable({});
    this.emit('before-input-event', event, {
      type: 'keyDown',
      key: 'a',
      control: false,
      meta: false,
      alt: false,
      ...input,
    });
    return event;
  }
}

export class FakeWindow extends FakeEmitter {
  readonly webContents = new FakeWebContents();
  readonly loaded: string[] = [];
  destroyed = false;
  shown = 0;
  focused = 0;
  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
  }
  loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    return Promise.resolve();
  }
  show(): void {
    this.shown++;
  }
  focus(): void {
    this.focused++;
  }
  restore(): void {
    /* not minimised in tests */
  }
  isMinimized(): boolean {
    return false;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

type RequestHandler = (
  webContents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  details: PermissionRequestInfo,
) => void;
type CheckHandler = (
  webContents: unknown,
  permission: string,
  requestingOrigin: string,
  details: PermissionCheckInfo,
) => boolean;
type IpcHandler = (event: ShellIpcEvent, ...args: unknown[]) => unknown;
type ProtocolHandler = (request: { readonly url: string; readonly method: string }) => Promise<Response>;

export interface FakeElectron extends ShellElectron {
  readonly windows: FakeWindow[];
  readonly appEvents: FakeEmitter;
  readonly calls: {
    exitCode: number | undefined;
    quits: number;
    lockRequested: boolean;
    schemes: CustomScheme[];
    menuCleared: boolean;
    loginItem: { openAtLogin: boolean } | undefined;
    powerStarted: number;
    powerStopped: number[];
    switches: [string, string | undefined][];
  };
  readonly ipcHandlers: Map<string, IpcHandler>;
  readonly protocolHandlers: Map<string, ProtocolHandler>;
  permissionRequest: RequestHandler | undefined;
  permissionCheck: CheckHandler | undefined;
}

/** A recording stand-in for the `electron` module, shaped as ShellElectron. */
export function fakeElectron(options: { lock?: boolean; isPackaged?: boolean } = {}): FakeElectron {
  const windows: FakeWindow[] = [];
  const appEvents = new FakeEmitter();
  const calls: FakeElectron['calls'] = {
    exitCode: undefined,
    quits: 0,
    lockRequested: false,
    schemes: [],
    menuCleared: false,
    loginItem: undefined,
    powerStarted: 0,
    powerStopped: [],
    switches: [],
  };
  const ipcHandlers = new Map<string, IpcHandler>();
  const protocolHandlers = new Map<string, ProtocolHandler>();
  const fake: FakeElectron = {
    windows,
    appEvents,
    calls,
    ipcHandlers,
    protocolHandlers,
    permissionRequest: undefined,
    permissionCheck: undefined,
    app: {
      isPackaged: options.isPackaged ?? false,
      commandLine: {
        appendSwitch(name: string, value?: string) {
          calls.switches.push([name, value]);
        },
      },
      requestSingleInstanceLock() {
        calls.lockRequested = true;
        return options.lock ?? true;
      },
      on(event: string, listener: () => void) {
        return appEvents.on(event, listener);
      },
      whenReady: () => Promise.resolve(),
      quit() {
        calls.quits++;
        appEvents.emit('before-quit');
      },
      exit(code?: number) {
        calls.exitCode = code ?? 0;
      },
      setLoginItemSettings(settings: { openAtLogin: boolean }) {
        calls.loginItem = settings;
      },
    },
    BrowserWindow: class extends FakeWindow {
      constructor(opts: BrowserWindowConstructorOptions) {
        super(opts);
        windows.push(this);
      }
    },
    Menu: {
      setApplicationMenu() {
        calls.menuCleared = true;
      },
    },
    ipcMain: {
      handle(channel: string, listener: IpcHandler) {
        ipcHandlers.set(channel, listener);
      },
    },
    protocol: {
      registerSchemesAsPrivileged(schemes: CustomScheme[]) {
        calls.schemes.push(...schemes);
      },
      handle(scheme: string, handler: ProtocolHandler) {
        protocolHandlers.set(scheme, handler);
      },
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler(handler: RequestHandler) {
          fake.permissionRequest = handler;
        },
        setPermissionCheckHandler(handler: CheckHandler) {
          fake.permissionCheck = handler;
        },
      },
    },
    powerSaveBlocker: {
      start() {
        calls.powerStarted++;
        return calls.powerStarted;
      },
      stop(id: number) {
        calls.powerStopped.push(id);
        return true;
      },
    },
  };
  return fake;
}
