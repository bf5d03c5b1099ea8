import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PACKAGE_ROOT } from '../common/package-root.ts';

/**
 * The demo's processes (cloud relay, edge hub, kiosk), run through the public CLI. Their logs and any
 * line that is not JSON go to a file each in the demo's data directory, never to the terminal the demo
 * talks on; their JSON lines go to whoever started them.
 */
export const BIN = join(PACKAGE_ROOT, 'bin', 'genkan.mjs');

export type Json = Record<string, unknown>;

/** Runs a one-shot genkan command and returns its JSON output (its last line). */
export function genkanJson(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Json> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', rej);
    child.on('exit', (code) => {
      if (code === 0) res(JSON.parse(out.trim().split('\n').pop() ?? '{}') as Json);
      else rej(new Error(`genkan ${args.slice(0, 2).join(' ')} failed: ${err.trim()}`));
    });
  });
}

export interface DemoServiceOptions {
  label: string;
  /** The CLI arguments of each start (a restarted hub binds the ports of its first start). */
  args: () => string[];
  env?: NodeJS.ProcessEnv;
  /** The service's log file (stderr, and stdout lines that are not JSON). */
  logFile: string;
  /**
   * Lines of stderr that are not log (the simulated reader's menu, which names the demo's guardians and
   * children: the demo prints its own list), kept out of the log file.
   */
  notLog?: (line: string) => boolean;
  /** Every JSON line after the ready line. */
  onLine?: (line: Json) => void;
  /** It exited without stop() being called (a crash, or Ctrl+C reaching it first). */
  onExit: (how: { code: number | null; signal: NodeJS.Signals | null }) => void;
}

/** One long-running genkan process that can be stopped and started again. */
export class DemoService {
  readonly #o: DemoServiceOptions;
  #child: ChildProcess | undefined;
  #log: WriteStream | undefined;
  #stopping = false;

  constructor(options: DemoServiceOptions) {
    this.#o = options;
  }

  get label(): string {
    return this.#o.label;
  }

  get running(): boolean {
    const c = this.#child;
    return c !== undefined && c.exitCode === null && c.signalCode === null;
  }

  /** Starts the process; resolves with its ready line, rejects when it exits before it. */
  start(): Promise<Json> {
    const { label, logFile } = this.#o;
    this.#stopping = false;
    const log = (this.#log ??= createWriteStream(logFile, { flags: 'a' }));
    const child = spawn(process.execPath, [BIN, ...this.#o.args()], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        ...process.env,
        GENKAN_LOG_LEVEL: process.env['GENKAN_LOG_LEVEL'] ?? 'info',
        ...this.#o.env,
      },
    });
    this.#child = child;
    const notLog = this.#o.notLog;
    createInterface({ input: child.stderr }).on('line', (text) => {
      if (notLog?.(text) !== true) log.write(`${text}\n`);
    });
    return new Promise((res, rej) => {
      let ready = false;
      child.on('error', rej);
      child.on('exit', (code, signal) => {
        if (!ready) {
          rej(new Error(`${label} exited (${String(code ?? signal)}) before it was ready; see ${logFile}`));
        } else if (!this.#stopping) this.#o.onExit({ code, signal });
      });
      createInterface({ input: child.stdout }).on('line', (text) => {
        let line: Json;
        try {
          line = JSON.parse(text) as Json;
        } catch {
          log.write(`${text}\n`);
          return;
        }
        if (!ready && line['ready'] === true) {
          ready = true;
          res(line);
        } else this.#o.onLine?.(line);
      });
    });
  }

  /** Stops the process (SIGTERM, then SIGKILL after 5 s) and waits for it. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#stopping = true;
    if (!child || !this.running) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  /** A line on the process's stdin (the kiosk's simulated reader). */
  write(text: string): void {
    if (this.running) this.#child?.stdin?.write(`${text}\n`);
  }
}
