import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const START_TIMEOUT_MS = 10_000;

/**
 * A real pseudo-terminal pair made by socat, standing in for a USB-serial scanner: the reader opens
 * `device`, the test writes scans into `peer`. Stopping socat makes the device vanish as an unplugged
 * scanner does; starting it again recreates the same paths, as a re-plug does.
 */
export class SocatPty {
  readonly device: string;
  readonly peer: string;
  #child: ChildProcess | undefined;
  #peerHandle: FileHandle | undefined;

  private constructor(readonly dir: string) {
    this.device = join(dir, 'ttyA');
    this.peer = join(dir, 'ttyB');
  }

  static async create(): Promise<SocatPty> {
    return new SocatPty(await mkdtemp(join(tmpdir(), 'genkan-pty-')));
  }

  /** Starts socat and resolves once it has created both ends and is forwarding. */
  async start(): Promise<void> {
    if (this.#child) throw new Error('socat already running');
    const child = spawn(
      'socat',
      ['-d', '-d', `pty,raw,echo=0,link=${this.device}`, `pty,raw,echo=0,link=${this.peer}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.#child = child;
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        fail(new Error(`socat did not start within ${START_TIMEOUT_MS} ms: ${log}`));
      }, START_TIMEOUT_MS);
      const onData = (chunk: Buffer): void => {
        log += chunk.toString();
        // socat -d -d prints this once both ptys exist and their links are in place.
        if (log.includes('starting data transfer loop')) done();
      };
      const onExit = (code: number | null): void => {
        fail(new Error(`socat exited (${String(code)}) before starting: ${log}`));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        child.stderr.off('data', onData);
        child.off('exit', onExit);
        child.off('error', fail);
      };
      function done(): void {
        cleanup();
        resolve();
      }
      function fail(err: Error): void {
        cleanup();
        reject(err);
      }
      child.stderr.on('data', onData);
      child.once('exit', onExit);
      child.once('error', fail);
    });
    // Drained after start so that socat never blocks on a full stderr pipe.
    child.stderr.resume();
    // One descriptor kept open for the life of socat: closing the last one would hang up the pty.
    this.#peerHandle = await open(this.peer, constants.O_RDWR | constants.O_NOCTTY);
  }

  /** Writes into the peer end; resolves once the kernel has taken the bytes. */
  async write(data: string | Uint8Array): Promise<void> {
    const handle = this.#peerHandle;
    if (!handle) throw new Error('socat not running');
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, off, bytes.length - off);
      off += bytesWritten;
    }
  }

  /** Stops socat (the device vanishes) and resolves once it has exited. */
  async stop(): Promise<void> {
    const handle = this.#peerHandle;
    this.#peerHandle = undefined;
    await handle?.close();
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) =>
      child.once('exit', () => {
        resolve();
      }),
    );
    child.kill('SIGTERM');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}
