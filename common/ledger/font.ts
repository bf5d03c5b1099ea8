import { existsSync } from 'node:fs';
import { UnavailableError } from '../errors.ts';

/* The PDF ledgers' Japanese font, found without loading the PDF library. */

/** No Japanese TrueType font to embed in a PDF ledger. */
export class LedgerFontError extends UnavailableError {
  constructor(message: string) {
    super('pdf_font_missing', message);
  }
}

export const PDF_FONT_CANDIDATES = [
  '/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf',
  '/usr/share/fonts/truetype/fonts-japanese-gothic.ttf',
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
] as const;

const FONT_HINT =
  'install one (apt-get install fonts-ipafont-gothic) or set GENKAN_PDF_FONT to a Japanese TrueType font';

/** options.fontPath, else GENKAN_PDF_FONT, else the first installed of PDF_FONT_CANDIDATES. */
export function findLedgerFont(fontPath?: string): string {
  const chosen = fontPath ?? process.env['GENKAN_PDF_FONT'];
  if (chosen !== undefined && chosen !== '') {
    if (existsSync(chosen)) return chosen;
    throw new LedgerFontError(`PDF font ${chosen} not found: ${FONT_HINT}`);
  }
  const found = PDF_FONT_CANDIDATES.find((p) => existsSync(p));
  if (found === undefined) throw new LedgerFontError(`no Japanese font for PDF ledgers: ${FONT_HINT}`);
  return found;
}
