import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PDF_FONT_CANDIDATES } from '../../common/ledger/font.ts';
import { fixedClock } from '../../common/time.ts';
import { importQrPublicKey, verifyGuardianQr } from '../../protocol/index.ts';
import { HubStore } from '../store/hub-store.ts';
import { provision, removeDir, ROSTER_HEADER, type TestSite } from '../../test/support/hub.ts';
import { hasCommand, requirePrereq } from '../../test/support/prereq.ts';
import { decodeQrInPng } from '../../test/support/qr-image.ts';
import { revokeGuardianQr } from './revocation.ts';
import { issueQrSheet, issueSheetCards } from './qr-sheet.ts';

const run = promisify(execFile);

/**
 * Twelve guardians over three classes, listed out of kana order; g12 has a child in ひよこ組 and one in
 * うさぎ組.
 */
const ROSTER = [
  ROSTER_HEADER,
  ...Array.from({ length: 12 }, (_, i) => {
    const n = String(12 - i).padStart(2, '0');
    const [classId, className] = (
      [
        ['k1', 'ひよこ組'],
        ['k2', 'りす組'],
        ['k3', 'うさぎ組'],
      ] as const
    )[i % 3] ?? ['k1', 'ひよこ組'];
    return `${classId},${className},c${n},園児 ${n},えんじ ${n},g${n},保護者 ${n},`;
  }),
  'k3,うさぎ組,c99,園児 99,えんじ 99,g12,保護者 12,',
].join('\n');

const pdfReady = requirePrereq(
  hasCommand('pdftotext') && hasCommand('pdftoppm') && hasCommand('pdfinfo'),
  'poppler (pdftotext, pdftoppm, pdfinfo) to read the sheet back',
  'apt-get install poppler-utils',
);
const fontReady = requirePrereq(
  PDF_FONT_CANDIDATES.some((p) => existsSync(p)) || process.env['GENKAN_PDF_FONT'] !== undefined,
  'a Japanese font for PDFs',
  'apt-get install fonts-ipafont-gothic',
);

/** Where each card's QR code sits on a page rendered at `dpi` (the layout of renderQrSheetPdf). */
function qrBox(slot: number, dpi: number): { x: number; y: number; side: number } {
  const [pageW, pageH, margin] = [595.28, 841.89, 28];
  const w = (pageW - 2 * margin) / 2;
  const h = (pageH - 2 * margin) / 5;
  const scale = dpi / 72;
  return {
    x: Math.round((margin + (slot % 2) * w + 2) * scale),
    y: Math.round((margin + Math.floor(slot / 2) * h + 2) * scale),
    side: Math.round((h - 4) * scale),
  };
}

describe('QR sheet', () => {
  let site: TestSite;
  let store: HubStore;
  const clock = fixedClock('2026-04-01T00:00:00Z');
  beforeEach(async () => {
    site = await provision(0, ROSTER);
    store = HubStore.open(site.dir);
    store.facility.claimFacility('f1', 'さくら保育園');
  });
  afterEach(async () => {
    store.close();
    await removeDir(site.dir);
  });

  it('one card per guardian, by class then kana; --class keeps those with a child there', () => {
    const cards = issueSheetCards(store, { clock });
    expect(cards).toHaveLength(12);
    // ひよこ組 (k1) holds c12, c09, c06, c03; by kana: 03, 06, 09, 12.
    expect(cards.slice(0, 4).map((c) => c.guardianId)).toEqual(['g03', 'g06', 'g09', 'g12']);
    expect(cards.find((c) => c.guardianId === 'g12')?.children).toEqual([
      '園児 12 (ひよこ組)',
      '園児 99 (うさぎ組)',
    ]);
    const usagi = issueSheetCards(store, { clock, classId: 'k3' });
    expect(usagi.map((c) => c.guardianId)).toEqual(['g01', 'g04', 'g07', 'g10', 'g12']);
    expect(() => issueSheetCards(store, { classId: 'nope' })).toThrow(
      expect.objectContaining({ code: 'unknown_class' }),
    );
  });

  it.skipIf(!pdfReady || !fontReady)(
    'renders 12 cards on 2 A4 pages whose codes decode and verify at a kiosk; audited per card',
    async () => {
      revokeGuardianQr(store, 'g05', { kind: 'cli', id: null });
      const sheet = await issueQrSheet(store, { clock, days: 30 });
      expect(sheet).toMatchObject({ cards: 12, pages: 2 });
      const file = join(site.dir, 'cards.pdf');
      await writeFile(file, sheet.pdf);
      const info = (await run('pdfinfo', [file])).stdout;
      expect(info).toMatch(/Pages:\s+2\b/);
      expect(info).toMatch(/Page size:\s+595\.2\d x 841\.8\d/);
      const text = (await run('pdftotext', ['-layout', file, '-'])).stdout;
      for (const s of ['保護者 03', '保護者 12', '園児 99 (うさぎ組)', 'さくら保育園', '有効期限 2026-05-01'])
        expect(text).toContain(s);
      expect(text).not.toContain('GK');

      const dpi = 150;
      await run('pdftoppm', ['-r', String(dpi), '-png', file, join(site.dir, 'page')]);
      const key = importQrPublicKey(store.facility.meta().qrPublicKey);
      const order = ['g03', 'g06', 'g09', 'g12', 'g02', 'g05', 'g08', 'g11', 'g01', 'g04', 'g07', 'g10'];
      for (const [p, count] of [
        [1, 10],
        [2, 2],
      ] as const) {
        const page = PNG.sync.read(await readFile(join(site.dir, `page-${p}.png`)));
        for (let slot = 0; slot < count; slot++) {
          const payload = decodeQrInPng(page, qrBox(slot, dpi));
          expect(payload, `card ${slot} of page ${p}`).toBeDefined();
          const verified = verifyGuardianQr(key, payload ?? '', { facilityId: 'f1', now: clock.now() });
          const guardianId = order[(p - 1) * 10 + slot];
          expect(verified).toMatchObject({ ok: true, guardianId, generation: guardianId === 'g05' ? 1 : 0 });
        }
      }

      const audit = store.audit.all().filter((e) => e.action === 'qr.sheet');
      expect(audit.map((e) => e.subject)).toEqual(order.map((g) => `guardian:${g}`));
      expect(audit[0]).toMatchObject({
        actorKind: 'cli',
        after: { expiresAt: '2026-05-01T09:00:00.000+09:00' },
      });
      expect(JSON.stringify(audit)).not.toContain('GK');

      // The same roster, keys and clock: the same bytes.
      expect((await issueQrSheet(store, { clock, days: 30 })).pdf.equals(sheet.pdf)).toBe(true);
    },
  );

  it('a missing font issues and audits nothing', async () => {
    await expect(issueQrSheet(store, { fontPath: '/nonexistent/font.ttf' })).rejects.toMatchObject({
      code: 'pdf_font_missing',
    });
    expect(store.audit.all().filter((e) => e.action === 'qr.sheet')).toEqual([]);
  });
});
