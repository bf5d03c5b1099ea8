import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.ts';
import { fixedClock } from '../common/time.ts';
import type { CredentialRead, ReaderErrorEvent } from './reader.ts';
import { parseSimEntries, SimReader } from './sim.ts';
import { ReaderConfigError } from './errors.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'genkan-sim-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const ENTRIES = [
  { label: 'Guardian A', credential: 'card:0a0b0c0d' },
  { label: 'Guardian B', credential: 'qr:pickup-b' },
];

function setup(file: string | undefined) {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (c: Buffer) => {
    printed += c.toString();
  });
  const reader = new SimReader({
    logger: silentLogger(),
    clock: fixedClock('2026-04-01T08:00:00Z'),
    input,
    output,
    file,
  });
  const reads: CredentialRead[] = [];
  const errors: ReaderErrorEvent[] = [];
  reader.on('credential', (r) => reads.push(r));
  reader.on('error', (e) => errors.push(e));
  return { input, reader, reads, errors, printed: () => printed };
}

function writeEntries(entries: unknown): string {
  const file = join(dir, 'sim.json');
  writeFileSync(file, JSON.stringify(entries));
  return file;
}

function ended(reader: SimReader): Promise<void> {
  return new Promise((resolve) =>
    reader.on('detached', () => {
      resolve();
    }),
  );
}

describe('SimReader', () => {
  it('taps the Nth entry for a number and takes typed credentials too', async () => {
    const { input, reader, reads, errors } = setup(writeEntries(ENTRIES));
    await reader.open();
    const done = ended(reader);
    input.end('2\n1\r\ncard:1234\n3\n0\nnonsense\n');
    await done;
    expect(reads.map((r) => r.credential)).toEqual([
      { kind: 'qr', value: 'pickup-b' },
      { kind: 'card', value: '0a0b0c0d' },
      { kind: 'card', value: '1234' },
    ]);
    expect(errors.map((e) => e.code)).toEqual(['no_such_entry', 'no_such_entry', 'unrecognised_input']);
  });

  it('prints the numbered entries on open and on "list", to its output stream only', async () => {
    const { input, reader, printed } = setup(writeEntries(ENTRIES));
    await reader.open();
    expect(printed()).toContain('2 entries');
    expect(printed()).toContain('  1  Guardian A (card)');
    expect(printed()).toContain('  2  Guardian B (qr)');
    // Clear card ids never reach the menu.
    expect(printed()).not.toContain('0a0b0c0d');
    const before = printed().length;
    const done = ended(reader);
    input.end('list\n');
    await done;
    expect(printed().slice(before)).toContain('  2  Guardian B (qr)');
  });

  it('works without a file', async () => {
    const { input, reader, reads, printed } = setup(undefined);
    await reader.open();
    expect(printed()).toContain('0 entries');
    const done = ended(reader);
    input.end('qr:abc\nlist\n');
    await done;
    expect(reads.map((r) => r.credential)).toEqual([{ kind: 'qr', value: 'abc' }]);
    expect(printed()).toContain('(no entries)');
  });

  it('taps programmatically', async () => {
    const { reader, reads, errors } = setup(writeEntries(ENTRIES));
    await reader.open();
    reader.tap(1);
    reader.tap('qr:direct');
    reader.tap(9);
    expect(reads.map((r) => r.credential.value)).toEqual(['0a0b0c0d', 'direct']);
    expect(errors.map((e) => e.code)).toEqual(['no_such_entry']);
    await reader.close();
  });

  it('rejects an unreadable or invalid file when opened', async () => {
    await expect(setup(join(dir, 'missing.json')).reader.open()).rejects.toMatchObject({
      code: 'sim_file_unreadable',
    });
    await expect(
      setup(writeEntries([{ label: 'x', credential: 'card:nothex' }])).reader.open(),
    ).rejects.toThrow(ReaderConfigError);
  });
});

describe('parseSimEntries', () => {
  it('accepts the documented format and names the bad entry otherwise', () => {
    expect(parseSimEntries(JSON.stringify(ENTRIES))).toEqual([
      { label: 'Guardian A', credential: { kind: 'card', value: '0a0b0c0d' } },
      { label: 'Guardian B', credential: { kind: 'qr', value: 'pickup-b' } },
    ]);
    expect(() => parseSimEntries('{')).toThrow(/not JSON/);
    expect(() => parseSimEntries('[{"label":"x"}]')).toThrow(/credential/);
    expect(() =>
      parseSimEntries('[{"label":"a","credential":"card:0102"},{"label":"b","credential":"x"}]'),
    ).toThrow(/entry 2/);
  });
});
