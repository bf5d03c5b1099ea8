import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../common/private-files.ts';
import { badBackup } from './format.ts';

/**
 * The archive inside a backup: a sequence of files, each
 *
 *   u8 1 | u16 BE path length | path (UTF-8, relative, "/"-separated) | u64 BE size | the file's bytes
 *
 * closed by a u8 0. Only regular files: folders follow from the paths, and every file and folder is
 * restored private (0600/0700), whatever its mode was.
 */
const ENTRY_FILE = 1;
const ENTRY_END = 0;
const MAX_PATH_BYTES = 4096;

export interface ArchiveSource {
  /** The path inside the archive (and under the restored data dir). */
  name: string;
  /** Where to read it now. */
  file: string;
}

/** A relative, "/"-separated path with no empty, "." or ".." part, so that it stays under the target. */
export function checkArchivePath(name: string): void {
  const parts = name.split('/');
  const ok =
    name.length > 0 &&
    !name.includes('\\') &&
    !name.includes('\0') &&
    parts.every((p) => p !== '' && p !== '.' && p !== '..');
  if (!ok) throw badBackup(`the backup names an unsafe path: ${JSON.stringify(name)}`);
}

/** The archive's bytes, streamed file by file. A file that changes size while it is read fails the backup. */
export async function* writeArchive(sources: readonly ArchiveSource[]): AsyncGenerator<Buffer> {
  for (const source of sources) {
    checkArchivePath(source.name);
    const path = Buffer.from(source.name, 'utf8');
    if (path.length > MAX_PATH_BYTES) throw new Error(`path too long for a backup: ${source.name}`);
    const { size } = await stat(source.file);
    const head = Buffer.alloc(1 + 2 + path.length + 8);
    head.writeUInt8(ENTRY_FILE, 0);
    head.writeUInt16BE(path.length, 1);
    path.copy(head, 3);
    head.writeBigUInt64BE(BigInt(size), 3 + path.length);
    yield head;
    let read = 0;
    for await (const chunk of createReadStream(source.file)) {
      const buf = chunk as Buffer;
      read += buf.length;
      if (read > size) break;
      yield buf;
    }
    if (read !== size) throw new Error(`${source.name} changed while it was backed up; try again`);
  }
  yield Buffer.from([ENTRY_END]);
}

/** Reads exact byte counts from a stream of chunks. */
class ChunkReader {
  private buffered: Buffer[] = [];
  private length = 0;
  private readonly source: AsyncIterator<Buffer>;

  constructor(source: AsyncIterable<Buffer>) {
    this.source = source[Symbol.asyncIterator]();
  }

  /** The next `n` bytes; fewer only at the end of the stream. */
  async read(n: number): Promise<Buffer> {
    while (this.length < n) {
      const next = await this.source.next();
      if (next.done === true) break;
      this.buffered.push(next.value);
      this.length += next.value.length;
    }
    const all = Buffer.concat(this.buffered);
    const out = all.subarray(0, Math.min(n, all.length));
    const rest = all.subarray(out.length);
    this.buffered = rest.length > 0 ? [rest] : [];
    this.length = rest.length;
    return out;
  }

  async exact(n: number, what: string): Promise<Buffer> {
    const out = await this.read(n);
    if (out.length !== n) throw badBackup(`the backup ends inside ${what}`);
    return out;
  }

  /** Up to `max` bytes that are already buffered or arrive next (never more than `max`). */
  async some(max: number): Promise<Buffer> {
    if (this.length === 0) {
      const next = await this.source.next();
      if (next.done === true) return Buffer.alloc(0);
      this.buffered = [next.value];
      this.length = next.value.length;
    }
    return this.read(Math.min(max, this.length));
  }

  async atEnd(): Promise<boolean> {
    return (await this.read(1)).length === 0;
  }
}

/**
 * Writes the archive's files under `targetDir` (files 0600, folders 0700) and returns their names. Every
 * error is bad_backup; the caller removes `targetDir` on failure.
 */
export async function readArchive(chunks: AsyncIterable<Buffer>, targetDir: string): Promise<string[]> {
  const reader = new ChunkReader(chunks);
  const names = new Set<string>();
  for (;;) {
    const kind = (await reader.exact(1, 'an entry'))[0];
    if (kind === ENTRY_END) break;
    if (kind !== ENTRY_FILE) throw badBackup(`unknown archive entry ${String(kind)}`);
    const pathLength = (await reader.exact(2, 'an entry')).readUInt16BE(0);
    if (pathLength > MAX_PATH_BYTES) throw badBackup('the backup names an overlong path');
    const name = (await reader.exact(pathLength, 'an entry')).toString('utf8');
    checkArchivePath(name);
    if (names.has(name)) throw badBackup(`the backup holds ${name} twice`);
    names.add(name);
    let remaining = (await reader.exact(8, 'an entry')).readBigUInt64BE(0);
    const path = join(targetDir, ...name.split('/'));
    await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
    const out = createWriteStream(path, { flags: 'wx', mode: PRIVATE_FILE_MODE });
    try {
      while (remaining > 0n) {
        const chunk = await reader.some(Number(remaining > 1_048_576n ? 1_048_576n : remaining));
        if (chunk.length === 0) throw badBackup(`the backup ends inside ${name}`);
        remaining -= BigInt(chunk.length);
        if (!out.write(chunk)) await once(out, 'drain');
      }
    } finally {
      out.end();
      await once(out, 'close');
    }
  }
  if (!(await reader.atEnd())) throw badBackup('the backup has data after its last file');
  return [...names];
}
