import { describe, expect, it } from 'vitest';
import { classifyScanLine, frameScanBytes, INITIAL_SCAN_STATE, type ScanItem } from './serial-lines.ts';

/** Frames chunks in sequence, as the reader does. */
function frameAll(chunks: readonly (string | Uint8Array)[], maxBytes?: number): ScanItem[] {
  let state = INITIAL_SCAN_STATE;
  const items: ScanItem[] = [];
  for (const c of chunks) {
    const r = frameScanBytes(state, typeof c === 'string' ? Buffer.from(c) : c, maxBytes);
    state = r.state;
    items.push(...r.items);
  }
  return items;
}

const line = (value: string): ScanItem => ({ kind: 'line', value });
const tooLong: ScanItem = {
  kind: 'rejected',
  code: 'line_too_long',
  message: expect.stringContaining('dropped') as string,
};
const garbage: ScanItem = {
  kind: 'rejected',
  code: 'unrecognised_input',
  message: expect.any(String) as string,
};

describe('frameScanBytes', () => {
  it('ends lines at CR, LF and CRLF and drops blank lines', () => {
    expect(frameAll(['a\rb\nc\r\nd\r\n\r\n\n  \t\re'])).toEqual([line('a'), line('b'), line('c'), line('d')]);
  });

  it('counts CR at the end of one chunk and LF at the start of the next as one line end', () => {
    expect(frameAll(['first\r', '\nsecond\r', '\n'])).toEqual([line('first'), line('second')]);
    // …but a CR followed by a lone CR is two line ends (the second line being blank).
    expect(frameAll(['x\r', '\ry\r'])).toEqual([line('x'), line('y')]);
  });

  it('gives the same lines for every split of a recorded scanner stream into two or three chunks', () => {
    const recorded = Buffer.from(
      'GK1.demo.g001.1798761600.abc\r\nお迎え\rsecond\n\x01bad\r\nlast\r\n',
      'utf8',
    );
    const whole = frameAll([recorded]);
    expect(whole).toEqual([
      line('GK1.demo.g001.1798761600.abc'),
      line('お迎え'),
      line('second'),
      garbage,
      line('last'),
    ]);
    for (let i = 0; i <= recorded.length; i++) {
      expect(frameAll([recorded.subarray(0, i), recorded.subarray(i)])).toEqual(whole);
      for (let j = i; j <= recorded.length; j += 7) {
        expect(frameAll([recorded.subarray(0, i), recorded.subarray(i, j), recorded.subarray(j)])).toEqual(
          whole,
        );
      }
    }
  });

  it('rejects an over-long line once, even across chunks, and resynchronises at its end', () => {
    const big = 'A'.repeat(10 * 1024);
    expect(frameAll([`ok1\r${big}\r\nok2\r`])).toEqual([line('ok1'), tooLong, line('ok2')]);
    const chunks = ['ok1\r', big.slice(0, 3000), big.slice(3000, 9000), `${big.slice(9000)}\r`, '\nok2\n'];
    expect(frameAll(chunks)).toEqual([line('ok1'), tooLong, line('ok2')]);
    expect(frameAll(['x'.repeat(16), '\n', 'y'.repeat(17), '\n'], 16)).toEqual([
      line('x'.repeat(16)),
      tooLong,
    ]);
  });

  it('measures the limit in bytes, not characters', () => {
    // 6 characters, 18 bytes.
    expect(frameAll(['お迎えお迎え\n'], 17)).toEqual([tooLong]);
    expect(frameAll(['お迎えお迎え\n'], 18)).toEqual([line('お迎えお迎え')]);
  });
});

describe('classifyScanLine', () => {
  const latin1 = (bytes: number[]): string => Buffer.from(bytes).toString('latin1');

  it('accepts UTF-8 text and tabs inside it', () => {
    expect(classifyScanLine(Buffer.from('a\tb お').toString('latin1'))).toEqual(line('a\tb お'));
    expect(classifyScanLine(' \t ')).toBeUndefined();
  });

  it('rejects control characters, invalid UTF-8 and C1 controls without repeating the content', () => {
    for (const bytes of [
      [0x00, 0x41],
      [0x41, 0x1b, 0x5b],
      [0x41, 0x7f],
      [0x41, 0xff],
      [0xc3, 0x28],
      [0xe3, 0x81],
      [0xc2, 0x85],
    ]) {
      const item = classifyScanLine(latin1(bytes));
      expect(item).toEqual(garbage);
      expect(JSON.stringify(item)).not.toContain('A');
    }
  });
});
