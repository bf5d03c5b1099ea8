/**
 * Pure framing and validation for serial barcode scanners. A scanner sends each scan as one line ended by
 * CR, LF or CRLF; the bytes arrive in chunks that may split a line, a UTF-8 character or a CRLF anywhere.
 *
 * Framing reuses `frameLines` on a latin1 view of the bytes: latin1 maps every byte to exactly one
 * character, so lengths are byte counts (the limit is in bytes, like the scanner's buffer) and the
 * original bytes can be recovered for a strict UTF-8 check. CR and LF never occur inside a multi-byte
 * UTF-8 sequence, so splitting there is safe before decoding.
 */
import { frameLines, INITIAL_FRAME_STATE, type FrameState } from './lines.ts';

/** Longest scan accepted, in bytes: a GK1 pass is ~130 bytes; QR payloads are capped at 2048 anyway. */
export const DEFAULT_SCAN_MAX_BYTES = 2048;

export type ScanRejectCode = 'unrecognised_input' | 'line_too_long';

/** One framed item, in arrival order. Rejections carry a reason but never the content. */
export type ScanItem =
  { kind: 'line'; value: string } | { kind: 'rejected'; code: ScanRejectCode; message: string };

export interface ScanFrameState {
  readonly frame: FrameState;
}

export const INITIAL_SCAN_STATE: ScanFrameState = { frame: INITIAL_FRAME_STATE };

export interface ScanFrameResult {
  items: ScanItem[];
  state: ScanFrameState;
}

/** Text that cannot come from a scanner reading a code: C0 controls (except TAB), DEL, C1 controls. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_RE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;
/** Splits a chunk just after each line end, so that each piece yields at most one line or rejection. */
const PIECE_RE = /[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Frames one chunk of bytes. Over-long lines are reported once, when they pass the limit, and then
 * skipped to their end, so the reader resynchronises on the next line. Blank lines are dropped.
 */
export function frameScanBytes(
  state: ScanFrameState,
  chunk: Uint8Array,
  maxBytes = DEFAULT_SCAN_MAX_BYTES,
): ScanFrameResult {
  const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
  const items: ScanItem[] = [];
  let frame = state.frame;
  // frameLines reports lines and overflows of one call separately; feeding it one line at a time keeps
  // errors in order with the lines around them.
  for (const m of text.matchAll(PIECE_RE)) {
    const r = frameLines(frame, m[0], maxBytes);
    frame = r.state;
    for (let i = 0; i < r.overflowed; i++) {
      items.push({
        kind: 'rejected',
        code: 'line_too_long',
        message: `scan longer than ${maxBytes} bytes dropped`,
      });
    }
    for (const line of r.lines) {
      const item = classifyScanLine(line);
      if (item) items.push(item);
    }
  }
  return { items, state: { frame } };
}

/**
 * Validates one line given as latin1 (one character per byte). Undefined for a blank line. Spaces and
 * tabs around the scan are trimmed: scanners are often configured with a prefix or suffix blank.
 */
export function classifyScanLine(latin1: string): ScanItem | undefined {
  // Checked on the bytes first: a control byte is garbage whether or not the rest is valid UTF-8.
  if (CONTROL_RE.test(latin1.replace(/[\u0080-\u00ff]/g, ''))) {
    return { kind: 'rejected', code: 'unrecognised_input', message: 'scan contains control characters' };
  }
  let text: string;
  try {
    text = strictUtf8.decode(Buffer.from(latin1, 'latin1'));
  } catch {
    return { kind: 'rejected', code: 'unrecognised_input', message: 'scan is not valid UTF-8 text' };
  }
  if (CONTROL_RE.test(text)) {
    return { kind: 'rejected', code: 'unrecognised_input', message: 'scan contains control characters' };
  }
  const value = text.replace(/^[ \t]+|[ \t]+$/g, '');
  return value.length > 0 ? { kind: 'line', value } : undefined;
}
