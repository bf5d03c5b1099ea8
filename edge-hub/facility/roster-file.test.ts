import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeRosterFile, RosterEncodingError } from './roster-file.ts';
import { parseRosterCsv, ROSTER_HEADER } from './roster-csv.ts';

const ROWS = [
  'k1,ひよこ組,c1,山田 一郎,やまだ いちろう,g1,山田 花子,',
  'k1,ひよこ組,c2,髙橋 ①子,たかはし いちこ,g2,髙橋 ㈱親,',
  'k2,りす組,c3,ｻﾄｳ ｼﾞﾛｳ,さとう じろう,g3,佐藤 親,',
];
const CSV = [ROSTER_HEADER, ...ROWS].join('\r\n');
const names = (text: string) => parseRosterCsv(text).children.map((c) => c.name);
const NAMES = ['山田 一郎', '髙橋 ①子', 'ｻﾄｳ ｼﾞﾛｳ'];

async function decoded(bytes: Uint8Array, name?: string) {
  const r = await decodeRosterFile(bytes, name);
  if (!r.ok) throw new RosterEncodingError(r.refusal);
  return r;
}

async function refused(bytes: Uint8Array, name?: string) {
  const r = await decodeRosterFile(bytes, name);
  if (r.ok) throw new Error(`accepted as ${r.encoding}`);
  expect(r.refusal.code).toBe('roster_encoding');
  expect(r.refusal.ja).toContain('CSV UTF-8');
  expect(r.refusal.message).toContain(r.refusal.en);
  return r.refusal;
}

describe('decodeRosterFile', () => {
  it('reads UTF-8 without and with a BOM', async () => {
    const plain = await decoded(new TextEncoder().encode(CSV));
    expect(plain.encoding).toBe('utf-8');
    expect(names(plain.text)).toEqual(NAMES);
    const bom = await decoded(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(CSV)]));
    expect(bom.encoding).toBe('utf-8-bom');
    expect(bom.text.startsWith('\uFEFF')).toBe(false);
    expect(names(bom.text)).toEqual(NAMES);
  });

  it('detects Shift_JIS (CP932, as Excel saves it) and imports the names intact', async () => {
    const sjis = await decoded(iconv.encode(CSV, 'cp932'), 'roster.csv');
    expect(sjis.encoding).toBe('shift_jis');
    expect(sjis.text).toBe(CSV);
    expect(names(sjis.text)).toEqual(NAMES);
  });

  it("reads an XLSX workbook's first sheet: cells as text, dates as YYYY-MM-DD", async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('名簿');
    workbook.addWorksheet('メモ').addRow(['ignored']);
    sheet.addRow([...ROSTER_HEADER.split(','), 'enrolled_on', 'care_type']);
    sheet.addRow([
      'k1',
      'ひよこ組',
      'c1',
      '山田 一郎',
      'やまだ いちろう',
      'g1',
      '山田 花子',
      '',
      new Date(Date.UTC(2026, 3, 1)),
      'short',
    ]);
    sheet.addRow([
      'k1',
      'ひよこ組',
      'c2',
      { richText: [{ text: '髙橋 ' }, { text: '①子' }] },
      'たかはし, いちこ',
      'g2',
      '髙橋 親',
      4711,
    ]);
    const bytes = new Uint8Array(await workbook.xlsx.writeBuffer());
    const xlsx = await decoded(bytes, 'roster.xlsx');
    expect(xlsx.encoding).toBe('xlsx');
    const roster = parseRosterCsv(xlsx.text);
    expect(roster.children.map((c) => [c.name, c.kana])).toEqual([
      ['山田 一郎', 'やまだ いちろう'],
      ['髙橋 ①子', 'たかはし, いちこ'],
    ]);
    expect(xlsx.text.split('\n')[1]).toContain(',2026-04-01,short');
    expect(roster.guardians.find((g) => g.id === 'g2')?.cardUids).toEqual(['4711']);
  });

  it('refuses a mojibake file (Shift_JIS read as Latin-1 and saved as UTF-8)', async () => {
    const latin1 = Buffer.from(iconv.encode(CSV, 'cp932')).toString('latin1');
    const r = await refused(new TextEncoder().encode(latin1));
    expect(r).toMatchObject({ reason: 'mojibake', assumed: 'utf-8' });
    expect(r.ja).toContain('文字が化けています');
  });

  it('refuses UTF-8 read as Latin-1 and saved again (ã‚, ï½)', async () => {
    const twice = Buffer.from(CSV, 'utf8').toString('latin1');
    expect((await refused(new TextEncoder().encode(twice))).reason).toBe('mojibake');
  });

  it('keeps a name with a few Latin letters (José)', async () => {
    const text = `${CSV}\r\nk1,ひよこ組,c4,José Müller,ほせ みゅらー,g4,Zoë Müller,`;
    expect(names((await decoded(new TextEncoder().encode(text))).text)).toContain('José Müller');
  });

  it('refuses a file that is neither UTF-8 nor Shift_JIS, and a binary file', async () => {
    // Shift_JIS lead bytes followed by bytes no trail byte can be.
    const broken = new Uint8Array([...new TextEncoder().encode('a,b\n'), 0x81, 0x20, 0xfc, 0x0a]);
    expect(await refused(broken)).toMatchObject({ reason: 'replacement', assumed: 'unknown' });
    const garbage = new Uint8Array(4096);
    let seed = 7;
    for (let i = 0; i < garbage.length; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      garbage[i] = (seed >> 16) & 0xff;
    }
    expect(['replacement', 'binary']).toContain((await refused(garbage)).reason);
    expect((await refused(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]))).reason).toBe('xlsx');
    expect((await refused(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0, 0]))).reason).toBe('xls');
  });
});
