/**
 * The parent app's column in the roster's guardian table (issue 17): inviting a guardian (the link and its
 * QR code in a dialog) and ending their access. messages.ts carries them as `parentApp`.
 */
export interface ParentAppMessages {
  readonly column: string;
  readonly invite: string;
  readonly revoke: string;
  readonly confirmRevoke: (guardian: string) => string;
  readonly revoked: string;
  readonly dialogTitle: (guardian: string) => string;
  readonly help: string;
  readonly qrAlt: string;
  readonly link: string;
  readonly copy: string;
  readonly copied: string;
  readonly expires: (until: string) => string;
  readonly close: string;
}

const ja: ParentAppMessages = {
  column: '保護者アプリ',
  invite: '招待',
  revoke: '利用停止',
  confirmRevoke: (guardian) =>
    `${guardian} さんの保護者アプリの利用を停止します（登録したパスキーも使えなくなります）。よろしいですか？（あらためて招待できます）`,
  revoked: '停止しました',
  dialogTitle: (guardian) => `${guardian} さんへの保護者アプリの招待`,
  help: '保護者のスマートフォンでQRコードを読み取るか、リンクをお送りください。新しく招待すると、前の招待リンクは使えなくなります。',
  qrAlt: '招待リンクのQRコード',
  link: '招待リンク',
  copy: 'リンクをコピー',
  copied: 'コピーしました',
  expires: (until) => `有効期限 ${until}`,
  close: '閉じる',
};

const en: ParentAppMessages = {
  column: 'Parent app',
  invite: 'Invite',
  revoke: 'Suspend',
  confirmRevoke: (guardian) =>
    `End ${guardian}'s access to the parent app (their passkeys stop working too)? (They can be invited again.)`,
  revoked: 'Suspended',
  dialogTitle: (guardian) => `Parent app invitation for ${guardian}`,
  help: 'Let the parent scan the QR code with their phone, or send them the link. A new invitation makes the previous link stop working.',
  qrAlt: 'QR code of the invitation link',
  link: 'Invitation link',
  copy: 'Copy the link',
  copied: 'Copied',
  expires: (until) => `Valid until ${until}`,
  close: 'Close',
};

export const PARENT_APP_MESSAGES: Readonly<Record<'ja' | 'en', ParentAppMessages>> = { ja, en };
