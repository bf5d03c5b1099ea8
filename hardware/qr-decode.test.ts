import { createHash } from 'node:crypto';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { decodeQr, QrFrameDeduper, rgbaToLuminance } from './qr-decode.ts';
import { prng } from '../common/random.ts';

interface Image {
  pixels: Uint8ClampedArray;
  width: number;
  height: number;
}

interface RenderOptions {
  modulePx?: number;
  quietModules?: number;
  dark?: number;
  light?: number;
}

/** Renders `text` as a QR code into a luminance image, with a quiet zone around it. */
function renderQr(text: string, o: RenderOptions = {}): Image {
  const { modulePx = 4, quietModules = 4, dark = 0, light = 255 } = o;
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = (modules.size + 2 * quietModules) * modulePx;
  const pixels = new Uint8ClampedArray(size * size).fill(light);
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (!modules.get(row, col)) continue;
      for (let dy = 0; dy < modulePx; dy++) {
        const y = (row + quietModules) * modulePx + dy;
        pixels.fill(
          dark,
          y * size + (col + quietModules) * modulePx,
          y * size + (col + quietModules + 1) * modulePx,
        );
      }
    }
  }
  return { pixels, width: size, height: size };
}

/** Rotates clockwise by 90° `turns` times. */
function rotate(img: Image, turns: number): Image {
  let cur = img;
  for (let t = 0; t < turns % 4; t++) {
    const { width: w, height: h } = cur;
    const out = new Uint8ClampedArray(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) out[x * h + (h - 1 - y)] = cur.pixels[y * w + x] ?? 0;
    }
    cur = { pixels: out, width: h, height: w };
  }
  return cur;
}

/** Uniform random grey levels, deterministic per seed. */
function randomImage(length: number, seed: number): Uint8ClampedArray {
  const rnd = prng(seed);
  return Uint8ClampedArray.from({ length }, () => Math.floor(rnd() * 256));
}

function addNoise(img: Image, amplitude: number, seed = 1): Image {
  const rnd = prng(seed);
  const pixels = img.pixels.map((v) => v + Math.round((rnd() * 2 - 1) * amplitude));
  return { ...img, pixels };
}

/** Places an image inside a larger grey frame, as a code held somewhere in a camera's view. */
function place(img: Image, width: number, height: number, left: number, top: number): Image {
  const pixels = new Uint8ClampedArray(width * height).fill(200);
  for (let y = 0; y < img.height; y++) {
    pixels.set(img.pixels.subarray(y * img.width, (y + 1) * img.width), (top + y) * width + left);
  }
  return { pixels, width, height };
}

const decode = (img: Image): string | undefined => decodeQr(img.pixels, img.width, img.height);

/** A pass as the kiosk prints it: GK1.<facility>.<guardian>.<expiry>.<64-byte signature, base64url>. */
const GK1 = `GK1.demo.g001.1798761600.${Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff)).toString('base64url')}`;

describe('decodeQr', () => {
  it('decodes a GK1 pass', () => {
    expect(GK1).toMatch(/^GK1\.demo\.g001\.1798761600\.[A-Za-z0-9_-]{86}$/);
    expect(decode(renderQr(GK1))).toBe(GK1);
  });

  it.each([0, 1, 2, 3])('decodes a code rotated by %i × 90°', (turns) => {
    expect(decode(rotate(renderQr('qr-rotation-test'), turns))).toBe('qr-rotation-test');
    expect(decode(rotate(renderQr(GK1), turns))).toBe(GK1);
  });

  it('reads every one of 200 different guardian codes in a camera-sized frame (zxing alone missed 1 in 10)', () => {
    const missed: number[] = [];
    for (let i = 0; i < 200; i++) {
      const payload = `GK1.f1.g${String(i).padStart(3, '0')}.1800000000.${createHash('sha512').update(String(i)).digest('base64url')}`;
      const img = place(renderQr(payload, { modulePx: 9 }), 640, 480, 100, 10);
      if (decode(img) !== payload) missed.push(i);
    }
    expect(missed).toEqual([]);
  });

  it('decodes at low contrast (dark 100, light 160)', () => {
    expect(decode(renderQr(GK1, { dark: 100, light: 160 }))).toBe(GK1);
  });

  it('decodes with mild noise, also at low contrast', () => {
    for (let seed = 1; seed <= 5; seed++) {
      expect(decode(addNoise(renderQr(GK1), 40, seed))).toBe(GK1);
      expect(decode(addNoise(renderQr(GK1, { dark: 100, light: 160 }), 12, seed))).toBe(GK1);
    }
  });

  it('finds a code anywhere in a larger camera frame, given as a Uint8Array', () => {
    const frame = place(renderQr('お迎え pickup'), 640, 480, 301, 97);
    expect(decodeQr(new Uint8Array(frame.pixels.buffer), frame.width, frame.height)).toBe('お迎え pickup');
  });

  it('returns undefined for frames without a code', () => {
    expect(
      decode({ pixels: new Uint8ClampedArray(320 * 240).fill(255), width: 320, height: 240 }),
    ).toBeUndefined();
    expect(
      decode(addNoise({ pixels: new Uint8ClampedArray(320 * 240).fill(128), width: 320, height: 240 }, 127)),
    ).toBeUndefined();
    expect(decode({ pixels: randomImage(200 * 200, 3), width: 200, height: 200 })).toBeUndefined();
  });

  it('never throws on a bad frame', () => {
    const img = renderQr('x');
    expect(decodeQr(img.pixels, img.width + 1, img.height)).toBeUndefined();
    expect(decodeQr(img.pixels, 0, 0)).toBeUndefined();
    expect(decodeQr(img.pixels, -1, 10)).toBeUndefined();
    expect(decodeQr(img.pixels, 1.5, 10)).toBeUndefined();
    expect(decodeQr(new Uint8Array(0), 1, 1)).toBeUndefined();
    expect(decodeQr(new Uint8Array(1), 1, 1)).toBeUndefined();
    // Only the top half of a code: finder patterns without a decodable symbol.
    expect(decodeQr(img.pixels, img.width, Math.floor(img.height / 2))).toBeUndefined();
  });

  it('decodes an inverted (light on dark) code only when asked to', () => {
    const img = renderQr(GK1, { dark: 255, light: 0 });
    expect(decode(img)).toBeUndefined();
    expect(decodeQr(img.pixels, img.width, img.height, { tryInverted: true })).toBe(GK1);
  });

  it('decodes a code that went through a PNG file', () => {
    const img = renderQr(GK1);
    const png = new PNG({ width: img.width, height: img.height });
    img.pixels.forEach((v, i) => {
      png.data.set([v, v, v, 255], i * 4);
    });
    const decoded = PNG.sync.read(PNG.sync.write(png));
    const lum = rgbaToLuminance(decoded.data, decoded.width, decoded.height);
    expect(decodeQr(lum, decoded.width, decoded.height)).toBe(GK1);
  });
});

describe('QrFrameDeduper', () => {
  /** Feeds frames 33 ms apart from `startMs`; returns what counted as a scan. */
  function feed(
    d: QrFrameDeduper,
    frames: readonly (string | undefined)[],
    startMs = 0,
  ): (string | undefined)[] {
    return frames.map((p, i) => d.push(p, startMs + i * 33));
  }

  it('counts a payload held over many frames once', () => {
    const d = new QrFrameDeduper({ absentFrames: 3, absentMs: 10_000 });
    expect(feed(d, ['A', 'A', 'A', 'A', 'A'])).toEqual(['A', undefined, undefined, undefined, undefined]);
  });

  it('tolerates a few missed decodes, and counts the payload again after N absent frames', () => {
    const d = new QrFrameDeduper({ absentFrames: 3, absentMs: 10_000 });
    // Two misses (motion blur): still the same scan.
    expect(feed(d, ['A', undefined, undefined, 'A'])).toEqual(['A', undefined, undefined, undefined]);
    // Three misses: the code was taken away and shown again.
    expect(feed(d, [undefined, undefined, undefined, 'A'], 1000)).toEqual([
      undefined,
      undefined,
      undefined,
      'A',
    ]);
  });

  it('counts the payload again after T ms, even with no frames in between', () => {
    const d = new QrFrameDeduper({ absentFrames: 1000, absentMs: 500 });
    expect(d.push('A', 0)).toBe('A');
    expect(d.push('A', 400)).toBeUndefined();
    expect(d.push('A', 899)).toBeUndefined();
    expect(d.push('A', 1399)).toBe('A');
    // Absent frames also count in time.
    expect(d.push(undefined, 1500)).toBeUndefined();
    expect(d.push(undefined, 1899)).toBeUndefined();
    expect(d.push('A', 1900)).toBe('A');
  });

  it('tracks payloads separately, so two codes decoded in alternate frames each count once', () => {
    const d = new QrFrameDeduper({ absentFrames: 3, absentMs: 10_000 });
    expect(feed(d, ['A', 'B', 'A', 'B', 'A', 'B'])).toEqual([
      'A',
      'B',
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(feed(d, ['C', 'C', 'C', 'A'], 1000)).toEqual(['C', undefined, undefined, 'A']);
  });

  it('uses defaults of 30 frames and 2 s, and forgets everything on reset()', () => {
    const d = new QrFrameDeduper();
    expect(d.push('A', 0)).toBe('A');
    expect(feed(d, Array<undefined>(29).fill(undefined), 10)).toEqual(Array<undefined>(29).fill(undefined));
    expect(d.push('A', 1000)).toBeUndefined();
    expect(d.push('A', 2999)).toBeUndefined();
    expect(d.push('A', 4999)).toBe('A');
    d.reset();
    expect(d.push('A', 5000)).toBe('A');
  });

  it('bounds memory when many payloads go by', () => {
    const d = new QrFrameDeduper({ absentFrames: 1_000_000, absentMs: 1_000_000 });
    for (let i = 0; i < 100; i++) expect(d.push(`P${String(i)}`, i)).toBe(`P${String(i)}`);
    // The most recent ones are still remembered; the oldest were evicted and count again.
    expect(d.push('P99', 200)).toBeUndefined();
    expect(d.push('P0', 201)).toBe('P0');
  });
});
