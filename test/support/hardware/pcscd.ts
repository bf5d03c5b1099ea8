import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { until } from '../wait.ts';

/**
 * A private pcscd with a vsmartcard virtual reader (vpcd), for tests of the real PC/SC stack. pcscd's
 * client socket (/run/pcscd/pcscd.comm) is global, so only one pcscd can run at a time: tests using this
 * wait for each other (start() waits while another live test process has one running), and a pcscd not
 * started by a test makes start() fail.
 */

export const VPCD_DRIVER = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';
export const PCSCD_SOCKET = '/run/pcscd/pcscd.comm';
/** Marks config folders (and so pcscd command lines) of pcscds started by tests. */
const MARKER = 'genkan-pcscd-';

/** The pcscd binary, or undefined when pcscd is not installed. */
export function pcscdPath(): string | undefined {
  for (const p of ['/usr/sbin/pcscd', '/usr/local/sbin/pcscd']) if (existsSync(p)) return p;
  try {
    const found = execFileSync('sh', ['-c', 'command -v pcscd'], { encoding: 'utf8' }).trim();
    return found === '' ? undefined : found;
  } catch {
    return undefined;
  }
}

export function hasVpcdDriver(): boolean {
  return existsSync(VPCD_DRIVER);
}

/** Whether nfc-pcsc (an optional dependency with a native part) loads. */
export async function nfcPcscLoads(): Promise<boolean> {
  try {
    await import('nfc-pcsc');
    return true;
  } catch {
    return false;
  }
}

export interface PcscdOptions {
  /** vpcd's CHANNELID: its TCP port for slot 0 (slot 1 is one more). Distinct per test file. */
  channelId: number;
  /** How long start() waits for pcscd to serve; default 15 s. */
  startTimeoutMs?: number;
  /**
   * The virtual reader's FRIENDLYNAME, the start of the name clients see (pcscd appends the slot
   * numbers). Default `Genkan Virtual PCD`; a test can name it like a real model to reach code that
   * depends on the reader model, such as the ACR122 LED/buzzer feedback.
   */
  readerName?: string;
}

export const DEFAULT_VIRTUAL_READER_NAME = 'Genkan Virtual PCD';

export class PrivatePcscd {
  readonly channelId: number;
  readonly readerName: string;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #log = '';
  readonly #dir: string;
  readonly #timeoutMs: number;

  private constructor(dir: string, options: PcscdOptions) {
    this.#dir = dir;
    this.channelId = options.channelId;
    this.readerName = options.readerName ?? DEFAULT_VIRTUAL_READER_NAME;
    this.#timeoutMs = options.startTimeoutMs ?? 15_000;
  }

  /** Writes the reader config to a temp folder and starts pcscd on it. */
  static async start(options: PcscdOptions): Promise<PrivatePcscd> {
    await refuseEphemeralPort(options.channelId);
    const dir = await mkdtemp(join(tmpdir(), MARKER));
    // pcscd reads every file of its config folder as a reader: the owner file lives beside it.
    await mkdir(join(dir, 'conf'));
    const hex = `0x${options.channelId.toString(16).toUpperCase()}`;
    const name = options.readerName ?? DEFAULT_VIRTUAL_READER_NAME;
    // A quote would end the value early in pcscd's config parser.
    if (name.includes('"')) throw new Error('reader name must not contain a double quote');
    await writeFile(
      join(dir, 'conf', 'vpcd'),
      [
        `FRIENDLYNAME "${name}"`,
        `DEVICENAME   /dev/null:${hex}`,
        `LIBPATH      ${VPCD_DRIVER}`,
        `CHANNELID    ${hex}`,
        '',
      ].join('\n'),
    );
    // Whose pcscd this is: a concurrent test run waits for it instead of stopping it.
    await writeFile(join(dir, 'owner'), String(process.pid));
    const pcscd = new PrivatePcscd(dir, options);
    try {
      await pcscd.restart();
    } catch (err) {
      await pcscd.stop();
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
    return pcscd;
  }

  /** The TCP port a virtual card connects to for slot 0 or 1. */
  port(slot: 0 | 1 = 0): number {
    return this.channelId + slot;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  /** Starts pcscd (again, after stop()) and waits until it serves clients and vpcd accepts cards. */
  async restart(): Promise<void> {
    if (this.#child) return;
    await waitForOtherPcscd(120_000);
    const bin = pcscdPath();
    if (bin === undefined) throw new Error('pcscd is not installed');
    this.#log = '';
    const child = spawn(bin, ['--foreground', '--config', join(this.#dir, 'conf')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    this.#exited = new Promise((resolve) => {
      child.once('exit', () => {
        if (this.#child === child) this.#child = undefined;
        resolve();
      });
    });
    const keep = (chunk: Buffer) => {
      this.#log = (this.#log + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    await until(
      async () => {
        if ((await socketAccepts(PCSCD_SOCKET)) && (await tcpListening(this.channelId))) return true;
        if (this.#child !== child) throw new Error(`pcscd exited during start:\n${this.#log}`);
        return false;
      },
      () => `pcscd to be ready:\n${this.#log}`,
      { timeoutMs: this.#timeoutMs, intervalMs: 50 },
    );
  }

  /** Stops pcscd, which removes the virtual reader from every PC/SC client. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await this.#exited;
    clearTimeout(killer);
  }

  /** Stops pcscd and removes its config folder. */
  async dispose(): Promise<void> {
    await this.stop();
    await rm(this.#dir, { recursive: true, force: true });
  }

  /** What pcscd printed (for failing tests). */
  get log(): string {
    return this.#log;
  }
}

/**
 * Waits for a pcscd of a test run still in progress (another vitest process in the same checkout) to
 * finish, and stops one whose test process died. Any other pcscd makes the test fail rather than
 * stopping a service someone relies on.
 */
async function waitForOtherPcscd(timeoutMs: number): Promise<void> {
  await until(async () => (await otherPcscds()) === 0, 'a pcscd of another test run to stop', {
    timeoutMs,
    intervalMs: 200,
  });
}

/** Stops stray test pcscds; returns how many pcscds of live test processes are still running. */
async function otherPcscds(): Promise<number> {
  let pids: number[];
  try {
    pids = execFileSync('pgrep', ['-x', 'pcscd'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(Number);
  } catch {
    return 0; // pgrep exits 1 when nothing matches
  }
  let busy = 0;
  for (const pid of pids) {
    let cmdline: string;
    try {
      cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ').trim();
    } catch {
      continue; // gone meanwhile
    }
    const dir = new RegExp(`(\\S*${MARKER}\\S*)`).exec(cmdline)?.[1];
    if (dir === undefined) {
      throw new Error(`another pcscd is running (pid ${pid}: ${cmdline}); stop it to run PC/SC tests`);
    }
    const owner = Number(await readFile(join(dirname(dir), 'owner'), 'utf8').catch(() => '0'));
    if (owner !== process.pid && owner > 0 && isAlive(owner)) {
      busy++;
      continue;
    }
    process.kill(pid, 'SIGTERM');
    const gone = Date.now() + 5_000;
    while (existsSync(`/proc/${pid}`) && Date.now() < gone) await new Promise((r) => setTimeout(r, 50));
  }
  return busy;
}

/**
 * vpcd listens on fixed ports. One inside the kernel's ephemeral range can be taken by any outgoing
 * connection or port-0 listener of a parallel test ("Address already in use", seen once in CI).
 */
async function refuseEphemeralPort(channelId: number): Promise<void> {
  const range = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '32768 60999');
  const [low = 32768, high = 60999] = range.trim().split(/\s+/).map(Number);
  if (channelId + 1 >= low && channelId <= high) {
    throw new Error(
      `vpcd channel ${channelId} lies in the ephemeral port range ${low}-${high}; pick one below`,
    );
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function socketAccepts(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

/**
 * Whether something listens on a TCP port, from /proc/net/tcp*: connecting to vpcd to find out would put a
 * card on the reader.
 */
async function tcpListening(port: number): Promise<boolean> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is ADDR:PORT; state 0A is LISTEN.
      if (cols[1]?.endsWith(`:${hexPort}`) === true && cols[3] === '0A') return true;
    }
  }
  return false;
}
