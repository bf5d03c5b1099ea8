import PDFDocument from 'pdfkit';

/**
 * pdfkit needs a creation date (it writes it, and derives the trailer's file /ID from the document info)
 * and takes "now" when given none: a fixed one keeps the same document the same bytes whenever it is
 * rendered (a ledger at the hub and the cloud, a sheet of QR cards).
 */
const FIXED_DATE = new Date('2000-01-01T00:00:00Z');

/**
 * A pdfkit document with the Japanese font registered as `jp` (from common/ledger/font.ts
 * findLedgerFont) and a fixed creation date; `done` settles with the bytes once `doc.end()` is called.
 */
export function japanesePdf(
  fontPath: string,
  options: {
    layout: 'portrait' | 'landscape';
    margin: number;
    autoFirstPage: boolean;
    title: string;
    /** Keep every page open until the end (pdfkit bufferPages), e.g. to write "page / pages" on each. */
    bufferPages?: boolean;
  },
): { doc: PDFKit.PDFDocument; done: Promise<Buffer> } {
  const doc = new PDFDocument({
    size: 'A4',
    layout: options.layout,
    margin: options.margin,
    autoFirstPage: options.autoFirstPage,
    bufferPages: options.bufferPages ?? false,
    info: { Title: options.title, Creator: 'Genkan', CreationDate: FIXED_DATE },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    doc.on('error', reject);
  });
  // A .ttc holds several faces: pick the Japanese one.
  if (fontPath.endsWith('.ttc')) doc.registerFont('jp', fontPath, 'NotoSansCJKjp-Regular');
  else doc.registerFont('jp', fontPath);
  return { doc, done };
}
