import {
  BinaryBitmap,
  DecodeHintType,
  GlobalHistogramBinarizer,
  HybridBinarizer,
  QRCodeReader,
  RGBLuminanceSource,
  type LuminanceSource,
} from '@zxing/library';
import jsQRModule from 'jsqr';

// jsqr is CommonJS typed as an ES module: its function is module.exports and also its own `default`,
// which is the one spelling that type-checks and works under Node and esbuild alike.
const jsQR = jsQRModule.default;

/**
 * QR decoding for the kiosk camera. The renderer hands over one 8-bit luminance plane per frame (the Y
 * plane of a YUV frame, or grey computed from RGBA); this finds and decodes one QR code in it.
 */

export interface DecodeQrOptions {
  /**
   * Also try the inverted image (light modules on dark), as phones in dark mode sometimes show passes.
   * Off by default: it doubles the work on the many frames that hold no code at all.
   */
  tryInverted?: boolean;
}

const HINTS = new Map<DecodeHintType, unknown>([[DecodeHintType.TRY_HARDER, true]]);

/**
 * Decodes the QR code in a `width`×`height` luminance image (row-major, one byte per pixel, 0 = black).
 * Returns the payload, or undefined when there is no readable code. Never throws: a bad frame (wrong
 * size, a code too damaged to decode, a decoder bug) is just a frame without a code.
 */
export function decodeQr(
  luminance: Uint8ClampedArray | Uint8Array,
  width: number,
  height: number,
  options: DecodeQrOptions = {},
): string | undefined {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) return undefined;
  if (luminance.length < width * height) return undefined;
  // A view, not a copy: zxing reads a Uint8ClampedArray as luminance as it is.
  const pixels =
    luminance instanceof Uint8ClampedArray
      ? luminance
      : new Uint8ClampedArray(luminance.buffer, luminance.byteOffset, width * height);
  try {
    const source = new RGBLuminanceSource(pixels, width, height);
    return (
      decodeSource(source) ??
      (options.tryInverted === true ? decodeSource(source.invert()) : undefined) ??
      decodeWithJsQr(pixels, width, height, options.tryInverted === true)
    );
  } catch {
    return undefined;
  }
}

/**
 * The second opinion. zxing misses about one clean, well-lit code in ten (certain module patterns defeat
 * its finder-pattern search at some scales; measured on generated guardian codes), and jsQR reads those;
 * zxing stays first because it is faster on the frames that hold no code and better at low contrast.
 */
function decodeWithJsQr(
  luminance: Uint8ClampedArray,
  width: number,
  height: number,
  tryInverted: boolean,
): string | undefined {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, j = 0; i < width * height; i++, j += 4) {
    const v = luminance[i] ?? 0;
    rgba[j] = v;
    rgba[j + 1] = v;
    rgba[j + 2] = v;
    rgba[j + 3] = 255;
  }
  const found = jsQR(rgba, width, height, { inversionAttempts: tryInverted ? 'attemptBoth' : 'dontInvert' });
  return found?.data || undefined;
}

/**
 * Tries the local-threshold binarizer (best with uneven lighting), then the global one: at low contrast
 * with sensor noise (a pass on a dim phone screen) the local one sees noise in flat blocks and fails,
 * where one threshold per row still separates dark from light.
 */
function decodeSource(source: LuminanceSource): string | undefined {
  return (
    decodeBitmap(new BinaryBitmap(new HybridBinarizer(source))) ??
    decodeBitmap(new BinaryBitmap(new GlobalHistogramBinarizer(source)))
  );
}

function decodeBitmap(bitmap: BinaryBitmap): string | undefined {
  try {
    // A new reader per frame: QRCodeReader keeps per-decode state, and frames may be decoded concurrently.
    return new QRCodeReader().decode(bitmap, HINTS).getText();
  } catch {
    // NotFoundException (no code), ChecksumException and FormatException (a damaged or partly visible
    // code) all mean the same to the kiosk: nothing to read in this frame, try the next.
    return undefined;
  }
}

/**
 * Converts RGBA pixels (canvas ImageData, a decoded PNG) to the luminance plane decodeQr takes, with the
 * usual Rec. 601 weights.
 */
export function rgbaToLuminance(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * height);
  for (let i = 0; i < out.length; i++) {
    const r = rgba[i * 4] ?? 0;
    const g = rgba[i * 4 + 1] ?? 0;
    const b = rgba[i * 4 + 2] ?? 0;
    out[i] = (r * 299 + g * 587 + b * 114) / 1000;
  }
  return out;
}

export interface QrFrameDeduperOptions {
  /** A payload counts again after missing from this many consecutive frames; 30 (≈1 s at 30 fps). */
  absentFrames?: number;
  /** …or after not being seen for this long, whichever comes first; 2000 ms. */
  absentMs?: number;
}

export const DEFAULT_ABSENT_FRAMES = 30;
export const DEFAULT_ABSENT_MS = 2000;
/** Payloads remembered at once; a camera sees one or two codes, this only bounds memory. */
const MAX_TRACKED = 16;

interface Seen {
  lastSeenMs: number;
  missedFrames: number;
}

/**
 * Turns per-frame decodes into scans: a code held in front of the camera is decoded in frame after
 * frame, but must count as one scan. A payload is reported the first time it appears and again only
 * once it has been absent for `absentFrames` frames or `absentMs`. Payloads are tracked separately, so
 * two codes in view that the decoder returns in alternate frames do not repeat each other. Pure: the
 * caller passes the frame time.
 */
export class QrFrameDeduper {
  readonly #absentFrames: number;
  readonly #absentMs: number;
  readonly #seen = new Map<string, Seen>();

  constructor(options: QrFrameDeduperOptions = {}) {
    this.#absentFrames = options.absentFrames ?? DEFAULT_ABSENT_FRAMES;
    this.#absentMs = options.absentMs ?? DEFAULT_ABSENT_MS;
  }

  /**
   * Feeds one frame's decode result (undefined when the frame held no code) at time `atMs`; returns the
   * payload when it counts as a new scan, undefined otherwise.
   */
  push(payload: string | undefined, atMs: number): string | undefined {
    for (const [p, seen] of this.#seen) {
      if (p === payload) continue;
      seen.missedFrames++;
      if (seen.missedFrames >= this.#absentFrames || atMs - seen.lastSeenMs >= this.#absentMs) {
        this.#seen.delete(p);
      }
    }
    if (payload === undefined) return undefined;
    const seen = this.#seen.get(payload);
    // A gap in frames (camera paused, renderer busy) counts as absence too.
    const isNew = seen === undefined || atMs - seen.lastSeenMs >= this.#absentMs;
    this.#seen.delete(payload);
    this.#seen.set(payload, { lastSeenMs: atMs, missedFrames: 0 });
    if (this.#seen.size > MAX_TRACKED) {
      // Map order is insertion order and a seen payload is re-inserted: the first is the stalest.
      const stalest = this.#seen.keys().next();
      if (stalest.done !== true) this.#seen.delete(stalest.value);
    }
    return isNew ? payload : undefined;
  }

  /** Forgets every payload, e.g. when the camera restarts. */
  reset(): void {
    this.#seen.clear();
  }
}
