import type { Messages } from './messages.ts';

/** Texts of the facility notices page (園からのお知らせ), in Japanese and English. */
export interface FacilityNoticesMessages {
  readonly title: string;
  readonly help: string;
  readonly formTitle: string;
  readonly noticeTitle: string;
  readonly body: string;
  readonly classes: string;
  readonly classesHelp: string;
  readonly publish: string;
  readonly publishing: string;
  readonly everyone: string;
  readonly published: string;
  readonly listTitle: string;
  readonly none: string;
  readonly to: (classes: string) => string;
  readonly readCount: (read: number, total: number) => string;
  readonly withdrawn: string;
  readonly notRelayed: string;
  readonly showReaders: string;
  readonly hideReaders: string;
  readonly unread: string;
  readonly read: string;
  readonly nobody: string;
  readonly noRecipients: string;
  readonly children: (names: readonly string[]) => string;
  readonly withdraw: string;
  readonly confirmWithdraw: (title: string) => string;
}

const ja: FacilityNoticesMessages = {
  title: '園からのお知らせ',
  help: '保護者アプリに届くお知らせです。保護者アプリを使っている保護者に届き、「確認しました」を押すと既読になります。あとから保護者アプリを使い始めた方には、30日以内のお知らせが届きます。',
  formTitle: '新しいお知らせ',
  noticeTitle: '件名',
  body: '本文',
  classes: '送り先のクラス',
  classesHelp: 'どれも選ばないと全クラスの保護者に届きます。',
  publish: '送信する',
  publishing: '送信中…',
  everyone: '全クラス',
  published: '送信しました',
  listTitle: '送ったお知らせ',
  none: 'まだお知らせはありません',
  to: (classes) => `送り先：${classes}`,
  readCount: (read, total) => `既読 ${String(read)} / ${String(total)}`,
  withdrawn: '取り下げ済み',
  notRelayed: 'クラウドへ送信待ち',
  showReaders: '未読・既読の保護者を見る',
  hideReaders: '閉じる',
  unread: '未読',
  read: '既読',
  nobody: 'なし',
  noRecipients: '保護者アプリを使っている保護者がいません',
  children: (names) => (names.length === 0 ? '' : `（${names.join('・')}）`),
  withdraw: '取り下げる',
  confirmWithdraw: (title) =>
    `「${title}」を取り下げます。保護者アプリに表示されなくなります。よろしいですか？`,
};

const en: FacilityNoticesMessages = {
  title: "The facility's notices",
  help: 'Notices to parents in the parent app. They reach the guardians who use the parent app, and count as read once the parent confirms. Guardians who start using the app later receive the notices of the last 30 days.',
  formTitle: 'New notice',
  noticeTitle: 'Title',
  body: 'Text',
  classes: 'Classes',
  classesHelp: 'With none chosen, the notice goes to the parents of every class.',
  publish: 'Send',
  publishing: 'Sending…',
  everyone: 'every class',
  published: 'Sent',
  listTitle: 'Notices sent',
  none: 'No notices yet',
  to: (classes) => `To: ${classes}`,
  readCount: (read, total) => `Read ${String(read)} / ${String(total)}`,
  withdrawn: 'Withdrawn',
  notRelayed: 'Waiting to reach the cloud',
  showReaders: 'Who has read it',
  hideReaders: 'Close',
  unread: 'Not read',
  read: 'Read',
  nobody: 'Nobody',
  noRecipients: 'No guardian uses the parent app',
  children: (names) => (names.length === 0 ? '' : ` (${names.join(', ')})`),
  withdraw: 'Withdraw',
  confirmWithdraw: (title) => `Withdraw "${title}"? Parents will no longer see it.`,
};

export const FACILITY_NOTICES_MESSAGES: Readonly<Record<'ja' | 'en', FacilityNoticesMessages>> = { ja, en };

/** The texts in the app's current language. */
export function facilityNoticesMessages(m: Pick<Messages, 'intlLocale'>): FacilityNoticesMessages {
  return m.intlLocale.startsWith('ja') ? ja : en;
}
