/**
 * Texts a parent reads at the door that both the agent (tap lines) and the screen use. Imports nothing,
 * so the renderer can use it too.
 */

/**
 * Why a QR code was refused: protocol/qr.ts's checks, a guardian not on the roster, or a code of an
 * earlier QR generation than the roster's (revoked: `genkan qr revoke`). Checked in output.ts.
 */
export const QR_REFUSAL_REASONS = [
  'malformed',
  'unsigned',
  'forged',
  'other_facility',
  'expired',
  'unknown_guardian',
  'revoked',
] as const;
export type QrRefusalReason = (typeof QR_REFUSAL_REASONS)[number];

/** What a parent is told for each refusal, in Japanese and English. */
export const QR_REFUSAL_MESSAGES: Readonly<Record<QrRefusalReason, { ja: string; en: string }>> = {
  malformed: {
    ja: 'このQRコードは読み取れませんでした。もう一度かざすか、職員にお声がけください。',
    en: 'This QR code could not be read. Please try again or ask a member of staff.',
  },
  unsigned: {
    ja: 'このQRコードは園が発行した保護者用QRコードではありません。園から受け取ったQRコードをお使いください。',
    en: 'This is not a guardian QR code issued by the nursery. Please use the code the nursery gave you.',
  },
  forged: {
    ja: 'このQRコードは確認できませんでした（この園のものではないか、改ざんされています）。職員にお声がけください。',
    en: 'This QR code could not be verified (it is not from this nursery or has been altered). Please ask a member of staff.',
  },
  other_facility: {
    ja: 'このQRコードは別の園のものです。この園のQRコードをお使いください。',
    en: "This QR code belongs to another nursery. Please use this nursery's code.",
  },
  expired: {
    ja: 'このQRコードは有効期限が切れています。職員に新しいQRコードをご依頼ください。',
    en: 'This QR code has expired. Please ask the staff for a new one.',
  },
  unknown_guardian: {
    ja: 'このQRコードの保護者は名簿に登録されていません。職員にお声がけください。',
    en: 'The guardian of this QR code is not on the roster. Please ask a member of staff.',
  },
  revoked: {
    ja: 'このQRコードは無効になりました。新しいQRコードをお使いいただくか、職員にお声がけください。',
    en: 'This QR code was revoked. Please use your new code or ask a member of staff.',
  },
};

/**
 * The staff PIN pad's lockout: the reply's message carries the seconds to wait, in this form, so the
 * screen can say when to try again in its own language (UiReply has no other field for it).
 */
export function lockedOutMessage(seconds: number): string {
  return `too many wrong PINs; try again in ${seconds} s`;
}

/** The seconds of a lockedOutMessage(); undefined for any other text. */
export function lockedOutSeconds(message: string): number | undefined {
  const m = /try again in (\d+) s$/.exec(message);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}
