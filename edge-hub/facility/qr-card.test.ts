import { BinaryBitmap, HybridBinarizer, QRCodeReader, RGBLuminanceSource } from '@zxing/library';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../common/time.ts';
import { importQrPublicKey, verifyGuardianQr } from '../../protocol/index.ts';
import { issueGuardianQr, qrMatrix, renderQrCardSvg, renderQrPng } from './qr-card.ts';
import { HubStore } from '../store/hub-store.ts';
import { provision, removeDir, type TestSite } from '../../test/support/hub.ts';

// jsqr is CommonJS typed as an ES module (see hardware/qr-decode.ts).
const jsQR = jsQRModule.default;

/** Reads the QR code in a PNG back, as a phone or the kiosk camera would. */
function decodePng(bytes: Buffer): string {
  const png = PNG.sync.read(bytes);
  const rgba = new Uint8ClampedArray(png.data);
  const luminance = new RGBLuminanceSource(
    Int32Array.from({ length: png.width * png.height }, (_, i) => {
      const r = rgba[i * 4] ?? 0;
      const g = rgba[i * 4 + 1] ?? 0;
      const b = rgba[i * 4 + 2] ?? 0;
      return (r << 16) | (g << 8) | b;
    }),
    png.width,
    png.height,
  );
  try {
    return new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(luminance))).getText();
  } catch (err) {
    // zxing alone misses about 1 in 10 clean guardian codes (its finder-pattern search); the kiosk reads
    // those with jsQR as its second opinion (hardware/qr-decode.ts), and so does this check.
    const found = jsQR(rgba, png.width, png.height);
    if (!found) throw err;
    return found.data;
  }
}

describe('guardian QR cards', () => {
  let site: TestSite;
  let store: HubStore;
  beforeEach(async () => {
    site = await provision(0);
    store = HubStore.open(site.dir);
    store.facility.claimFacility('f1', 'さくら保育園');
  });
  afterEach(async () => {
    store.close();
    await removeDir(site.dir);
  });

  it('issues a code kiosks accept, expiring after the given days, in the facility time zone', () => {
    const clock = fixedClock('2026-04-01T00:00:00Z');
    const issued = issueGuardianQr(store, 'g001', { days: 30, clock });
    expect(issued).toMatchObject({
      guardianId: 'g001',
      guardianName: '山田 花子',
      facilityId: 'f1',
      facilityName: 'さくら保育園',
      expires: Date.parse('2026-05-01T00:00:00Z') / 1000,
      expiresAt: '2026-05-01T09:00:00.000+09:00',
    });
    const key = importQrPublicKey(store.facility.meta().qrPublicKey);
    expect(verifyGuardianQr(key, issued.payload, { facilityId: 'f1', now: clock.now() })).toEqual({
      ok: true,
      guardianId: 'g001',
      expires: issued.expires,
      generation: 0,
    });
    expect(issueGuardianQr(store, 'g001').expires - Math.floor(Date.now() / 1000)).toBe(365 * 86_400);
  });

  it('refuses an unknown guardian, bad days and a facility not yet fixed', async () => {
    const fresh = await provision(0);
    const unclaimed = HubStore.open(fresh.dir);
    try {
      expect(() => issueGuardianQr(unclaimed, 'g001')).toThrow(
        expect.objectContaining({ code: 'no_facility' }),
      );
    } finally {
      unclaimed.close();
      await removeDir(fresh.dir);
    }
    expect(() => issueGuardianQr(store, 'g999')).toThrow(
      expect.objectContaining({ code: 'unknown_guardian' }),
    );
    for (const days of [0, -1, 1.5, 3651]) {
      expect(() => issueGuardianQr(store, 'g001', { days })).toThrow(
        expect.objectContaining({ code: 'bad_days' }),
      );
    }
  });

  it('draws an SVG card with the names beside the code, escaped', () => {
    const payload = issueGuardianQr(store, 'g001').payload;
    const svg = renderQrCardSvg(payload, {
      guardianName: '山田 <花子> & "co"',
      facilityName: 'さくら保育園',
    });
    expect(svg).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(svg).toContain('山田 &#60;花子&#62; &#38; &#34;co&#34;');
    expect(svg).toContain('さくら保育園');
    expect(svg).toContain('Noto Sans CJK JP');
    expect(svg).not.toContain(payload);
    const { size, dark } = qrMatrix(payload);
    let n = 0;
    for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) if (dark(r, c)) n++;
    expect(svg.match(/M\d+ \d+h/g)).toHaveLength(n);
  });

  it('draws a PNG that decodes back to the payload', () => {
    const payload = issueGuardianQr(store, 'g001').payload;
    expect(decodePng(renderQrPng(payload))).toBe(payload);
  });
});
