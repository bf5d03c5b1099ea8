import type { ImportState, RosterProblem } from '../../../protocol/admin.ts';
import { rosterProblemText } from '../../../protocol/roster-problems.ts';

/**
 * The roster page's texts: the CSV import and its preview, the current roster, guardians' kiosk PINs, QR
 * codes and cards. messages.ts carries them as `roster`.
 */
export interface RosterMessages {
  readonly importTitle: string;
  readonly importHelp: string;
  readonly file: string;
  readonly dryRun: string;
  readonly import: string;
  readonly state: Readonly<Record<ImportState, string>>;
  readonly progress: (processed: number, total: number) => string;
  readonly problemsTitle: (n: number) => string;
  readonly line: string;
  readonly reason: string;
  /** A problem of the file, worded from its code and params (protocol/roster-problems.ts). */
  readonly problem: (p: RosterProblem) => string;
  readonly nothingImported: string;
  readonly previewTitle: string;
  readonly classes: string;
  readonly children: string;
  readonly guardians: string;
  readonly cards: string;
  readonly added: string;
  readonly removed: string;
  readonly effective: string;
  readonly effectiveHelp: string;
  /** The preview's heading: what the roster from that day on holds. */
  readonly previewFrom: (date: string) => string;
  readonly moved: string;
  readonly renamed: string;
  readonly careTypeChanged: string;
  readonly guardiansAdded: string;
  readonly guardiansRemoved: string;
  readonly noChildChanges: string;
  readonly change: (from: string, to: string) => string;
  /** A child and what changes for them. */
  readonly childChange: (name: string, change: string) => string;
  /** A child and their class in the list of children added. */
  readonly inClass: (name: string, className: string) => string;
  readonly more: (n: number) => string;
  /** After an import that takes effect on a later day. */
  readonly scheduled: (date: string) => string;
  readonly done: (children: number, version: number) => string;
  readonly readyToImport: string;
  readonly currentTitle: string;
  readonly name: string;
  readonly kana: string;
  readonly className: string;
  readonly careType: Readonly<Record<'standard' | 'short', string>>;
  readonly careTypeLabel: string;
  readonly childCount: string;
  readonly guardianChildren: string;
  readonly cardCount: string;
  readonly qrCard: string;
  readonly issueQr: string;
  /** Guardian kiosk PIN column (the "no card" family chooser at the kiosk). */
  readonly guardianPin: {
    readonly column: string;
    readonly set: string;
    readonly unset: string;
    readonly input: string;
    readonly save: string;
    readonly clear: string;
    readonly badFormat: string;
  };
  readonly qrCardAlt: string;
  readonly qrCardNote: (until: string) => string;
  readonly download: string;
  /** Revoking every QR code issued to a guardian (a lost or copied code). */
  readonly revokeQr: string;
  readonly confirmRevokeQr: (guardian: string) => string;
  readonly qrRevoked: string;
  /** A guardian's cards (keyed hashes only) and removing a lost one. */
  readonly guardianCards: {
    readonly show: string;
    readonly hide: string;
    readonly none: string;
    readonly source: Readonly<Record<'roster_file' | 'enrolled', string>>;
    readonly remove: string;
    readonly confirmRemove: (guardian: string) => string;
  };
}

const ja: RosterMessages = {
  importTitle: '名簿の取り込み（CSV）',
  importHelp:
    'CSVファイルを選び、まず「確認」で内容を点検してから取り込みます。問題が1つでもあれば何も取り込みません。',
  file: 'CSVファイル',
  dryRun: '確認する',
  import: '取り込む',
  state: { validating: '点検中', importing: '取り込み中', done: '完了', failed: '問題あり' },
  progress: (p, t) => `${String(p)} / ${String(t)} 行`,
  problemsTitle: (n) => `${String(n)} 件の問題があります`,
  line: '行',
  reason: '内容',
  problem: (p) => rosterProblemText('ja', p),
  nothingImported: '何も取り込んでいません。ファイルを直してもう一度選んでください。',
  previewTitle: '取り込み内容',
  classes: 'クラス',
  children: '園児',
  guardians: '保護者',
  cards: 'カード',
  added: '追加される園児',
  removed: '外れる園児',
  effective: '適用開始日',
  effectiveHelp: 'この日から新しい名簿になります。それより前の日の記録と台帳は変わりません。',
  previewFrom: (date) => `${date} からの名簿`,
  moved: 'クラスが変わる園児',
  renamed: '名前が変わる園児',
  careTypeChanged: '保育時間が変わる園児',
  guardiansAdded: '追加される保護者',
  guardiansRemoved: '外れる保護者',
  noChildChanges: '園児の変更はありません。',
  change: (from, to) => `${from} → ${to}`,
  childChange: (name, change) => `${name}：${change}`,
  inClass: (name, className) => `${name}（${className}）`,
  more: (n) => `ほか ${String(n)} 名`,
  scheduled: (date) => `${date} に新しい名簿へ切り替わります。それまでは今の名簿のままです。`,
  done: (n, v) => `取り込みました：園児 ${String(n)} 名（名簿 版${String(v)}）`,
  readyToImport: '問題はありません。「取り込む」で名簿を置き換えます。',
  currentTitle: '現在の名簿',
  name: '氏名',
  kana: 'ふりがな',
  className: 'クラス',
  careType: { standard: '標準時間', short: '短時間' },
  careTypeLabel: '保育時間',
  childCount: '園児数',
  guardianChildren: '園児',
  cardCount: 'カード枚数',
  qrCard: 'QRカード',
  issueQr: '発行',
  guardianPin: {
    column: 'キオスクPIN',
    set: '設定済み',
    unset: '未設定',
    input: '新しいPIN（4〜8桁）',
    save: '設定',
    clear: '削除',
    badFormat: 'PINは4〜8桁の数字です',
  },
  qrCardAlt: '保護者のQRカード',
  qrCardNote: (until) =>
    `有効期限 ${until}。印刷して保護者に渡してください（カードの代わりに玄関で使えます）。`,
  download: 'SVGで保存',
  revokeQr: '無効にする',
  confirmRevokeQr: (guardian) =>
    `${guardian} さんにこれまで発行したQRコードをすべて無効にします。よろしいですか？（新しいQRコードは発行できます）`,
  qrRevoked: '無効にしました',
  guardianCards: {
    show: '表示',
    hide: '閉じる',
    none: 'カードはありません',
    source: { roster_file: '名簿ファイル', enrolled: '玄関で登録' },
    remove: '削除',
    confirmRemove: (guardian) =>
      `${guardian} さんのこのカードを削除します。玄関端末では使えなくなります。よろしいですか？`,
  },
};

const en: RosterMessages = {
  importTitle: 'Import the roster (CSV)',
  importHelp: 'Choose a CSV file and check it first. If it has any problem, nothing is imported.',
  file: 'CSV file',
  dryRun: 'Check',
  import: 'Import',
  state: { validating: 'Checking', importing: 'Importing', done: 'Done', failed: 'Problems found' },
  progress: (p, t) => `${String(p)} / ${String(t)} rows`,
  problemsTitle: (n) => `${String(n)} problem(s)`,
  line: 'Line',
  reason: 'Problem',
  problem: (p) => rosterProblemText('en', p),
  nothingImported: 'Nothing was imported. Fix the file and choose it again.',
  previewTitle: 'What the file contains',
  classes: 'Classes',
  children: 'Children',
  guardians: 'Guardians',
  cards: 'Cards',
  added: 'Children added',
  removed: 'Children removed',
  effective: 'Takes effect from',
  effectiveHelp:
    'The roster changes from this day on; the records and ledgers of the days before stay as they are.',
  previewFrom: (date) => `Roster from ${date}`,
  moved: 'Children changing class',
  renamed: 'Children renamed',
  careTypeChanged: 'Children changing care hours',
  guardiansAdded: 'Guardians added',
  guardiansRemoved: 'Guardians removed',
  noChildChanges: 'No changes to the children.',
  change: (from, to) => `${from} → ${to}`,
  childChange: (name, change) => `${name}: ${change}`,
  inClass: (name, className) => `${name} (${className})`,
  more: (n) => `and ${String(n)} more`,
  scheduled: (date) => `The new roster takes over on ${date}; the current one stays until then.`,
  done: (n, v) => `Imported: ${String(n)} children (roster version ${String(v)})`,
  readyToImport: 'No problems. "Import" replaces the roster.',
  currentTitle: 'Current roster',
  name: 'Name',
  kana: 'Kana',
  className: 'Class',
  careType: { standard: 'Standard', short: 'Short' },
  careTypeLabel: 'Care hours',
  childCount: 'Children',
  guardianChildren: 'Children',
  cardCount: 'Cards',
  qrCard: 'QR card',
  issueQr: 'Issue',
  guardianPin: {
    column: 'Kiosk PIN',
    set: 'Set',
    unset: 'Not set',
    input: 'New PIN (4–8 digits)',
    save: 'Set',
    clear: 'Remove',
    badFormat: 'A PIN is 4 to 8 digits',
  },
  qrCardAlt: 'Guardian QR card',
  qrCardNote: (until) =>
    `Valid until ${until}. Print it for the guardian (it works at the entrance like a card).`,
  download: 'Save as SVG',
  revokeQr: 'Revoke',
  confirmRevokeQr: (guardian) =>
    `Revoke every QR code issued to ${guardian} so far? (A new one can be issued.)`,
  qrRevoked: 'Revoked',
  guardianCards: {
    show: 'Show',
    hide: 'Close',
    none: 'No cards',
    source: { roster_file: 'Roster file', enrolled: 'Enrolled at a kiosk' },
    remove: 'Remove',
    confirmRemove: (guardian) => `Remove this card of ${guardian}? Kiosks will refuse it.`,
  },
};

export const ROSTER_MESSAGES: Readonly<Record<'ja' | 'en', RosterMessages>> = { ja, en };
