import { PNG } from 'pngjs';
import { decodeQr, rgbaToLuminance } from '../../hardware/qr-decode.ts';

/** A square of a rendered page (pixels), e.g. where a printed card's QR code sits. */
export interface PixelBox {
  x: number;
  y: number;
  side: number;
}

/**
 * Reads the QR code in one square of a PNG (a page of a QR sheet rendered by pdftoppm) as the kiosk
 * reads a camera frame (hardware/qr-decode.ts); undefined when there is no readable code.
 */
export function decodeQrInPng(png: PNG, box: PixelBox): string | undefined {
  const crop = new PNG({ width: box.side, height: box.side });
  PNG.bitblt(png, crop, box.x, box.y, box.side, box.side, 0, 0);
  return decodeQr(rgbaToLuminance(crop.data, box.side, box.side), box.side, box.side);
}
