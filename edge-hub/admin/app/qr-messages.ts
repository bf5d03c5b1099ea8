/**
 * The QR cards' texts on the roster page: the sheet of every guardian's card (as `genkan qr sheet`), the
 * dialog of one card just issued and its print view. messages.ts carries them as `qr`.
 */
export interface QrMessages {
  readonly sheetTitle: string;
  readonly sheetHelp: string;
  readonly cls: string;
  readonly allClasses: string;
  readonly download: string;
  readonly dialogTitle: (name: string) => string;
  readonly print: string;
  readonly close: string;
  readonly printHelp: string;
  readonly printNow: string;
  readonly back: string;
}

const ja: QrMessages = {
  sheetTitle: 'QRカードの一括印刷',
  sheetHelp:
    '保護者全員（またはクラスを選ぶとそのクラスの保護者）のQRカードを、A4用紙に10枚ずつ並べたPDFで作ります。切り取り線に沿って切ってお渡しください。発行したカードは操作記録に残ります。',
  cls: 'クラス',
  allClasses: '全クラス',
  download: 'QRカード（PDF）をダウンロード',
  dialogTitle: (name) => `${name} さんのQRカード`,
  print: '印刷',
  close: '閉じる',
  printHelp: 'カード1枚（91×55 mm）だけを印刷します。',
  printNow: '印刷する',
  back: '戻る',
};

const en: QrMessages = {
  sheetTitle: 'Print every QR card',
  sheetHelp:
    "Every guardian's QR card (or, with a class chosen, those of the class's guardians) as a PDF of A4 pages, ten cards a page: cut them out along the dashed lines. Each card issued is in the audit log.",
  cls: 'Class',
  allClasses: 'All classes',
  download: 'Download the QR cards (PDF)',
  dialogTitle: (name) => `QR card of ${name}`,
  print: 'Print',
  close: 'Close',
  printHelp: 'Prints this one card only (91 × 55 mm).',
  printNow: 'Print',
  back: 'Back',
};

export const QR_MESSAGES: Readonly<Record<'ja' | 'en', QrMessages>> = { ja, en };
