import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DIST_DIR, RUNNING_FROM_SOURCE } from '../../../common/package-root.ts';
import type { Logger } from '../../../common/logger.ts';
import { KioskError } from '../errors.ts';
import { SHELL_EXIT } from './exit-codes.ts';

/*
 * The Node side of the Electron shell: builds the app files and runs Electron as a supervised child
 * process. Nothing here imports Electron; the agent and its native modules stay in Node.
 */

/** The Electron app `npm run build` writes (main.cjs, preload.cjs, renderer/); electron-builder packages it. */
export const BUILT_KIOSK_APP_DIR = join(DIST_DIR, 'kiosk');

/** Environment variable that carries the agent's UI URL (with its token) to the shell. */
export const UI_URL_ENV = 'GENKAN_KIOSK_UI';

/**
 * Variables the shell must not inherit: Electron would run as plain Node, and the device password is the
 * agent's secret, not the screen's.
 */
const WITHHELD_ENV = ['ELECTRON_RUN_AS_NODE', 'GENKAN_DEVICE_PASSWORD'];

/**
 * Path of the Electron executable, or undefined when it is not installed. Reads the electron package's
 * path.txt itself: `require('electron')` would try to download a missing binary.
 */
export function electronBinary(
  options: { packageDir?: string; env?: NodeJS.ProcessEnv } = {},
): string | undefined {
  let packageDir = options.packageDir;
  if (packageDir === undefined) {
    try {
      packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    } catch {
      return undefined;
    }
  }
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const relative = readFileSync(pathFile, 'utf8').trim();
  if (relative === '') return undefined;
  const override = (options.env ?? process.env)['ELECTRON_OVERRIDE_DIST_PATH'];
  const binary =
    override !== undefined && override !== '' ? join(override, relative) : join(packageDir, 'dist', relative);
  return existsSync(binary) ? binary : undefined;
}

export interface ShellExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the supervisor starts the shell again after this delay. */
  readonly restartInMs?: number;
}

export interface LaunchElectronShellOptions {
  /** ws://127.0.0.1:N/k/<token>/ws: handed over in the environment, never logged nor on the command line. */
  readonly uiUrl: string;
  readonly logger: Logger;
  /** Defaults to electronBinary(). */
  readonly binary?: string;
  /**
   * A built app (buildKioskApp); by default the one `npm run build` wrote, or, running from sources, one
   * built into a temporary folder, removed on close.
   */
  readonly appDir?: string;
  /** Extra environment for the shell (GENKAN_KIOSK_OPENING_HOURS, GENKAN_KIOSK_TIME_ZONE, …). */
  readonly env?: Readonly<Record<string, string>>;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** A run at least this long resets the backoff. */
  readonly stableAfterMs?: number;
  /** How long close() waits for the shell to quit before killing it. */
  readonly killAfterMs?: number;
  readonly spawn?: (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;
  readonly onSpawn?: (pid: number | undefined) => void;
  readonly onExit?: (info: ShellExitInfo) => void;
}

export interface ElectronShellHandle {
  /** Pid of the running shell, if one is running. */
  readonly pid: number | undefined;
  /** Settles when supervision ends: close() was called or the shell cannot run (another is running). */
  readonly stopped: Promise<void>;
  close(): Promise<void>;
}

/** Builds the app if needed and runs Electron on it, restarting it after a crash (1 s, doubling to 30 s). */
export async function launchElectronShell(options: LaunchElectronShellOptions): Promise<ElectronShellHandle> {
  const url = new URL(options.uiUrl);
  if (url.protocol !== 'ws:') throw new KioskError('bad_ui_url', 'the UI URL must be ws://');
  const binary = options.binary ?? electronBinary();
  if (binary === undefined) {
    throw new KioskError(
      'electron_missing',
      'the Electron binary is not installed here; run the kiosk with --ui browser',
    );
  }
  let tempDir: string | undefined;
  let appDir = options.appDir ?? (RUNNING_FROM_SOURCE ? undefined : BUILT_KIOSK_APP_DIR);
  if (appDir === undefined) {
    // From sources there is no built app: build one for this run.
    tempDir = await mkdtemp(join(tmpdir(), 'genkan-kiosk-app-'));
    appDir = tempDir;
    try {
      const { buildKioskApp } = await import('./build-app.ts');
      await buildKioskApp(appDir);
    } catch (err) {
      await rm(tempDir, { recursive: true, force: true });
      throw err;
    }
  }
  const supervisor = new ShellSupervisor(binary, appDir, options, tempDir);
  supervisor.start();
  return supervisor;
}

class ShellSupervisor implements ElectronShellHandle {
  readonly stopped: Promise<void>;
  readonly #binary: string;
  readonly #appDir: string;
  readonly #options: LaunchElectronShellOptions;
  readonly #tempDir: string | undefined;
  readonly #log: Logger;
  readonly #initialMs: number;
  readonly #maxMs: number;
  #delayMs: number;
  #child: ChildProcess | undefined;
  #childExited: Promise<void> = Promise.resolve();
  #restartTimer: NodeJS.Timeout | undefined;
  #closing = false;
  #resolveStopped: () => void = () => undefined;

  constructor(
    binary: string,
    appDir: string,
    options: LaunchElectronShellOptions,
    tempDir: string | undefined,
  ) {
    this.#binary = binary;
    this.#appDir = appDir;
    this.#options = options;
    this.#tempDir = tempDir;
    this.#log = options.logger.child({ ns: 'electron-shell' });
    this.#initialMs = options.backoff?.initialMs ?? 1000;
    this.#maxMs = options.backoff?.maxMs ?? 30_000;
    this.#delayMs = this.#initialMs;
    this.stopped = new Promise((resolve) => {
      this.#resolveStopped = resolve;
    });
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  start(): void {
    if (this.#closing) return;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...this.#options.env,
      [UI_URL_ENV]: this.#options.uiUrl,
    };
    for (const name of WITHHELD_ENV) Reflect.deleteProperty(env, name);
    const spawn = this.#options.spawn ?? nodeSpawn;
    const startedAt = Date.now();
    // Electron's and Chromium's chatter goes to stderr: stdout is the CLI's machine-readable channel.
    const child = spawn(this.#binary, [this.#appDir], { env, stdio: ['ignore', 2, 2], windowsHide: false });
    this.#child = child;
    this.#childExited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        resolve();
        this.#onExit(child, code, signal, Date.now() - startedAt);
      });
    });
    child.once('error', (err) => {
      // Spawn failures (ENOENT, EACCES) emit no 'exit' when the process never started.
      this.#log.error({ err: err.message }, 'could not start Electron');
      if (child.pid === undefined) child.emit('exit', null, null);
    });
    this.#log.info({ pid: child.pid }, 'started the kiosk screen (Electron)');
    this.#options.onSpawn?.(child.pid);
  }

  #onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, ranMs: number): void {
    if (this.#child !== child) return;
    this.#child = undefined;
    if (this.#closing) {
      this.#options.onExit?.({ code, signal });
      return;
    }
    if (code === SHELL_EXIT.alreadyRunning || code === SHELL_EXIT.badConfig) {
      this.#log.error({ code }, 'the kiosk screen cannot run; not restarting it');
      this.#options.onExit?.({ code, signal });
      void this.#finish();
      return;
    }
    if (ranMs >= (this.#options.stableAfterMs ?? 60_000)) this.#delayMs = this.#initialMs;
    const delay = this.#delayMs;
    this.#delayMs = Math.min(this.#delayMs * 2, this.#maxMs);
    this.#log.warn({ code, signal, restartInMs: delay }, 'the kiosk screen exited; restarting it');
    this.#options.onExit?.({ code, signal, restartInMs: delay });
    this.#restartTimer = setTimeout(() => {
      this.start();
    }, delay);
  }

  async close(): Promise<void> {
    if (this.#closing) return this.stopped;
    this.#closing = true;
    clearTimeout(this.#restartTimer);
    const child = this.#child;
    if (child !== undefined) {
      // SIGTERM lets the shell close its window and quit; a hung shell is killed.
      child.kill('SIGTERM');
      const killer = setTimeout(() => {
        child.kill('SIGKILL');
      }, this.#options.killAfterMs ?? 5000);
      await this.#childExited;
      clearTimeout(killer);
    }
    await this.#finish();
  }

  async #finish(): Promise<void> {
    this.#closing = true;
    if (this.#tempDir !== undefined) await rm(this.#tempDir, { recursive: true, force: true });
    this.#resolveStopped();
  }
}
