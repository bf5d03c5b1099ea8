import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.ts';
import { fixedClock } from '../common/time.ts';
import type { CredentialRead, ReaderErrorEvent } from './reader.ts';
import { StdinReader } from './stdin.ts';

function setup() {
  const input = new PassThrough();
  const reader = new StdinReader({
    logger: silentLogger(),
    clock: fixedClock('2026-04-01T08:00:00Z'),
    input,
  });
  const reads: CredentialRead[] = [];
  const errors: ReaderErrorEvent[] = [];
  const detached: string[] = [];
  reader.on('credential', (r) => {
    reads.push(r);
  });
  reader.on('error', (e) => {
    errors.push(e);
  });
  reader.on('detached', (d) => {
    detached.push(d.reason);
  });
  return { input, reader, reads, errors, detached };
}

/** Resolves once the reader has seen the end of the input. */
function ended(reader: StdinReader): Promise<void> {
  return new Promise((resolve) => {
    reader.on('detached', () => {
      resolve();
    });
  });
}

describe('StdinReader', () => {
  it('reads card and QR lines, ignores blank ones, reports bad ones and keeps reading', async () => {
    const { input, reader, reads, errors } = setup();
    await reader.open();
    const done = ended(reader);
    input.write('card:04:A2:3B:9C\r\n\n   \nhello\nqr:pickup-123\ncard:zz\n');
    input.end('card:0102');
    await done;
    expect(reads.map((r) => r.credential)).toEqual([
      { kind: 'card', value: '04a23b9c' },
      { kind: 'qr', value: 'pickup-123' },
      { kind: 'card', value: '0102' },
    ]);
    expect(reads[0]?.at.toISOString()).toBe('2026-04-01T08:00:00.000Z');
    expect(errors).toEqual([
      { code: 'unrecognised_input', message: expect.any(String) as string },
      { code: 'unrecognised_input', message: expect.any(String) as string },
    ]);
    // The error never repeats the input (it may be a card number).
    expect(JSON.stringify(errors)).not.toContain('zz');
  });

  it('handles lines and UTF-8 characters split across chunks', async () => {
    const { input, reader, reads } = setup();
    await reader.open();
    const done = ended(reader);
    const bytes = Buffer.from('qr:お迎え\r\ncard:abcd\r\n');
    for (let i = 0; i < bytes.length; i += 3) input.write(bytes.subarray(i, i + 3));
    input.end();
    await done;
    expect(reads.map((r) => r.credential)).toEqual([
      { kind: 'qr', value: 'お迎え' },
      { kind: 'card', value: 'abcd' },
    ]);
  });

  it('reports end of input as detached', async () => {
    const { input, reader, detached } = setup();
    await reader.open();
    const done = ended(reader);
    input.end();
    await done;
    expect(detached).toEqual(['end of input']);
  });

  it('stops reading when closed and leaves the stream to its owner', async () => {
    const { input, reader, reads, detached } = setup();
    await reader.open();
    const first = new Promise<void>((resolve) => {
      reader.on('credential', () => {
        resolve();
      });
    });
    input.write('card:0102\n');
    await first;
    await reader.close();
    expect(detached).toEqual(['closed']);
    expect(input.listenerCount('data')).toBe(0);
    expect(input.destroyed).toBe(false);
    input.write('card:0304\n');
    expect(reads).toHaveLength(1);
    await reader.close();
    expect(detached).toEqual(['closed']);
  });

  it('reports a failing stream as an error event without throwing', async () => {
    const { input, reader, errors, detached } = setup();
    await reader.open();
    input.destroy(new Error('EIO'));
    await new Promise<void>((resolve) => {
      reader.on('detached', () => {
        resolve();
      });
    });
    expect(errors).toEqual([{ code: 'input_failed', message: 'EIO' }]);
    expect(detached).toEqual(['input failed']);
  });
});
