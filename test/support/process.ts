import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { errorMessage } from '../../common/errors.ts';
import { until } from './wait.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const GENKAN_BIN = join(ROOT, 'bin/genkan.mjs');

export type JsonLine = Record<string, unknown>;

/** A program other than a node script, e.g. `npm start --`. */
export interface CommandLaunch {
  command: string;
  args: string[];
  /** Run in a process group of its own, which stop() signals as a whole. */
  group?: boolean;
}

/** `npm start -- ARGS`: the newcomer's way in (README), which builds and then runs `genkan demo`. */
export const NPM_START: CommandLaunch = { command: 'npm', args: ['start', '--silent', '--'], group: true };

/**
 * A genkan CLI process under test. stdout is read as JSON lines (ready lines, tap results); stderr is
 * kept so that a failing test can show what the process logged.
 */
export class GenkanProcess {
  readonly child: ChildProcess;
  private readonly group: boolean;
  readonly lines: JsonLine[] = [];
  stderr = '';
  private waiters: { pred: (l: JsonLine) => boolean; resolve: (l: JsonLine) => void }[] = [];
  readonly exited: Promise<number | null>;

  constructor(
    readonly label: string,
    args: string[],
    env: NodeJS.ProcessEnv = {},
    /**
     * The script node runs (the genkan CLI, or another entry point such as a benchmark baseline), or
     * another program to run with `args` after its own (`npm start --`).
     */
    entry: string | CommandLaunch = GENKAN_BIN,
  ) {
    const launch: CommandLaunch =
      typeof entry === 'string' ? { command: process.execPath, args: [entry] } : entry;
    this.group = launch.group === true;
    this.child = spawn(launch.command, [...launch.args, ...args], {
      cwd: ROOT,
      // Its own process group, so that stop() reaches the whole tree (npm → node → the demo's services).
      detached: this.group,
      env: { ...process.env, GENKAN_LOG_LEVEL: process.env['GENKAN_LOG_LEVEL'] ?? 'warn', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.exited = new Promise((res) =>
      this.child.once('exit', (code) => {
        res(code);
      }),
    );
    const stdout = this.child.stdout;
    const stderr = this.child.stderr;
    if (!stdout || !stderr) throw new Error('spawned without pipes');
    createInterface({ input: stdout }).on('line', (text) => {
      let line: JsonLine;
      try {
        line = JSON.parse(text) as JsonLine;
      } catch {
        line = { text };
      }
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(line)) return true;
        w.resolve(line);
        return false;
      });
    });
    stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
      // Bounded, yet large enough that tests can scan a whole run's log for personal data.
      if (this.stderr.length > 20_000_000) this.stderr = this.stderr.slice(-10_000_000);
    });
  }

  /** Resolves with the first stdout line (already seen or future) matching `pred`. */
  waitFor(pred: (l: JsonLine) => boolean, timeoutMs = 30_000, what = 'a matching line'): Promise<JsonLine> {
    const seen = this.lines.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((res, rej) => {
      const timer = setTimeout(() => {
        rej(
          new Error(`${this.label}: no ${what} within ${timeoutMs} ms\nstderr:\n${this.stderr.slice(-4000)}`),
        );
      }, timeoutMs);
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        rej(new Error(`${this.label} exited (${code}) before ${what}\nstderr:\n${this.stderr.slice(-4000)}`));
      };
      this.child.once('exit', onExit);
      this.waiters.push({
        pred,
        resolve: (l) => {
          clearTimeout(timer);
          this.child.off('exit', onExit);
          res(l);
        },
      });
    });
  }

  ready(timeoutMs = 60_000): Promise<JsonLine> {
    return this.waitFor((l) => l['ready'] === true, timeoutMs, 'ready line');
  }

  write(text: string): void {
    this.child.stdin?.write(text);
  }

  /**
   * Sends a signal and waits for the exit. A group launch gets it as a terminal's Ctrl+C sends it: to the
   * whole process group (npm would not pass SIGINT through its shell to the script).
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const pid = this.child.pid;
    if (this.group && pid !== undefined) process.kill(-pid, signal);
    else this.child.kill(signal);
    await this.exited;
  }
}

/**
 * Runs a one-shot genkan command and returns its exit code, stdout and stderr. With `stdin`, the command
 * reads that and then the end of its input (as from a pipe); without, its input stays open and empty.
 */
export function runGenkan(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  stdin?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [GENKAN_BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, GENKAN_LOG_LEVEL: 'warn', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', rej);
    child.on('exit', (code) => {
      res({ code, stdout, stderr });
    });
    if (stdin !== undefined) child.stdin.end(stdin);
  });
}

/** Like runGenkan, but expects success and parses the single JSON line it prints. */
export async function genkanJson<T = JsonLine>(args: string[]): Promise<T> {
  const r = await runGenkan(args);
  if (r.code !== 0) throw new Error(`genkan ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim()) as T;
}

export async function tempDir(prefix = 'genkan-test-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * Polls `check` until it returns a value other than undefined (for state observed over HTTP): until() from
 * wait.ts, except that a failing check (a server not up yet) is tried again, its error shown on timeout.
 */
export function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
  intervalMs = 200,
): Promise<T> {
  let last: unknown;
  return until(
    async () => {
      try {
        return await check();
      } catch (err) {
        last = err;
        return undefined;
      }
    },
    () => `${what}${last === undefined ? '' : `: ${errorMessage(last)}`}`,
    { timeoutMs, intervalMs },
  );
}
