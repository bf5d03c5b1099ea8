/**
 * Line framing for text readers (stdin, the simulator, later serial scanners). A chunk may end in the
 * middle of a line or between the CR and LF of a CRLF; lines end at LF, CRLF or a lone CR (serial
 * barcode scanners often send CR only). Kept pure so that every split can be unit-tested.
 */

/** Longest line kept; a longer one is dropped whole (and reported) instead of growing memory forever. */
export const DEFAULT_MAX_LINE = 8192;

export interface FrameState {
  /** Start of a line whose end has not arrived yet. */
  readonly rest: string;
  /** The previous chunk ended with CR: an LF at the start of the next one belongs to that CRLF. */
  readonly afterCR: boolean;
  /** Inside an over-long line that was already reported: drop text until its end. */
  readonly skipping: boolean;
}

export const INITIAL_FRAME_STATE: FrameState = { rest: '', afterCR: false, skipping: false };

export interface FrameResult {
  /** Complete lines, without their terminators (blank lines included; callers decide). */
  lines: string[];
  state: FrameState;
  /** How many over-long lines were dropped. */
  overflowed: number;
}

const TERMINATOR = /\r\n|\r|\n/g;

export function frameLines(state: FrameState, chunk: string, maxLine = DEFAULT_MAX_LINE): FrameResult {
  if (chunk.length === 0) return { lines: [], state, overflowed: 0 };
  const text = state.afterCR && chunk.startsWith('\n') ? chunk.slice(1) : chunk;
  const lines: string[] = [];
  let overflowed = 0;
  let rest = state.rest;
  let skipping = state.skipping;
  let start = 0;
  for (const m of text.matchAll(TERMINATOR)) {
    const piece = text.slice(start, m.index);
    if (skipping) {
      skipping = false;
    } else {
      const line = rest + piece;
      if (line.length > maxLine) overflowed++;
      else lines.push(line);
    }
    rest = '';
    start = m.index + m[0].length;
  }
  if (!skipping) {
    rest += text.slice(start);
    if (rest.length > maxLine) {
      overflowed++;
      rest = '';
      skipping = true;
    }
  }
  return { lines, state: { rest, afterCR: text.endsWith('\r'), skipping }, overflowed };
}

/** At end of input: the last line, if it was not terminated. */
export function flushLines(state: FrameState): string[] {
  return !state.skipping && state.rest.length > 0 ? [state.rest] : [];
}
