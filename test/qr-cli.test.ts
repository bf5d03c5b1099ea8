import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubStore } from '../edge-hub/store/hub-store.ts';
import { importQrPublicKey, verifyGuardianQr } from '../protocol/index.ts';
import { hasCommand, requirePrereq } from './support/prereq.ts';
import { decodeQrInPng } from './support/qr-image.ts';
import { runGenkan, tempDir } from './support/process.ts';
import { simpleRoster } from './support/site.ts';

const run = promisify(execFile);
const pdfReady = requirePrereq(
  hasCommand('pdftotext') && hasCommand('pdftoppm'),
  'poppler (pdftotext, pdftoppm) to read a QR sheet back',
  'apt-get install poppler-utils',
);

/** `genkan qr issue` against a hub data directory provisioned through the CLI. */
describe('genkan qr issue', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let hubDir: string;

  beforeAll(async () => {
    dir = await tempDir();
    hubDir = join(dir.path, 'hub');
    const init = await runGenkan([
      'hub',
      'init',
      '--data',
      hubDir,
      '--facility',
      'f1',
      '--facility-name',
      'さくら保育園',
    ]);
    expect(init.code, init.stderr).toBe(0);
    await writeFile(join(dir.path, 'roster.csv'), simpleRoster(3).csv);
    const imported = await runGenkan(['roster', 'import', join(dir.path, 'roster.csv'), '--data', hubDir]);
    expect(imported.code, imported.stderr).toBe(0);
  });
  afterAll(async () => {
    await dir.remove();
  });

  it('refuses a data dir without an initialised hub (no facility, no keys)', async () => {
    const r = await runGenkan([
      'qr',
      'issue',
      'g001',
      '--data',
      join(dir.path, 'none'),
      '--out',
      join(dir.path, 'x.svg'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('hub_not_initialised');
  });

  describe('once `hub init` has fixed its facility', () => {
    it('writes an SVG card with the names and prints guardian, expiry and file', async () => {
      const out = join(dir.path, 'g001.svg');
      const started = Date.now();
      const r = await runGenkan(['qr', 'issue', 'g001', '--data', hubDir, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      const json = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
      expect(Object.keys(json).sort()).toEqual(['expires', 'file', 'guardianId']);
      expect(json).toMatchObject({ guardianId: 'g001', file: out });
      const expires = String(json['expires']);
      expect(expires).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+09:00$/);
      const days = (Date.parse(expires) - started) / 86_400_000;
      expect(days).toBeGreaterThan(364.99);
      expect(days).toBeLessThan(365.01);
      const svg = await readFile(out, 'utf8');
      expect(svg).toContain('<svg');
      expect(svg).toContain('保護者 001');
      expect(svg).toContain('さくら保育園');
      // The payload is in the image only, never printed.
      expect(r.stdout).not.toContain('GK1.');
      expect(r.stderr).not.toContain('GK1.');
    });

    it('writes a PNG of the code with --days, noting that the name is only on the SVG', async () => {
      const out = join(dir.path, 'g002.png');
      const r = await runGenkan(['qr', 'issue', 'g002', '--data', hubDir, '--days', '30', '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      const json = JSON.parse(r.stdout) as { expires: string };
      expect((Date.parse(json.expires) - Date.now()) / 86_400_000).toBeCloseTo(30, 1);
      expect(r.stderr).toContain('SVG');
      expect((await stat(out)).size).toBeGreaterThan(0);
      const png = PNG.sync.read(await readFile(out));
      expect(png.width).toBe(png.height);
      expect(png.width).toBeGreaterThan(300);
    });

    it('fails clearly for a guardian not on the roster, bad days or another image type', async () => {
      const unknown = await runGenkan([
        'qr',
        'issue',
        'g999',
        '--data',
        hubDir,
        '--out',
        join(dir.path, 'n.svg'),
      ]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('guardian g999 is not on the roster');
      await expect(stat(join(dir.path, 'n.svg'))).rejects.toThrow();
      const days = await runGenkan([
        'qr',
        'issue',
        'g001',
        '--data',
        hubDir,
        '--days',
        '0',
        '--out',
        join(dir.path, 'd.svg'),
      ]);
      expect(days.code).toBe(1);
      expect(days.stderr).toContain('bad_days');
      const jpg = await runGenkan([
        'qr',
        'issue',
        'g001',
        '--data',
        hubDir,
        '--out',
        join(dir.path, 'x.jpg'),
      ]);
      expect(jpg.code).toBe(1);
      expect(jpg.stderr).toContain('.svg or .png');
    });

    it.skipIf(!pdfReady)(
      '`qr sheet` writes an A4 PDF of cards whose codes verify, for all or one class',
      async () => {
        const out = join(dir.path, 'cards.pdf');
        const r = await runGenkan(['qr', 'sheet', '--data', hubDir, '--out', out, '--days', '30']);
        expect(r.code, r.stderr).toBe(0);
        expect(JSON.parse(r.stdout)).toEqual({ file: out, cards: 3, pages: 1 });
        expect(r.stdout + r.stderr).not.toContain('GK');
        const text = (await run('pdftotext', ['-layout', out, '-'])).stdout;
        for (const s of ['保護者 001', '園児 003 (クラス0)', 'さくら保育園', '有効期限'])
          expect(text).toContain(s);
        await run('pdftoppm', ['-r', '150', '-png', '-singlefile', out, join(dir.path, 'sheet')]);
        const page = PNG.sync.read(await readFile(join(dir.path, 'sheet.png')));
        // The first card's code (top left): roster order puts クラス1 first, so g001.
        const side = Math.round(((841.89 - 56) / 5 - 4) * (150 / 72));
        const at = Math.round(30 * (150 / 72));
        const payload = decodeQrInPng(page, { x: at, y: at, side }) ?? '';
        const store = HubStore.open(hubDir);
        try {
          const key = importQrPublicKey(store.facility.meta().qrPublicKey);
          expect(verifyGuardianQr(key, payload, { facilityId: 'f1', now: new Date() })).toMatchObject({
            ok: true,
            guardianId: 'g001',
          });
        } finally {
          store.close();
        }

        const one = await runGenkan(['qr', 'sheet', '--data', hubDir, '--class', 'k2', '--out', out]);
        expect(one.code, one.stderr).toBe(0);
        expect(JSON.parse(one.stdout)).toMatchObject({ cards: 1, pages: 1 });
        const unknown = await runGenkan(['qr', 'sheet', '--data', hubDir, '--class', 'k9', '--out', out]);
        expect(unknown.code).toBe(1);
        expect(unknown.stderr).toContain('unknown_class');
        const svg = await runGenkan(['qr', 'sheet', '--data', hubDir, '--out', join(dir.path, 'c.svg')]);
        expect(svg.code).toBe(1);
        expect(svg.stderr).toContain('.pdf');
      },
    );
  });
});
