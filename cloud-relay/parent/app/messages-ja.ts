import type { LocaleTexts } from './messages.ts';

export const MESSAGES_JA: LocaleTexts = {
  intlLocale: 'ja-JP',
  langToggle: 'English',
  appName: 'Genkan 保護者',
  loading: '読み込み中…',
  invite: {
    title: 'パスキーの登録',
    lead: '園からの招待です。この端末にパスキーを登録すると、次からは指紋・顔認証・画面ロックだけでログインできます。パスワードはいりません。',
    register: 'パスキーを登録する',
    working: '登録しています…',
  },
  signedOut: {
    title: 'ログイン',
    lead: 'この端末に登録したパスキーでログインします。',
    signIn: 'パスキーでログイン',
    working: '確認しています…',
    firstTime: 'はじめての方は、園から届いた招待リンクを開いてください。',
  },
  home: {
    greeting: (name) => `${name} さん`,
    today: (day) => `${day} の登降園`,
    checkIn: '登園',
    checkOut: '降園',
    none: '--:--',
    noChildren: 'お子さまの情報がまだありません。園にお問い合わせください。',
    updated: (time) => `${time} 更新`,
    signOut: 'ログアウト',
  },
  status: {
    not_arrived: 'まだ登園していません',
    present: '園にいます',
    left: '降園しました',
    absent: '欠席',
  },
  sessionEnded: 'ログインが切れました。もう一度パスキーでログインしてください。',
  unreachable: 'つながりません。通信状況を確かめて、もう一度お試しください。',
  unsupported: 'このブラウザはパスキーに対応していません。最新のブラウザでお試しください。',
  passkeyFailed: 'パスキーの操作が取り消されたか、時間切れになりました。もう一度お試しください。',
  tooMany: (seconds) =>
    seconds === null
      ? '試行が多すぎます。しばらく待ってからお試しください。'
      : `試行が多すぎます。${seconds} 秒後にお試しください。`,
  genericError: (code) => `うまくいきませんでした（${code}）。もう一度お試しください。`,
};
