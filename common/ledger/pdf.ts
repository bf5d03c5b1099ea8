import { japanesePdf } from '../pdf-document.ts';
import type { DailyLedger, MonthlyLedger } from '../../protocol/ledger.ts';
import { findLedgerFont } from './font.ts';
import { CORRECTED_MARK, cellText, isDaily, ledgerTable } from './table.ts';

const MARGIN = 28;
const HEAD_FONT = 6;
const HEAD_HEIGHT = 17;
const AMENDMENT_FONT = 7;
const LINE_GAP = 1;

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
      // Check-in over check-out; an open day (`HH:MM-`) shows a lone dash below; the ※ of a corrected
      // day stays at the end.
      const mark = t.endsWith(CORRECTED_MARK) ? CORRECTED_MARK : '';
      const text = mark === '' ? t : t.slice(0, -mark.length);
      const dash = text.indexOf('-');
      return dash > 0 ? [text.slice(0, dash), (text.slice(dash + 1) || '-') + mark] : [t];
    },
  };
}

/** 日付, 園児ID, 園児名, 訂正前, 訂正後, 訂正者, 理由, 訂正日時: the states and the reason share the rest 1:1:2. */
function amendmentWidths(contentWidth: number): number[] {
  const fixed = [50, 44, 70, 0, 0, 72, 0, 64];
  const share = [0, 0, 0, 1, 1, 0, 2, 0];
  const rest = contentWidth - fixed.reduce((a, b) => a + b, 0);
  return fixed.map((w, i) => w + (rest * (share[i] ?? 0)) / 4);
}

/**
 * The ledger as a PDF: A4 portrait (daily) or landscape (monthly), the facility's name and the period as
 * title, the same columns as the CSV with the header repeated on every page, then the amendments (if
 * any) as a table of their own whose cells wrap, the Japanese font embedded. The same ledger always gives
 * the same bytes.
 */
export async function ledgerPdf(
  ledger: DailyLedger | MonthlyLedger,
  options: { fontPath?: string } = {},
): Promise<Buffer> {
  const font = findLedgerFont(options.fontPath);
  const daily = isDaily(ledger);
  const table = ledgerTable(ledger);
  const period = daily ? ledger.date : ledger.month;
  const { doc, done } = japanesePdf(font, {
    layout: daily ? 'portrait' : 'landscape',
    margin: MARGIN,
    autoFirstPage: true,
    title: `${daily ? '登降園記録簿' : '出席簿'} ${ledger.facilityName} ${period}`,
  });
  doc.font('jp');

  const pageWidth = doc.page.width;
  const pageHeight = doc.page.height;
  const bottom = pageHeight - MARGIN;
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
  /** The title and the page number; y below them. */
  const pageTop = () => {
    doc.fontSize(12).fillColor('#000000').text(title, MARGIN, MARGIN, { lineBreak: false });
    doc.fontSize(7).text(String(page), pageWidth - MARGIN - 30, MARGIN + 3, {
      width: 30,
      align: 'right',
      lineBreak: false,
    });
    y = MARGIN + 22;
  };
  const newPage = () => {
    doc.addPage();
    page++;
    pageTop();
  };
  const header = () => {
    drawRow(table.header, y, HEAD_HEIGHT, HEAD_FONT, true);
    y += HEAD_HEIGHT;
  };
  pageTop();
  header();
  for (const row of table.rows) {
    if (y + layout.rowHeight > bottom) {
      newPage();
      header();
    }
    drawRow(row.map(cellText), y, layout.rowHeight, layout.fontSize, false);
    y += layout.rowHeight;
  }

  if (table.amendments !== null) {
    const { title: sectionTitle, header: columns, rows } = table.amendments;
    const widths = amendmentWidths(contentWidth);
    const textOptions = (i: number) => ({ width: (widths[i] ?? 0) - 4, lineGap: LINE_GAP });
    /** A row as tall as its tallest cell, wrapped; at most what a page holds below its headers. */
    const heightOf = (cells: string[]): number => {
      doc.fontSize(AMENDMENT_FONT);
      const tallest = Math.max(...cells.map((t, i) => doc.heightOfString(t, textOptions(i))));
      return Math.min(tallest + 4, bottom - (MARGIN + 22) - 40);
    };
    const drawWrapped = (cells: string[], height: number, bold: boolean) => {
      let x = MARGIN;
      doc.fontSize(AMENDMENT_FONT);
      cells.forEach((text, i) => {
        const w = widths[i] ?? 0;
        doc
          .rect(x, y, w, height)
          .lineWidth(0.3)
          .stroke(bold ? '#444444' : '#999999');
        // A height keeps pdfkit from continuing on a new page by itself.
        doc.fillColor('#000000').text(text, x + 2, y + 2, { ...textOptions(i), height: height - 2 });
        x += w;
      });
      y += height;
    };
    const texts = rows.map((r) => r.map(cellText));
    const headHeight = heightOf(columns);
    const sectionHeader = () => {
      doc.fontSize(9).fillColor('#000000').text(sectionTitle, MARGIN, y, { lineBreak: false });
      y += 14;
      drawWrapped(columns, headHeight, true);
    };
    y += 12;
    if (y + 14 + headHeight + heightOf(texts[0] ?? []) > bottom) newPage();
    sectionHeader();
    for (const cells of texts) {
      const height = heightOf(cells);
      if (y + height > bottom) {
        newPage();
        sectionHeader();
      }
      drawWrapped(cells, height, false);
    }
  }
  doc.end();
  return done;
}
