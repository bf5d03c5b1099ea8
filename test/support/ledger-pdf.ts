import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { PDF_FONT_CANDIDATES } from '../../common/ledger/font.ts';

/** Reading the ledgers' PDFs back in tests: poppler's pdftotext and pdfinfo on files in a temp folder. */

export const run = promisify(execFile);

/** A Japanese font the PDFs can embed is installed (or named by GENKAN_PDF_FONT). */
export const HAS_PDF_FONT =
  PDF_FONT_CANDIDATES.some((p) => existsSync(p)) || process.env['GENKAN_PDF_FONT'] !== undefined;
export const HAS_POPPLER = existsSync('/usr/bin/pdftotext') && existsSync('/usr/bin/pdfinfo');

export interface PdfWorkspace {
  /** A file's path in the folder. */
  path: (name: string) => string;
  /** Writes `pdf` as `name` and gives its text (pdftotext -layout). */
  text: (pdf: Buffer, name: string) => Promise<string>;
  /** pdfinfo of a file in the folder (`args` before its path, e.g. -f 1 -l 99 for every page's size). */
  info: (name: string, args?: string[]) => Promise<string>;
}

/** A temporary folder for the calling describe block: made before its tests, removed after them. */
export function pdfWorkspace(prefix: string): PdfWorkspace {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const path = (name: string) => join(dir, name);
  return {
    path,
    text: async (pdf, name) => {
      await writeFile(path(name), pdf);
      return (await run('/usr/bin/pdftotext', ['-layout', path(name), '-'])).stdout;
    },
    info: async (name, args = []) => (await run('/usr/bin/pdfinfo', [...args, path(name)])).stdout,
  };
}
