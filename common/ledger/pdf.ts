import { japanesePdf } from '../pdf-document.ts';
import type { DailyLedger, MonthlyLedger } from '../../protocol/ledger.ts';
import { DEFAULT_SETTINGS, type LedgerSettings } from '../../protocol/settings.ts';
import { MARK_FILLS, type DocumentColumn, type DocumentSection, type LedgerDocument } from './document.ts';
import { findLedgerFont } from './font.ts';
import { ledgerDocument } from './ledger-document.ts';
import { cellText, type Cell } from './table.ts';

const MARGIN = 22;
/** Room below the rows for the page number. */
const FOOTER = 14;
const HEAD_FILL = '#F2F2F2';
const TOTAL_FILL = '#F7F7F7';
const BOX_WIDTH = 44;
const BOX_LABEL = 12;
const BOX_STAMP = 34;
/** A body cell wraps to at most this many lines (then ends in …). */
const MAX_LINES = 4;
const SECTION_FONT = 7;

/** Half-width characters per point of font size: turns the width hints into a font size. */
const CHAR_EM = 0.6;

interface Grid {
  widths: number[];
  fontSize: number;
}

/** Column widths scaled to the content width, and a font size at which a hint's characters fit. */
function gridOf(columns: readonly DocumentColumn[], contentWidth: number): Grid {
  const total = columns.reduce((s, c) => s + c.width, 0);
  const scale = contentWidth / Math.max(total, 1);
  return {
    widths: columns.map((c) => c.width * scale),
    fontSize: Math.min(9, Math.max(4.5, scale / CHAR_EM)),
  };
}

/**
 * A document (document.ts) as a PDF: A4 landscape, its columns scaled to the page width (the font with
 * them, so that a 31-day month fits), the title, meta and legend lines and the approval boxes on the
 * first page, a caption and the header rows on every page, marked columns shaded, total rows shaded with a
 * heavier rule, the sections after the rows (cells wrap), "page / pages" at the bottom, the Japanese font
 * embedded. The same document always gives the same bytes.
 */
export async function documentPdf(
  document: LedgerDocument,
  options: { fontPath?: string } = {},
): Promise<Buffer> {
  const font = findLedgerFont(options.fontPath);
  const { doc, done } = japanesePdf(font, {
    layout: 'landscape',
    margin: MARGIN,
    autoFirstPage: true,
    title: [document.title, ...document.meta].join(' '),
    bufferPages: true,
  });
  doc.font('jp');
  const pageWidth = doc.page.width;
  const pageHeight = doc.page.height;
  const contentWidth = pageWidth - 2 * MARGIN;
  const bottom = pageHeight - MARGIN - FOOTER;
  const grid = gridOf(document.columns, contentWidth);
  const lineHeight = grid.fontSize * 1.25;
  let y = MARGIN;

  const firstPageTop = () => {
    const boxes = document.approvals.length;
    const boxLeft = pageWidth - MARGIN - boxes * BOX_WIDTH;
    const textWidth = boxLeft - MARGIN - 10;
    doc
      .fillColor('#000000')
      .fontSize(14)
      .text(document.title, MARGIN, MARGIN, { width: textWidth, lineBreak: false });
    let ty = MARGIN + 20;
    for (const line of document.meta) {
      doc.fontSize(9).text(line, MARGIN, ty, { width: textWidth, lineBreak: false, ellipsis: true });
      ty += 12;
    }
    for (const line of document.legend) {
      doc.fontSize(7).text(line, MARGIN, ty, { width: textWidth, lineBreak: false, ellipsis: true });
      ty += 9.5;
    }
    document.approvals.forEach((label, i) => {
      const x = boxLeft + i * BOX_WIDTH;
      doc.rect(x, MARGIN, BOX_WIDTH, BOX_LABEL).fill(HEAD_FILL);
      doc
        .rect(x, MARGIN, BOX_WIDTH, BOX_LABEL + BOX_STAMP)
        .lineWidth(0.6)
        .stroke('#444444');
      doc
        .moveTo(x, MARGIN + BOX_LABEL)
        .lineTo(x + BOX_WIDTH, MARGIN + BOX_LABEL)
        .lineWidth(0.4)
        .stroke('#444444');
      doc
        .fillColor('#000000')
        .fontSize(8)
        .text(label, x, MARGIN + 2.5, { width: BOX_WIDTH, align: 'center', lineBreak: false });
    });
    y = Math.max(ty, boxes > 0 ? MARGIN + BOX_LABEL + BOX_STAMP : 0) + 8;
  };
  const caption = () => {
    doc
      .fillColor('#000000')
      .fontSize(8)
      .text([document.title, ...document.meta].join('　'), MARGIN, MARGIN, {
        width: contentWidth,
        lineBreak: false,
        ellipsis: true,
      });
    y = MARGIN + 14;
  };

  /** A cell's lines as drawn: a wrapped text's height, at most MAX_LINES lines. */
  const cellHeight = (text: string, width: number): number => {
    if (text === '') return lineHeight;
    if (!text.includes('\n') && doc.widthOfString(text) <= width) return lineHeight;
    const h = doc.heightOfString(text, { width, lineGap: 0 });
    return Math.min(h, MAX_LINES * lineHeight);
  };

  const drawRow = (cells: readonly Cell[], kind: 'header' | 'body' | 'total') => {
    doc.fontSize(grid.fontSize);
    const texts = cells.map(cellText);
    const height = Math.max(...texts.map((t, i) => cellHeight(t, (grid.widths[i] ?? 0) - 3)), lineHeight) + 4;
    if (y + height > bottom) {
      doc.addPage();
      caption();
      drawHeader();
      doc.fontSize(grid.fontSize);
    }
    let x = MARGIN;
    texts.forEach((text, i) => {
      const w = grid.widths[i] ?? 0;
      const column = document.columns[i];
      const mark = column?.mark ?? null;
      const background =
        mark !== null
          ? `#${MARK_FILLS[mark]}`
          : kind === 'header'
            ? HEAD_FILL
            : kind === 'total'
              ? TOTAL_FILL
              : null;
      if (background !== null) doc.rect(x, y, w, height).fill(background);
      doc
        .rect(x, y, w, height)
        .lineWidth(0.3)
        .stroke(kind === 'body' ? '#999999' : '#444444');
      const align =
        kind === 'header' || column?.align === 'center'
          ? 'center'
          : column?.align === 'right' || typeof cells[i] === 'number'
            ? 'right'
            : 'left';
      doc.fillColor('#000000').text(text, x + 1.5, y + 2, {
        width: w - 3,
        height: height - 3,
        align,
        lineGap: 0,
        ellipsis: true,
      });
      x += w;
    });
    if (kind === 'total') {
      doc
        .moveTo(MARGIN, y)
        .lineTo(MARGIN + contentWidth, y)
        .lineWidth(0.9)
        .stroke('#444444');
    }
    y += height;
  };
  const drawHeader = () => {
    for (const cells of document.headerRows) drawRow(cells, 'header');
  };

  firstPageTop();
  drawHeader();
  for (const row of document.rows) drawRow(row.cells, row.kind);
  for (const section of document.sections) drawSection(section);
  footer();
  doc.end();
  return done;

  function drawSection(section: DocumentSection): void {
    const total = section.widths.reduce((s, w) => s + w, 0);
    const widths = section.widths.map((w) => (w * contentWidth) / Math.max(total, 1));
    const textOptions = (i: number) => ({ width: (widths[i] ?? 0) - 4, lineGap: 1 });
    /** A row as tall as its tallest cell, wrapped; at most what a page holds below its headers. */
    const heightOf = (cells: string[]): number => {
      doc.fontSize(SECTION_FONT);
      const tallest = Math.max(...cells.map((t, i) => doc.heightOfString(t, textOptions(i))));
      return Math.min(tallest + 4, bottom - (MARGIN + 14) - 40);
    };
    const drawWrapped = (cells: string[], height: number, head: boolean) => {
      let x = MARGIN;
      doc.fontSize(SECTION_FONT);
      cells.forEach((text, i) => {
        const w = widths[i] ?? 0;
        if (head) doc.rect(x, y, w, height).fill(HEAD_FILL);
        doc
          .rect(x, y, w, height)
          .lineWidth(0.3)
          .stroke(head ? '#444444' : '#999999');
        // A height keeps pdfkit from continuing on a new page by itself.
        doc.fillColor('#000000').text(text, x + 2, y + 2, { ...textOptions(i), height: height - 2 });
        x += w;
      });
      y += height;
    };
    const texts = section.rows.map((r) => r.map(cellText));
    const headHeight = heightOf(section.header);
    const sectionHeader = () => {
      doc.fontSize(9).fillColor('#000000').text(section.title, MARGIN, y, { lineBreak: false });
      y += 14;
      drawWrapped(section.header, headHeight, true);
    };
    y += 12;
    if (y + 14 + headHeight + heightOf(texts[0] ?? []) > bottom) {
      doc.addPage();
      caption();
    }
    sectionHeader();
    for (const cells of texts) {
      const height = heightOf(cells);
      if (y + height > bottom) {
        doc.addPage();
        caption();
        sectionHeader();
      }
      drawWrapped(cells, height, false);
    }
  }

  /** "page / pages" under every page; the bottom margin is lifted so that pdfkit adds no page. */
  function footer(): void {
    const { start, count } = doc.bufferedPageRange();
    for (let i = start; i < start + count; i++) {
      doc.switchToPage(i);
      const margin = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      doc
        .fillColor('#000000')
        .fontSize(7)
        .text(`${String(i + 1)} / ${String(count)}`, MARGIN, pageHeight - MARGIN - 8, {
          width: contentWidth,
          align: 'center',
          lineBreak: false,
        });
      doc.page.margins.bottom = margin;
    }
  }
}

/** The ledger's print document (ledger-document.ts) as PDF, in `settings.language`. */
export async function ledgerPdf(
  ledger: DailyLedger | MonthlyLedger,
  settings: LedgerSettings = DEFAULT_SETTINGS.ledger,
  options: { fontPath?: string } = {},
): Promise<Buffer> {
  return documentPdf(ledgerDocument(ledger, settings), options);
}
