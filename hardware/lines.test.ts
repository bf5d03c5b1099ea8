import { describe, expect, it } from 'vitest';
import { flushLines, frameLines, INITIAL_FRAME_STATE, type FrameState } from './lines.ts';

/** Feeds chunks one by one, as a stream would, and collects every line and overflow. */
function feed(chunks: readonly string[], maxLine?: number): { lines: string[]; overflowed: number } {
  let state: FrameState = INITIAL_FRAME_STATE;
  const lines: string[] = [];
  let overflowed = 0;
  for (const chunk of chunks) {
    const r = frameLines(state, chunk, maxLine);
    state = r.state;
    lines.push(...r.lines);
    overflowed += r.overflowed;
  }
  lines.push(...flushLines(state));
  return { lines, overflowed };
}

/** Every way of cutting `text` into two chunks. */
function twoWaySplits(text: string): string[][] {
  return Array.from({ length: text.length + 1 }, (_, i) => [text.slice(0, i), text.slice(i)]);
}

describe('frameLines', () => {
  it('splits LF, CRLF and lone CR terminated lines', () => {
    expect(feed(['a\nb\r\nc\rd\n']).lines).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps blank lines for the caller to ignore', () => {
    expect(feed(['a\n\n\r\nb\n']).lines).toEqual(['a', '', '', 'b']);
  });

  it('gives the same lines however the input is split in two', () => {
    const text = 'card:0102\r\nqr:hello world\ncard:a0b1\r\n';
    for (const chunks of twoWaySplits(text)) {
      expect(feed(chunks).lines, JSON.stringify(chunks)).toEqual([
        'card:0102',
        'qr:hello world',
        'card:a0b1',
      ]);
    }
  });

  it('gives the same lines when fed one character at a time', () => {
    const text = 'card:0102\r\n\r\nqr:x\rqr:y\n';
    expect(feed(Array.from({ length: text.length }, (_, i) => text.charAt(i))).lines).toEqual([
      'card:0102',
      '',
      'qr:x',
      'qr:y',
    ]);
  });

  it('does not read a CRLF split across chunks as two line ends', () => {
    expect(feed(['a\r', '\nb\n']).lines).toEqual(['a', 'b']);
    expect(feed(['a\r', '', '\nb\n']).lines).toEqual(['a', 'b']);
  });

  it('flushes an unterminated last line at end of input', () => {
    expect(feed(['card:01', '02']).lines).toEqual(['card:0102']);
    expect(feed(['a\n']).lines).toEqual(['a']);
  });

  it('drops an over-long line whole and counts it, then goes on', () => {
    const long = 'x'.repeat(20);
    expect(feed([`${long}\nok\n`], 10)).toEqual({ lines: ['ok'], overflowed: 1 });
    // The long line arrives in pieces: it is reported once and its tail is not taken for a line.
    expect(feed(['x'.repeat(8), 'x'.repeat(8), 'xxx\nok\n'], 10)).toEqual({ lines: ['ok'], overflowed: 1 });
    expect(feed(['x'.repeat(12)], 10)).toEqual({ lines: [], overflowed: 1 });
  });
});
