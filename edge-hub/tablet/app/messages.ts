import type { RollcallStatus } from '../../../protocol/primitives.ts';
import type { AbsenceReason, Correction } from '../../../protocol/tablet.ts';
import type { Locale, RowAction, Setup, SignInError, SortOrder, VoidAction } from './state.ts';

type Method = 'card' | 'qr' | 'pin' | 'staff';

/** Every text the tablet shows, in Japanese (the default) and English. */
export interface Messages {
  /** BCP 47 tag for Intl date formatting. */
  readonly intlLocale: string;
  /** The language button shows the language it switches to, in that language. */
  readonly langToggle: string;
  readonly langToggleLabel: string;
  readonly appName: string;
  readonly loading: string;
  readonly signIn: {
    readonly title: string;
    readonly sub: string;
    readonly staffId: string;
    readonly pin: string;
    readonly submit: string;
    readonly working: string;
    readonly error: (error: SignInError) => string;
  };
  readonly setup: (setup: Setup) => string;
  readonly signedInAs: (name: string) => string;
  readonly signOut: string;
  readonly stale: string;
  readonly offline: string;
  readonly attentionTitle: (count: number) => string;
  readonly attentionNone: string;
  readonly why: Readonly<Record<'unaccounted' | 'still_present', string>>;
  readonly counts: {
    readonly expected: string;
    readonly present: string;
    readonly left: string;
    readonly absent: string;
    readonly notArrived: string;
  };
  readonly allClasses: string;
  readonly search: string;
  readonly sort: Readonly<Record<SortOrder, string>>;
  readonly sortLabel: string;
  readonly noChildren: string;
  readonly status: Readonly<Record<RollcallStatus, string>>;
  readonly unaccounted: string;
  readonly stillPresent: string;
  readonly checkIn: (time: string) => string;
  readonly checkOut: (time: string) => string;
  readonly method: Readonly<Record<Method, string>>;
  readonly broughtBy: (name: string) => string;
  readonly pickedUpBy: (name: string) => string;
  readonly reason: Readonly<Record<AbsenceReason, string>>;
  readonly corrected: string;
  readonly correction: Readonly<Record<Correction['kind'], string>>;
  readonly correctionLine: (kind: string, by: string, time: string) => string;
  readonly cutoff: (time: string) => string;
  readonly staffOnDuty: string;
  readonly staffUnset: string;
  readonly staffMinus: string;
  readonly staffPlus: string;
  readonly overRatio: (perStaff: number | null) => string;
  readonly ratio: (perStaff: number) => string;
  readonly action: Readonly<Record<RowAction, string>>;
  readonly dialog: {
    readonly title: Readonly<Record<RowAction, string>>;
    readonly timeLabel: string;
    readonly timeNow: string;
    readonly timeHint: string;
    readonly noteLabel: string;
    readonly noteOptional: string;
    readonly reasonLabel: string;
    readonly voidReasonLabel: string;
    readonly voidReasonHint: string;
    /** What a void removes; the time is the event's, or null (an absence has no time of day). */
    readonly voidWhat: Readonly<Record<VoidAction, (time: string | null) => string>>;
    readonly dateLabel: string;
    /** The last day of an absence over several days. */
    readonly untilLabel: string;
    readonly untilHint: string;
    readonly badRange: string;
    readonly confirm: string;
    readonly cancel: string;
    readonly sending: string;
    readonly badTime: string;
    readonly needReason: string;
    readonly failed: (code: string, status: number | null) => string;
    readonly retry: string;
  };
  readonly staffFailed: string;
}

const CODE_JA: Readonly<Record<string, string>> = {
  unknown_child: 'この園児は名簿にありません。',
  unknown_event: '取り消す記録が見つかりません（すでに取り消し済みかもしれません）。',
  forbidden: 'この操作の権限がありません。',
  bad_request: '入力内容を確認してください。',
  invalid_event: '入力内容を確認してください。',
  too_many_requests: '操作が多すぎます。少し待ってからやり直してください。',
  future_time: 'まだ来ていない時刻は入力できません。',
  bad_date: '欠席日は今日以降、最終日は欠席日以降（31日まで）の日付を選んでください。',
  already_voided: 'この記録はすでに取り消されています。',
  event_id_in_use: '送信が重複しました。画面を閉じてもう一度操作してください。',
};
const CODE_EN: Readonly<Record<string, string>> = {
  unknown_child: 'This child is not on the roster.',
  unknown_event: 'The record to remove was not found (it may have been removed already).',
  forbidden: 'You are not allowed to do this.',
  bad_request: 'Please check what you entered.',
  invalid_event: 'Please check what you entered.',
  too_many_requests: 'Too many requests. Wait a moment and try again.',
  future_time: 'That time has not come yet.',
  bad_date: 'Choose today or a later day for the absence, and a last day on or after it (up to 31 days).',
  already_voided: 'This record was removed already.',
  event_id_in_use: 'Duplicate request. Close this and try again.',
};

const ja: Messages = {
  intlLocale: 'ja-JP',
  langToggle: 'English',
  langToggleLabel: 'Switch to English',
  appName: 'げんかん 保育者用',
  loading: '読み込み中…',
  signIn: {
    title: '職員サインイン',
    sub: '職員IDと暗証番号を入力してください',
    staffId: '職員ID',
    pin: '暗証番号（数字）',
    submit: 'サインイン',
    working: '確認中…',
    error: (e) => {
      switch (e.kind) {
        case 'bad_credentials':
          return '職員IDまたは暗証番号が違います。';
        case 'too_many':
          return e.retryAfterSeconds === null
            ? '試行回数が多すぎます。しばらく待ってからやり直してください。'
            : `試行回数が多すぎます。${waitJa(e.retryAfterSeconds)}待ってからやり直してください。`;
        case 'device_not_set_up':
          return 'このタブレットはまだ設定されていません。管理者がペアリング用QRコードでこのタブレットを設定する必要があります。';
        case 'session_ended':
          return 'サインインの有効期限が切れました。もう一度サインインしてください。';
        case 'unreachable':
          return 'ハブに接続できません。Wi-Fi を確認してください。';
        case 'other':
          return `サインインできませんでした（${e.code}）。`;
      }
    },
  },
  setup: (s) => {
    switch (s.status) {
      case 'working':
        return `このタブレットを「${s.deviceId}」として設定しています…`;
      case 'done':
        return `このタブレットを「${s.deviceId}」として設定しました。職員IDでサインインしてください。`;
      case 'failed':
        switch (s.reason) {
          case 'invalid_link':
            return 'ペアリング用リンクが読み取れません。管理者に新しいQRコードを発行してもらってください。';
          case 'code_refused':
            return 'ペアリングコードが無効です（使用済み・期限切れ・別の端末用）。管理者に新しいQRコードを発行してもらってください。';
          case 'unreachable':
            return 'ハブに接続できないため設定できませんでした。Wi-Fi を確認して、もう一度QRコードを開いてください。';
          case 'other':
            return 'このタブレットを設定できませんでした。管理者に連絡してください。';
        }
    }
  },
  signedInAs: (name) => `${name} さん`,
  signOut: 'サインアウト',
  stale: '最新の情報ではない可能性があります（ハブに再接続中）',
  offline: '接続中…',
  attentionTitle: (n) => `所在確認が必要な園児 ${n}名`,
  attentionNone: '所在未確認の園児はいません',
  why: { unaccounted: '所在未確認', still_present: '閉園後も在園' },
  counts: { expected: '在籍', present: '在園', left: '降園', absent: '欠席', notArrived: '未登園' },
  allClasses: 'すべて',
  search: '名前・ふりがなで検索',
  sort: { class: 'クラス順', status: '状態順' },
  sortLabel: '並べ替え',
  noChildren: '該当する園児はいません',
  status: { not_arrived: '未登園', present: '在園中', left: '降園済', absent: '欠席' },
  unaccounted: '所在未確認',
  stillPresent: '閉園後も在園',
  checkIn: (t) => `登園 ${t}`,
  checkOut: (t) => `降園 ${t}`,
  method: { card: 'カード', qr: 'QR', pin: '暗証番号', staff: '職員入力' },
  broughtBy: (n) => `送り：${n}`,
  pickedUpBy: (n) => `迎え：${n}`,
  reason: { sick: '体調不良', family: '家庭の都合', other: 'その他' },
  corrected: '修正あり',
  correction: {
    manual_check_in: '手動登園',
    manual_check_out: '手動降園',
    absent: '欠席登録',
    void: '取り消し',
  },
  correctionLine: (kind, by, time) => `${time} ${kind}（${by}）`,
  cutoff: (t) => `${t} 締め`,
  staffOnDuty: '保育者',
  staffUnset: '未入力',
  staffMinus: '保育者を1人減らす',
  staffPlus: '保育者を1人増やす',
  overRatio: (n) => (n === null ? '配置基準を超えています' : `配置基準超過（保育者1人あたり${n}人まで）`),
  ratio: (n) => `1人あたり${n}人まで`,
  action: {
    check_in: '登園',
    check_out: '降園',
    absent: '欠席',
    void_check_in: '登園を取消',
    void_check_out: '降園を取消',
    void_absent: '欠席を取消',
  },
  dialog: {
    title: {
      check_in: '登園を記録',
      check_out: '降園を記録',
      absent: '欠席を記録',
      void_check_in: '登園記録の取り消し',
      void_check_out: '降園記録の取り消し',
      void_absent: '欠席記録の取り消し',
    },
    timeLabel: '時刻',
    timeNow: '今',
    timeHint: '打刻し忘れた場合は実際の時刻を入力',
    noteLabel: 'メモ',
    noteOptional: '（任意）',
    reasonLabel: '理由',
    voidReasonLabel: '取り消す理由（必須）',
    voidReasonHint: '例：別の子のカードで打刻された',
    voidWhat: {
      void_check_in: (t) => `${t ?? ''} の登園記録を取り消します。`,
      void_check_out: (t) => `${t ?? ''} の降園記録を取り消します。`,
      void_absent: () => '今日の欠席記録を取り消します。',
    },
    dateLabel: '欠席日',
    untilLabel: '最終日（この日まで欠席）',
    untilHint: '1日だけなら欠席日と同じ日のまま。続けて休むときは最後の日を選びます（31日まで）',
    badRange: '最終日は欠席日以降、31日以内で選んでください。',
    confirm: '記録する',
    cancel: 'やめる',
    sending: '送信中…',
    badTime: '時刻は HH:MM で入力してください。',
    needReason: '理由を入力してください。',
    failed: (code, status) =>
      CODE_JA[code] ??
      (code === 'network'
        ? 'ハブに接続できません。もう一度「記録する」を押してください（二重には記録されません）。'
        : `記録できませんでした（${code}${status === null ? '' : ` / ${status}`}）。`),
    retry: 'もう一度',
  },
  staffFailed: '保育者数を保存できませんでした。',
};

const en: Messages = {
  intlLocale: 'en-GB',
  langToggle: '日本語',
  langToggleLabel: '日本語に切り替え',
  appName: 'Genkan for staff',
  loading: 'Loading…',
  signIn: {
    title: 'Staff sign-in',
    sub: 'Enter your staff ID and PIN',
    staffId: 'Staff ID',
    pin: 'PIN (digits)',
    submit: 'Sign in',
    working: 'Checking…',
    error: (e) => {
      switch (e.kind) {
        case 'bad_credentials':
          return 'Wrong staff ID or PIN.';
        case 'too_many':
          return e.retryAfterSeconds === null
            ? 'Too many attempts. Wait a while, then try again.'
            : `Too many attempts. Try again in ${waitEn(e.retryAfterSeconds)}.`;
        case 'device_not_set_up':
          return 'This tablet is not set up yet. An admin must set it up with a pairing QR code.';
        case 'session_ended':
          return 'Your session ended. Please sign in again.';
        case 'unreachable':
          return 'Cannot reach the hub. Check the Wi-Fi.';
        case 'other':
          return `Could not sign in (${e.code}).`;
      }
    },
  },
  setup: (s) => {
    switch (s.status) {
      case 'working':
        return `Setting up this tablet as “${s.deviceId}”…`;
      case 'done':
        return `This tablet is set up as “${s.deviceId}”. Sign in with your staff ID.`;
      case 'failed':
        switch (s.reason) {
          case 'invalid_link':
            return 'The pairing link cannot be read. Ask an admin for a new pairing QR code.';
          case 'code_refused':
            return 'The pairing code is not valid (used, expired or for another device). Ask an admin for a new QR code.';
          case 'unreachable':
            return 'Could not reach the hub to set up this tablet. Check the Wi-Fi and open the QR code again.';
          case 'other':
            return 'This tablet could not be set up. Please contact an admin.';
        }
    }
  },
  signedInAs: (name) => name,
  signOut: 'Sign out',
  stale: 'May be out of date (reconnecting to the hub)',
  offline: 'Connecting…',
  attentionTitle: (n) => `Find ${n} ${n === 1 ? 'child' : 'children'} now`,
  attentionNone: 'Every child is accounted for',
  why: { unaccounted: 'Unaccounted', still_present: 'Still here after closing' },
  counts: {
    expected: 'Enrolled',
    present: 'Present',
    left: 'Gone home',
    absent: 'Absent',
    notArrived: 'Not arrived',
  },
  allClasses: 'All',
  search: 'Search name or kana',
  sort: { class: 'By class', status: 'By status' },
  sortLabel: 'Sort',
  noChildren: 'No matching children',
  status: { not_arrived: 'Not arrived', present: 'Present', left: 'Gone home', absent: 'Absent' },
  unaccounted: 'Unaccounted',
  stillPresent: 'Still here after closing',
  checkIn: (t) => `In ${t}`,
  checkOut: (t) => `Out ${t}`,
  method: { card: 'card', qr: 'QR', pin: 'PIN', staff: 'staff' },
  broughtBy: (n) => `Brought by ${n}`,
  pickedUpBy: (n) => `Picked up by ${n}`,
  reason: { sick: 'Sick', family: 'Family', other: 'Other' },
  corrected: 'Corrected',
  correction: {
    manual_check_in: 'manual check-in',
    manual_check_out: 'manual check-out',
    absent: 'marked absent',
    void: 'removed',
  },
  correctionLine: (kind, by, time) => `${time} ${kind} (${by})`,
  cutoff: (t) => `cut-off ${t}`,
  staffOnDuty: 'Staff',
  staffUnset: 'not set',
  staffMinus: 'One staff member fewer',
  staffPlus: 'One staff member more',
  overRatio: (n) =>
    n === null ? 'Over the staff ratio' : `Over the staff ratio (max ${n} per staff member)`,
  ratio: (n) => `max ${n} per staff`,
  action: {
    check_in: 'Check in',
    check_out: 'Check out',
    absent: 'Absent',
    void_check_in: 'Undo check-in',
    void_check_out: 'Undo check-out',
    void_absent: 'Undo absence',
  },
  dialog: {
    title: {
      check_in: 'Record check-in',
      check_out: 'Record check-out',
      absent: 'Record absence',
      void_check_in: 'Remove the check-in',
      void_check_out: 'Remove the check-out',
      void_absent: 'Remove the absence',
    },
    timeLabel: 'Time',
    timeNow: 'Now',
    timeHint: 'For a forgotten tap, enter the real time',
    noteLabel: 'Note',
    noteOptional: ' (optional)',
    reasonLabel: 'Reason',
    voidReasonLabel: 'Why remove it (required)',
    voidReasonHint: 'e.g. tapped with another child’s card',
    voidWhat: {
      void_check_in: (t) => `The check-in at ${t ?? ''} will be removed.`,
      void_check_out: (t) => `The check-out at ${t ?? ''} will be removed.`,
      void_absent: () => 'Today’s absence will be removed.',
    },
    dateLabel: 'Day of absence',
    untilLabel: 'Last day (absent until)',
    untilHint: 'Leave it on the same day for one day; for several days choose the last one (up to 31 days)',
    badRange: 'Choose a last day on or after the day of absence, at most 31 days in all.',
    confirm: 'Record',
    cancel: 'Cancel',
    sending: 'Sending…',
    badTime: 'Enter the time as HH:MM.',
    needReason: 'Please enter a reason.',
    failed: (code, status) =>
      CODE_EN[code] ??
      (code === 'network'
        ? 'Cannot reach the hub. Press “Record” again (it will not be recorded twice).'
        : `Not recorded (${code}${status === null ? '' : ` / ${status}`}).`),
    retry: 'Try again',
  },
  staffFailed: 'Could not save the staff count.',
};

function waitJa(seconds: number): string {
  return seconds < 60 ? `${seconds}秒` : `${Math.ceil(seconds / 60)}分`;
}

function waitEn(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

export const MESSAGES: Readonly<Record<Locale, Messages>> = { ja, en };
