import type { KanaRow } from '../common/kana-rows.ts';
import type { Locale } from '../common/ui-api.ts';

/** The "no card, no phone" screens: the idle button, the family chooser and the guardian PIN pad. */
export interface FamilyMessages {
  /** The idle screen's button. */
  readonly button: string;
  readonly rowsTitle: string;
  readonly rowsSub: string;
  /** A row button's label (わ also holds families without a kana reading). */
  readonly rowLabel: (row: KanaRow) => string;
  readonly guardiansTitle: (row: KanaRow) => string;
  readonly noGuardians: string;
  readonly loading: string;
  /** Shown on a guardian without a PIN, and when one is chosen. */
  readonly noPin: string;
  readonly locked: string;
  readonly pinTitle: (guardian: string) => string;
  readonly pinSub: string;
  readonly submit: string;
  readonly back: string;
  readonly cancel: string;
  readonly clear: string;
  readonly deleteDigit: string;
  readonly badPin: (triesLeft: number | undefined) => string;
  /** `minutes`: undefined when the kiosk did not say. */
  readonly lockedOut: (minutes: number | undefined) => string;
  readonly failed: (code: string) => string;
  readonly childrenOf: (names: readonly string[]) => string;
}

export const FAMILY_MESSAGES: Readonly<Record<Locale, FamilyMessages>> = {
  ja: {
    button: 'カード・スマホがない方',
    rowsTitle: 'お名前の最初の文字を選んでください',
    rowsSub: 'お子さまのよみがなの行です',
    rowLabel: (row) => (row === 'わ' ? 'わ・他' : row),
    guardiansTitle: (row) => `${row === 'わ' ? 'わ行・その他' : `${row}行`}のご家族`,
    noGuardians: 'この行のご家族はいません',
    loading: '読み込み中…',
    noPin: '暗証番号が未設定です。職員にお声がけください。',
    locked: 'ロック中です。職員にお声がけください。',
    pinTitle: (g) => `${g} さんの暗証番号`,
    pinSub: '4〜8桁の数字を入力してください',
    submit: '決定',
    back: 'もどる',
    cancel: 'やめる',
    clear: 'クリア',
    deleteDigit: '1文字消す',
    badPin: (n) => `暗証番号が違います。${n === undefined ? '' : `あと${n}回間違えるとロックされます。`}`,
    lockedOut: (min) =>
      `間違いが続いたためロックしました（${min === undefined ? 'しばらく' : `約${min}分`}）。職員にお声がけください。`,
    failed: (code) => `記録できませんでした（${code}）。職員にお声がけください。`,
    childrenOf: (names) => names.join('・'),
  },
  en: {
    button: 'No card or phone',
    rowsTitle: 'Choose the first letter of your name',
    rowsSub: "Rows of your child's name in kana",
    rowLabel: (row) => (row === 'わ' ? 'わ / other' : row),
    guardiansTitle: (row) => (row === 'わ' ? 'Families: わ row and others' : `Families: ${row} row`),
    noGuardians: 'No family in this row',
    loading: 'Loading…',
    noPin: 'No PIN is set. Please ask a member of staff.',
    locked: 'Locked. Please ask a member of staff.',
    pinTitle: (g) => `PIN for ${g}`,
    pinSub: 'Enter your 4 to 8 digit PIN',
    submit: 'OK',
    back: 'Back',
    cancel: 'Cancel',
    clear: 'Clear',
    deleteDigit: 'Delete one digit',
    badPin: (n) => `Wrong PIN.${n === undefined ? '' : ` ${n} more wrong and it locks.`}`,
    lockedOut: (min) =>
      `Too many wrong PINs: locked${min === undefined ? '' : ` for about ${min} min`}. Please ask a member of staff.`,
    failed: (code) => `Could not record (${code}). Please ask a member of staff.`,
    childrenOf: (names) => names.join(', '),
  },
};
