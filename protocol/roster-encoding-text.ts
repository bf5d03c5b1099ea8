import type { MessageLang, ParamReader } from './error-catalogue.ts';

/**
 * Why a roster file was refused before its rows were read (edge-hub/facility/roster-file.ts: code
 * roster_encoding, params {reason, assumed}), in Japanese and English: which encoding was assumed and what
 * to do. Browser-safe.
 */

const ENCODING_NAMES: Readonly<Record<string, string>> = {
  'utf-8': 'UTF-8',
  'utf-8-bom': 'UTF-8 (BOM)',
  shift_jis: 'Shift_JIS (CP932)',
  xlsx: 'XLSX',
  unknown: 'UTF-8 / Shift_JIS',
};
const encodingName = (p: ParamReader) => ENCODING_NAMES[p('assumed')] ?? p('assumed');

const SAVE_AS_UTF8_JA =
  'Excelで「CSV UTF-8（コンマ区切り）」として保存し直してから、もう一度取り込んでください。';
const SAVE_AS_UTF8_EN = 'Save it again from Excel as "CSV UTF-8 (Comma delimited)" and import it again.';

function ja(p: ParamReader): string {
  const name = encodingName(p);
  switch (p('reason')) {
    case 'replacement':
      return `名簿ファイルの文字コードを判別できません（${name} として読むと文字化けします）。${SAVE_AS_UTF8_JA}`;
    case 'mojibake':
      return `名簿ファイルの文字が化けています（${name} として読むと「ã‚」「ï½」のような文字が並びます）。元のファイルを${SAVE_AS_UTF8_JA}`;
    case 'binary':
      return `名簿ファイルはCSVではありません（${name} として読めない制御文字を含みます）。${SAVE_AS_UTF8_JA}`;
    case 'xlsx':
      return `Excelブック（XLSX）として読めません。ファイルが壊れていないか確かめてください。${SAVE_AS_UTF8_JA}`;
    default:
      return '古い形式のExcelブック（XLS）は読めません。Excelで「Excelブック（*.xlsx）」または「CSV UTF-8（コンマ区切り）」として保存し直してください。';
  }
}

function en(p: ParamReader): string {
  const name = encodingName(p);
  switch (p('reason')) {
    case 'replacement':
      return `The roster file's encoding is not recognized (read as ${name} it has unreadable characters). ${SAVE_AS_UTF8_EN}`;
    case 'mojibake':
      return `The roster file's text is garbled (read as ${name} it shows sequences such as "ã‚" or "ï½"). ${SAVE_AS_UTF8_EN}`;
    case 'binary':
      return `The roster file is not a CSV file (read as ${name} it holds control characters). ${SAVE_AS_UTF8_EN}`;
    case 'xlsx':
      return `The file cannot be read as an Excel workbook (XLSX). Check that it is not damaged. ${SAVE_AS_UTF8_EN}`;
    default:
      return 'Old Excel workbooks (XLS) cannot be read. Save it from Excel as "Excel Workbook (*.xlsx)" or "CSV UTF-8 (Comma delimited)".';
  }
}

/** The refusal's text from its params: `reason` (RosterFileRefusalReason) and `assumed` (the encoding). */
export function rosterEncodingText(lang: MessageLang, p: ParamReader): string {
  return lang === 'ja' ? ja(p) : en(p);
}
