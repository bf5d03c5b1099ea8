import PDFDocument from 'pdfkit';
import type { DailyLedger, MonthlyLedger } from '../../protocol/ledger.ts';
import { findLedgerFont } from './font.ts';
import { cellText, isDaily, ledgerTable } from './table.ts';

const MARGIN = 28;
const HEAD_FONT = 6;
const HEAD_HEIGHT = 17;

interface Layout {
  widths: number[];
  fontSize: number;
  rowHeight: number;
  /** Text cell split into lines (monthly day cells: check-in over check-out). */
  lines: (text: string, column: number) => string[];
}

function dailyLayout(contentWidth: number): Layout {
  // class, id, name, status, in, out, extended, note, corrected; the note takes what is left.
  const fixed = [62, 48, 80, 50, 34, 34, 40, 0, 42];
  const rest = contentWidth - fixed.reduce((a, b) => a + b, 0);
  return { widths: fixed.map((w) => (w === 0 ? rest : w)), fontSize: 7.5, rowHeight: 14, lines: (t) => [t] };
}

function monthlyLayout(contentWidth: number, days: number): Layout {
  const tail = [26, 26, 30];
  const head = [54, 40, 70];
  const dayWidth = (contentWidth - [...head, ...tail].reduce((a, b) => a + b, 0)) / days;
  return {
    widths: [...head, ...Array<number>(days).fill(dayWidth), ...tail],
    fontSize: 5.5,
    rowHeight: 16,
    lines: (t, column) => {
      if (column < 3 || column >= 3 + days) return [t];
      // Check-in over check-out; an open day (`HH:MM-`) shows a lone dash below.
      const dash = t.indexOf('-');
      return dash > 0 ? [t.slice(0, dash), t.slice(dash + 1) || '-'] : [t];
    },
  };
}

/**
 * The ledger as a PDF: A4 portrait (daily) or landscape (monthly), the facility's name and the period as
 * title, the same columns as the CSV with the header repeated on every page, the Japanese font embedded.
 */
export async function ledgerPdf(
  ledger: DailyLedger | MonthlyLedger,
  options: { fontPath?: string } = {},
): Promise<Buffer> {
  const font = findLedgerFont(options.fontPath);
  const daily = isDaily(ledger);
  const table = ledgerTable(ledger);
  const period = daily ? ledger.date : ledger.month;
  const doc = new PDFDocument({
    size: 'A4',
    layout: daily ? 'portrait' : 'landscape',
    margin: MARGIN,
    autoFirstPage: true,
    // Fixed so that the same ledger gives the same file.
    info: {
      Title: `${daily ? '登降園記録簿' : '出席簿'} ${ledger.facilityName} ${period}`,
      Creator: 'Genkan',
      CreationDate: new Date(`${daily ? ledger.date : `${ledger.month}-01`}T00:00:00Z`),
    },
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
  if (font.endsWith('.ttc')) doc.registerFont('jp', font, 'NotoSansCJKjp-Regular');
  else doc.registerFont('jp', font);
  doc.font('jp');

  const pageWidth = doc.page.width;
  const pageHeight = doc.page.height;
  const contentWidth = pageWidth - 2 * MARGIN;
  const layout = daily ? dailyLayout(contentWidth) : monthlyLayout(contentWidth, table.header.length - 6);
  const title = `${daily ? '登降園記録簿' : '出席簿'}  ${ledger.facilityName}  ${period}${
    !daily && ledger.classId !== null ? `  (${ledger.classId})` : ''
  }`;

  const drawRow = (cells: string[], y: number, height: number, size: number, bold: boolean) => {
    let x = MARGIN;
    doc.fontSize(size);
    cells.forEach((text, i) => {
      const w = layout.widths[i] ?? 0;
      doc
        .rect(x, y, w, height)
        .lineWidth(0.3)
        .stroke(bold ? '#444444' : '#999999');
      const lines = bold ? headerLines(text, w - 3) : layout.lines(text, i);
      lines.forEach((line, l) => {
        doc.fillColor('#000000').text(line, x + 1, y + 2 + l * (size + 1.5), {
          width: w - 2,
          height: size + 2,
          lineBreak: false,
          ellipsis: true,
        });
      });
      x += w;
    });
  };

  /** A header too wide for its column goes on two lines, split at an underscore. */
  const headerLines = (text: string, width: number): string[] => {
    const cut = text.indexOf('_');
    return doc.widthOfString(text) <= width || cut < 0 ? [text] : [text.slice(0, cut), text.slice(cut + 1)];
  };

  let page = 1;
  let y = MARGIN;
  const header = () => {
    doc.fontSize(12).fillColor('#000000').text(title, MARGIN, MARGIN, { lineBreak: false });
    doc.fontSize(7).text(String(page), pageWidth - MARGIN - 30, MARGIN + 3, {
      width: 30,
      align: 'right',
      lineBreak: false,
    });
    y = MARGIN + 22;
    drawRow(table.header, y, HEAD_HEIGHT, HEAD_FONT, true);
    y += HEAD_HEIGHT;
  };
  header();
  for (const row of table.rows) {
    if (y + layout.rowHeight > pageHeight - MARGIN) {
      doc.addPage();
      page++;
      header();
    }
    drawRow(row.map(cellText), y, layout.rowHeight, layout.fontSize, false);
    y += layout.rowHeight;
  }
  doc.end();
  return done;
}
