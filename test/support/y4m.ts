import { writeFile } from 'node:fs/promises';
import QRCode from 'qrcode';

export interface Y4mOptions {
  width?: number;
  height?: number;
  frames?: number;
}

/** Modules of white border around the code: the QR spec asks for 4. */
const QUIET_ZONE = 4;

/**
 * Writes a YUV4MPEG2 video (4:2:0, 10 fps) whose every frame shows `payload` as a QR code, centred and
 * as large as fits: Chromium's fake camera (--use-file-for-fake-video-capture) plays it in a loop.
 */
export async function writeQrY4m(file: string, payload: string, options: Y4mOptions = {}): Promise<void> {
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  await writeY4m(file, renderQrLuma(payload, { width, height }), width, height, options.frames ?? 10);
}

/** The luma plane (one byte per pixel) of a frame showing `payload` as a QR code, centred, black on white. */
export function renderQrLuma(payload: string, options: { width?: number; height?: number } = {}): Buffer {
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const { modules } = QRCode.create(payload, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  const total = size + 2 * QUIET_ZONE;
  const scale = Math.floor(Math.min(width, height) / total);
  if (scale < 2) throw new Error(`QR code of ${size} modules does not fit ${width}×${height}`);
  const left = Math.floor((width - total * scale) / 2);
  const top = Math.floor((height - total * scale) / 2);

  // Luma: white everywhere (quiet zone included), black modules.
  const y = Buffer.alloc(width * height, 235);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      if (!modules.get(row, col)) continue;
      const x0 = left + (col + QUIET_ZONE) * scale;
      const y0 = top + (row + QUIET_ZONE) * scale;
      for (let dy = 0; dy < scale; dy++) y.fill(16, (y0 + dy) * width + x0, (y0 + dy) * width + x0 + scale);
    }
  }
  return y;
}

/** A camera that sees no code: a plain light frame with a soft vertical gradient. */
export async function writeBlankY4m(file: string, options: Y4mOptions = {}): Promise<void> {
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const y = Buffer.alloc(width * height);
  for (let row = 0; row < height; row++) {
    y.fill(200 - Math.round((row / height) * 60), row * width, (row + 1) * width);
  }
  await writeY4m(file, y, width, height, options.frames ?? 10);
}

async function writeY4m(
  file: string,
  y: Buffer,
  width: number,
  height: number,
  frames: number,
): Promise<void> {
  // Chroma: neutral grey, so the picture is plain black and white.
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  await writeFile(file, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}
