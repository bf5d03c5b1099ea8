import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { ValidationError } from '../../common/errors.ts';
import { paramReader } from '../../protocol/error-catalogue.ts';
import { rosterEncodingText } from '../../protocol/roster-encoding-text.ts';

/**
 * Roster files as people have them: a CSV saved by Excel in Japan is Shift_JIS (CP932), a newer one UTF-8
 * with a BOM, and many rosters are simply the workbook. Everything becomes the same CSV text for
 * parseRosterCsv; a file that would import as garbage (mojibake names greeting parents at the kiosk) is
 * refused instead, saying which encoding was assumed and what to do (protocol/roster-encoding-text.ts).
 */

export const ROSTER_ENCODING_CODE = 'roster_encoding';

/** How the file was read. */
export type RosterFileEncoding = 'utf-8' | 'utf-8-bom' | 'shift_jis' | 'xlsx';

/** Why a file was refused. */
export type RosterFileRefusalReason = 'replacement' | 'mojibake' | 'binary' | 'xlsx' | 'xls';

export interface RosterFileRefusal {
  readonly code: typeof ROSTER_ENCODING_CODE;
  readonly reason: RosterFileRefusalReason;
  /** The encoding the file was read with when it was refused. */
  readonly assumed: RosterFileEncoding | 'unknown';
  readonly ja: string;
  readonly en: string;
  /** Japanese, then English: what the apps and the CLI show. */
  readonly message: string;
}

export type DecodedRosterFile =
  | { readonly ok: true; readonly text: string; readonly encoding: RosterFileEncoding }
  | { readonly ok: false; readonly refusal: RosterFileRefusal };

/** A refused roster file as a coded error (HTTP 400), for callers that throw. */
export class RosterEncodingError extends ValidationError {
  readonly refusal: RosterFileRefusal;
  constructor(refusal: RosterFileRefusal) {
    super(ROSTER_ENCODING_CODE, refusal.message, undefined, {
      reason: refusal.reason,
      assumed: refusal.assumed,
    });
    this.refusal = refusal;
  }
}

function refuse(reason: RosterFileRefusalReason, assumed: RosterFileEncoding | 'unknown'): DecodedRosterFile {
  const p = paramReader({ reason, assumed });
  const ja = rosterEncodingText('ja', p);
  const en = rosterEncodingText('en', p);
  return {
    ok: false,
    refusal: { code: ROSTER_ENCODING_CODE, reason, assumed, ja, en, message: `${ja} / ${en}` },
  };
}

const startsWith = (bytes: Uint8Array, magic: readonly number[]) =>
  bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE2 = [0xd0, 0xcf, 0x11, 0xe0];
const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** Control characters no roster has (tabs and line ends aside): a binary file. */
// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/**
 * Text that was already mojibake when it was saved: Shift_JIS or UTF-8 bytes read as Latin-1/Windows-1252
 * and written again as UTF-8. Its characters are C1 controls, Latin-1 letters and cp1252 punctuation
 * ("ã‚", "ãƒ", "ï½", "ŽR“c"), which a Japanese roster has few of: a name such as "José" is one, so a
 * few such characters pass, unless they make up a large part of the non-ASCII text.
 */
const MOJIBAKE_CHAR =
  /[\u0080-\u00FF\u0152\u0153\u0160\u0161\u0178\u017D\u017E\u0192\u02C6\u02DC\u2013\u2014\u2018-\u201E\u2020-\u2022\u2026\u2030\u2039\u203A\u20AC\u2122]/gu;
// eslint-disable-next-line no-control-regex -- non-ASCII is what this counts
const NON_ASCII = /[^\u0000-\u007F]/gu;

function looksLikeMojibake(text: string): boolean {
  const odd = text.match(MOJIBAKE_CHAR)?.length ?? 0;
  if (odd < 3) return false;
  const nonAscii = text.match(NON_ASCII)?.length ?? 0;
  return odd * 2 >= nonAscii;
}

function checkText(text: string, encoding: RosterFileEncoding): DecodedRosterFile {
  if (text.includes('\uFFFD')) return refuse('replacement', encoding);
  if (CONTROL.test(text)) return refuse('binary', encoding);
  if (looksLikeMojibake(text)) return refuse('mojibake', encoding);
  return { ok: true, text, encoding };
}

function decodeText(bytes: Uint8Array): DecodedRosterFile {
  const bom = startsWith(bytes, UTF8_BOM);
  let utf8: string | undefined;
  try {
    utf8 = new TextDecoder('utf-8', { fatal: true }).decode(bom ? bytes.subarray(3) : bytes);
  } catch {
    utf8 = undefined;
  }
  if (utf8 !== undefined) return checkText(utf8, bom ? 'utf-8-bom' : 'utf-8');
  if (bom) return refuse('replacement', 'utf-8-bom');
  // Not UTF-8: what Excel writes in Japan. CP932 is Shift_JIS with Microsoft's extensions (①, ㈱, 髙…).
  const sjis = iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'cp932');
  const checked = checkText(sjis, 'shift_jis');
  if (!checked.ok && checked.refusal.reason === 'replacement') return refuse('replacement', 'unknown');
  return checked;
}

/** Today's CSV form of one cell: text as is, dates as YYYY-MM-DD, formulas as their result. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('formula' in value || 'sharedFormula' in value) {
    const result: unknown = value.result;
    if (result instanceof Date) return result.toISOString().slice(0, 10);
    return typeof result === 'string' || typeof result === 'number' || typeof result === 'boolean'
      ? String(result)
      : '';
  }
  if ('hyperlink' in value) return value.text;
  if ('error' in value) return '';
  return '';
}

const csvField = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

async function decodeXlsx(bytes: Uint8Array): Promise<DecodedRosterFile> {
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs's types predate Buffer's generic parameter.
    await workbook.xlsx.load(Buffer.from(bytes) as unknown as ExcelJS.Buffer);
  } catch {
    return refuse('xlsx', 'xlsx');
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return refuse('xlsx', 'xlsx');
  const rows: string[][] = [];
  let width = 0;
  // One line per spreadsheet row, blank ones too: the problems' line numbers are the sheet's row numbers.
  for (let r = 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(cellText(row.getCell(c).value).trim());
    while (cells.length > 0 && cells[cells.length - 1] === '') cells.pop();
    width = Math.max(width, cells.length);
    rows.push(cells);
  }
  const text = rows
    .map((cells) =>
      cells.length === 0
        ? ''
        : [...cells, ...Array<string>(width - cells.length).fill('')].map(csvField).join(','),
    )
    .join('\n');
  return checkText(text, 'xlsx');
}

/**
 * The CSV text of a roster file: UTF-8 with or without a BOM, Shift_JIS/CP932 (when the bytes are not
 * UTF-8), or an XLSX workbook's first sheet (a zip, or a name ending .xlsx). Refuses (code roster_encoding)
 * a file that decodes with replacement characters, holds control characters, or reads as mojibake.
 */
export async function decodeRosterFile(bytes: Uint8Array, name?: string): Promise<DecodedRosterFile> {
  if (startsWith(bytes, ZIP) || name?.toLowerCase().endsWith('.xlsx') === true) return decodeXlsx(bytes);
  if (startsWith(bytes, OLE2)) return refuse('xls', 'unknown');
  return decodeText(bytes);
}
