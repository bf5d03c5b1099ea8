import { GenkanError, NotFoundError } from '../../common/errors.ts';
import { findLedgerFont } from '../../common/ledger/font.ts';
import { japanesePdf } from '../../common/pdf-document.ts';
import type { Clock } from '../../common/time.ts';
import type { AuditActorKind } from '../store/audit.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import { issueGuardianQr, qrMatrix } from './qr-card.ts';

/* `genkan qr sheet`: every guardian's signed QR code on A4 sheets of cards to cut out. */

export interface SheetCard {
  guardianId: string;
  guardianName: string;
  /** The guardian's children as `name (class name)`, in sheet order. */
  children: string[];
  facilityName: string | null;
  /** The signed payload (a bearer credential: it goes into the PDF only). */
  payload: string;
  /** RFC 3339 in the facility's time zone. */
  expiresAt: string;
}

export type QrSheetStore = StoreOf<'facility' | 'roster' | 'revocations' | 'audit'> & Transactional;

/**
 * Signs one code per guardian of the roster (or of those with a child in `classId`), exactly as
 * `issueGuardianQr` does, sorted by the class (roster order) then the kana of the guardian's first child
 * there. Throws unknown_class, no_guardians and what issueGuardianQr throws.
 */
export function issueSheetCards(
  store: StoreOf<'facility' | 'roster' | 'revocations'>,
  options: { classId?: string; days?: number; clock?: Clock } = {},
): SheetCard[] {
  const roster = store.roster.read();
  const { classId } = options;
  if (classId !== undefined && !roster.classes.some((c) => c.id === classId)) {
    throw new NotFoundError('unknown_class', `class ${classId} is not on the roster`);
  }
  const classOrder = new Map(roster.classes.map((c, i) => [c.id, i]));
  const className = new Map(roster.classes.map((c) => [c.id, c.name]));
  const childById = new Map(roster.children.map((c) => [c.id, c]));
  const rows = roster.guardians.flatMap((g) => {
    const children = g.childIds
      .map((id) => childById.get(id))
      .filter((c) => c !== undefined)
      .sort(
        (a, b) =>
          (classOrder.get(a.classId) ?? Infinity) - (classOrder.get(b.classId) ?? Infinity) ||
          a.kana.localeCompare(b.kana, 'ja'),
      );
    // With --class the card sorts by the child in that class.
    const key = classId === undefined ? children[0] : children.find((c) => c.classId === classId);
    if (classId !== undefined && key === undefined) return [];
    return [{ guardian: g, children, key }];
  });
  rows.sort(
    (a, b) =>
      (classOrder.get(a.key?.classId ?? '') ?? Infinity) -
        (classOrder.get(b.key?.classId ?? '') ?? Infinity) ||
      (a.key?.kana ?? '').localeCompare(b.key?.kana ?? '', 'ja') ||
      a.guardian.id.localeCompare(b.guardian.id),
  );
  if (rows.length === 0) {
    throw new GenkanError(
      'no_guardians',
      classId === undefined ? 'the roster has no guardians' : `no guardian has a child in class ${classId}`,
    );
  }
  const issueOptions = {
    ...(options.days !== undefined && { days: options.days }),
    ...(options.clock !== undefined && { clock: options.clock }),
  };
  return rows.map(({ guardian, children }) => {
    const issued = issueGuardianQr(store, guardian.id, issueOptions);
    return {
      guardianId: issued.guardianId,
      guardianName: issued.guardianName,
      children: children.map((c) => `${c.name} (${className.get(c.classId) ?? c.classId})`),
      facilityName: issued.facilityName,
      payload: issued.payload,
      expiresAt: issued.expiresAt,
    };
  });
}

const MARGIN = 28;
const COLUMNS = 2;
const ROWS = 5;
export const CARDS_PER_PAGE = COLUMNS * ROWS;
const PAD = 8;

/**
 * The cards on A4 portrait pages, 2 × 5 a page, each in a thin dashed frame to cut along: the QR code
 * (vector, with its quiet zone) on the left; the guardian's name, the children and their classes, the
 * facility and the expiry date on the right, in the ledgers' Japanese font. The same cards give the same
 * bytes.
 */
export async function renderQrSheetPdf(
  cards: readonly SheetCard[],
  options: { fontPath?: string } = {},
): Promise<{ pdf: Buffer; pages: number }> {
  const font = findLedgerFont(options.fontPath);
  const { doc, done } = japanesePdf(font, {
    layout: 'portrait',
    margin: MARGIN,
    autoFirstPage: false,
    title: 'QRコード QR cards',
  });

  let pages = 0;
  cards.forEach((card, i) => {
    const slot = i % CARDS_PER_PAGE;
    if (slot === 0) {
      doc.addPage();
      doc.font('jp');
      pages++;
    }
    const cardWidth = (doc.page.width - 2 * MARGIN) / COLUMNS;
    const cardHeight = (doc.page.height - 2 * MARGIN) / ROWS;
    const x = MARGIN + (slot % COLUMNS) * cardWidth;
    const y = MARGIN + Math.floor(slot / COLUMNS) * cardHeight;
    drawCard(doc, card, x, y, cardWidth, cardHeight);
  });
  doc.end();
  return { pdf: await done, pages };
}

function drawCard(
  doc: PDFKit.PDFDocument,
  card: SheetCard,
  x: number,
  y: number,
  w: number,
  h: number,
): void {
  doc.save().lineWidth(0.4).dash(3, { space: 3 }).rect(x, y, w, h).stroke('#999999').undash().restore();
  // The symbol with its four-module quiet zone fills the card's height.
  const qrSide = h - 2 * PAD;
  const { size, dark } = qrMatrix(card.payload);
  const module = qrSide / (size + 8);
  const qx = x + PAD + 4 * module;
  const qy = y + PAD + 4 * module;
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) if (dark(r, c)) doc.rect(qx + c * module, qy + r * module, module, module);
  }
  doc.fill('#000000');

  const tx = x + PAD + qrSide + 4;
  const tw = w - (tx - x) - PAD;
  const line = (text: string, size: number, top: number): number => {
    doc
      .fontSize(size)
      .fillColor('#000000')
      .text(text, tx, top, {
        width: tw,
        height: size + 2,
        lineBreak: false,
        ellipsis: true,
      });
    return top + size + 4;
  };
  let ty = line(card.guardianName, 14, y + PAD + 6);
  ty += 2;
  const shown = card.children.slice(0, 4);
  for (const child of shown) ty = line(child, 9, ty);
  if (card.children.length > shown.length) ty = line(`ほか ${card.children.length - shown.length} 名`, 9, ty);
  const bottom = y + h - PAD - 2;
  if (card.facilityName) line(card.facilityName, 9, bottom - 26);
  line(`有効期限 ${card.expiresAt.slice(0, 10)}`, 8, bottom - 12);
}

/** Who the sheet's audit entries name: by default the CLI (`qr.sheet`); the admin app passes its director. */
export interface QrSheetAuditor {
  actorKind: AuditActorKind;
  actorId: string | null;
  action: string;
}

const CLI_AUDITOR: QrSheetAuditor = { actorKind: 'cli', actorId: null, action: 'qr.sheet' };

/**
 * Issues and renders the sheet. Each card is audited as the admin app audits one (`guardian:ID`, so a
 * disclosure request finds it; the expiry, never the payload), by `auditor` (default: the CLI).
 */
export async function issueQrSheet(
  store: QrSheetStore,
  options: {
    classId?: string;
    days?: number;
    clock?: Clock;
    fontPath?: string;
    auditor?: QrSheetAuditor;
  } = {},
): Promise<{ pdf: Buffer; cards: number; pages: number }> {
  const auditor = options.auditor ?? CLI_AUDITOR;
  // The font is checked first, so that a missing one issues (and audits) nothing.
  const fontPath = findLedgerFont(options.fontPath);
  const cards = store.transaction(() => {
    const issued = issueSheetCards(store, options);
    for (const card of issued) {
      store.audit.append({
        actorKind: auditor.actorKind,
        actorId: auditor.actorId,
        action: auditor.action,
        subject: `guardian:${card.guardianId}`,
        outcome: 'ok',
        after: { expiresAt: card.expiresAt },
      });
    }
    return issued;
  });
  const { pdf, pages } = await renderQrSheetPdf(cards, { fontPath });
  return { pdf, cards: cards.length, pages };
}
