import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { GenkanError, NotFoundError } from '../../common/errors.ts';
import { formatRfc3339, systemClock, type Clock } from '../../common/time.ts';
import { signGuardianQr } from '../../protocol/index.ts';
import { DEFAULT_QR_DAYS } from '../defaults.ts';
import type { StoreOf } from '../store/hub-store.ts';

/** Ten years: a longer-lived code could not be taken back short of changing the facility key. */
export const MAX_QR_DAYS = 3650;

export interface IssuedQr {
  /** The signed payload (protocol/qr.ts). A bearer credential: put it in the image, nowhere else. */
  payload: string;
  guardianId: string;
  guardianName: string;
  facilityId: string;
  facilityName: string | null;
  /** Unix seconds. */
  expires: number;
  /** `expires` as RFC 3339 in the facility's time zone. */
  expiresAt: string;
}

/**
 * Signs a guardian QR code with the facility key in the hub's store. The guardian must be on the roster
 * and the facility fixed (by the hub's first start), because kiosks check both.
 */
export function issueGuardianQr(
  store: StoreOf<'facility' | 'roster' | 'revocations'>,
  guardianId: string,
  options: { days?: number; clock?: Clock } = {},
): IssuedQr {
  const days = options.days ?? DEFAULT_QR_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > MAX_QR_DAYS) {
    throw new GenkanError('bad_days', `--days must be a whole number from 1 to ${MAX_QR_DAYS}`);
  }
  const meta = store.facility.meta();
  if (meta.facilityId === null) {
    throw new GenkanError(
      'no_facility',
      'the hub has not fixed its facility yet: start it once (genkan hub --data DIR --facility ID)',
    );
  }
  const guardian = store.roster.read().guardians.find((g) => g.id === guardianId);
  if (!guardian) throw new NotFoundError('unknown_guardian', `guardian ${guardianId} is not on the roster`);
  const now = (options.clock ?? systemClock).now();
  const expires = Math.floor(now.getTime() / 1000) + days * 86_400;
  const payload = signGuardianQr(store.facility.qrSigningKey(), {
    facilityId: meta.facilityId,
    guardianId,
    expires,
    // After `genkan qr revoke`, codes carry the guardian's new generation (protocol/qr.ts).
    generation: store.revocations.qrGeneration(guardianId),
  });
  return {
    payload,
    guardianId,
    guardianName: guardian.name,
    facilityId: meta.facilityId,
    facilityName: meta.facilityName,
    expires,
    expiresAt: formatRfc3339(new Date(expires * 1000), meta.timeZone),
  };
}

/** The dark modules of the payload's QR symbol (error correction M: survives a scuffed card). */
export function qrMatrix(payload: string): { size: number; dark: (row: number, col: number) => boolean } {
  const { modules } = QRCode.create(payload, { errorCorrectionLevel: 'M' });
  return { size: modules.size, dark: (row, col) => modules.data[row * modules.size + col] === 1 };
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Fonts that have Japanese glyphs on common systems, then the generic fallback. */
const CJK_FONTS =
  "'Noto Sans CJK JP', 'Noto Sans JP', 'Hiragino Kaku Gothic ProN', 'Hiragino Sans', 'Yu Gothic', Meiryo, 'Source Han Sans', sans-serif";
/** Four modules of quiet zone: what the QR specification asks for around a symbol. */
const QUIET = 4;

export interface QrCardText {
  guardianName: string;
  facilityName?: string | null;
  /** Printed under the names, e.g. "有効期限 2027-04-01". */
  note?: string;
}

/** The symbol's dark modules as one SVG path, with the quiet zone; `px`: the symbol's width and height. */
function qrPath(payload: string, moduleSize: number): { path: string; px: number } {
  const { size, dark } = qrMatrix(payload);
  let path = '';
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      if (dark(r, c))
        path += `M${(c + QUIET) * moduleSize} ${(r + QUIET) * moduleSize}h${moduleSize}v${moduleSize}h-${moduleSize}z`;
    }
  }
  return { path, px: (size + 2 * QUIET) * moduleSize };
}

const qrPathElement = (path: string): string =>
  `<path d="${path}" fill="#000" shape-rendering="crispEdges"/>`;

/** The QR code alone as SVG (e.g. a link to scan from the screen): no names beside it. */
export function renderQrSvg(payload: string, moduleSize = 6): string {
  const { path, px } = qrPath(payload, moduleSize);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px}" height="${px}" viewBox="0 0 ${px} ${px}">`,
    `<rect width="${px}" height="${px}" fill="#fff"/>`,
    qrPathElement(path),
    `</svg>`,
    '',
  ].join('\n');
}

/** A printable card: the QR code on the left, the guardian's (and facility's) name beside it. */
export function renderQrCardSvg(payload: string, text: QrCardText, moduleSize = 8): string {
  const { path, px: qrPx } = qrPath(payload, moduleSize);
  const lines: { text: string; size: number; weight: string }[] = [
    { text: text.guardianName, size: 32, weight: 'bold' },
  ];
  if (text.facilityName) lines.push({ text: text.facilityName, size: 20, weight: 'normal' });
  if (text.note) lines.push({ text: text.note, size: 16, weight: 'normal' });
  // Widths are estimated (one em per UTF-16 unit, enough for CJK): there are no font metrics here.
  const textWidth = Math.max(240, ...lines.map((l) => l.size * l.text.length + 24));
  const width = qrPx + textWidth;
  const height = qrPx;
  let y = Math.round(height / 2 - (lines.length - 1) * 20);
  const texts = lines.map((l) => {
    const el = `<text x="${qrPx}" y="${y}" font-size="${l.size}" font-weight="${l.weight}">${escapeXml(l.text)}</text>`;
    y += l.size + 16;
    return el;
  });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    qrPathElement(path),
    `<g font-family="${CJK_FONTS}" fill="#000" dominant-baseline="middle">`,
    ...texts,
    `</g>`,
    `</svg>`,
    '',
  ].join('\n');
}

/**
 * The QR code alone as a PNG (large modules and a quiet zone, for printing). Names are not drawn: that
 * needs a font rasteriser with Japanese glyphs, which Genkan does not ship; the SVG card carries them.
 */
export function renderQrPng(payload: string, moduleSize = 12): Buffer {
  const { size, dark } = qrMatrix(payload);
  const px = (size + 2 * QUIET) * moduleSize;
  const png = new PNG({ width: px, height: px });
  png.data.fill(0xff);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      if (!dark(r, c)) continue;
      for (let y = (r + QUIET) * moduleSize; y < (r + QUIET + 1) * moduleSize; y++) {
        for (let x = (c + QUIET) * moduleSize; x < (c + QUIET + 1) * moduleSize; x++) {
          const i = (y * px + x) * 4;
          png.data[i] = 0;
          png.data[i + 1] = 0;
          png.data[i + 2] = 0;
        }
      }
    }
  }
  return PNG.sync.write(png);
}
