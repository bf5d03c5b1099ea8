import { errorText } from '../../../protocol/error-catalogue.ts';
import type { Messages } from './messages.ts';

/** The tablet's Japanese texts (the default language). */

/** 確認済（佐藤 10:02）: a parent's notice or pickup plan confirmed, with who and when where known. */
function confirmedJa(by: string | null, t: string | null): string {
  const parts = [by, t].filter((x) => x !== null);
  return `確認済${parts.length === 0 ? '' : `（${parts.join(' ')}）`}`;
}

const NOTICE_NOT_FOUND_JA = 'この連絡は見つかりません（取り消されたかもしれません）。';

/** Why a 確認 did not go through: the catalogue's text for the code, else these; `notFound` for a 404. */
function confirmFailedJa(code: string, status: number | null, notFound?: string): string {
  const known = errorText('ja', code);
  if (known !== undefined) return known;
  if (code === 'network') return 'ハブに接続できません。もう一度「確認」を押してください。';
  if (status === 404 && notFound !== undefined) return notFound;
  return `確認を送れませんでした（${code}${status === null ? '' : ` / ${String(status)}`}）。`;
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

export const ja: Messages = {
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
  stale: 'ハブから応答がありません。この表示は最新ではない可能性があります',
  staleSince: (t) => (t === null ? '最終更新：なし' : `最終更新 ${t}`),
  parentsStalled: (since) => `保護者からの連絡が届いていません（${since}から）。電話で確認してください`,
  offline: '接続中…',
  attentionTitle: (n) => `所在確認が必要な園児 ${n}名`,
  attentionNone: '所在未確認の園児はいません',
  why: { unaccounted: '所在未確認', still_present: '閉園後も在園' },
  counts: { enrolled: '在籍', present: '在園', left: '降園', absent: '欠席', notArrived: '未登園' },
  allClasses: 'すべて',
  search: '名前・ふりがなで検索',
  sort: { class: 'クラス順', status: '状態順' },
  sortLabel: '並べ替え',
  noChildren: '該当する園児はいません',
  status: { not_arrived: '未登園', present: '在園中', left: '降園済', absent: '欠席' },
  checkIn: (t) => `登園 ${t}`,
  checkOut: (t) => `降園 ${t}`,
  method: { card: 'カード', qr: 'QR', pin: '暗証番号', staff: '職員入力', parent: '保護者連絡' },
  broughtBy: (n) => `送り：${n}`,
  pickedUpBy: (n) => `迎え：${n}`,
  staffEntry: (n) => `職員入力：${n}`,
  compact: {
    toggle: 'コンパクト表示',
    classes: 'クラス',
    open: (n) => `${n}の記録と操作`,
    close: '閉じる',
    noActions: 'この園児にできる操作はありません',
  },
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
  staffing: {
    required: (n) => `必要 ${n}人`,
    age: (g, n) => `${{ age0: '0歳', age1: '1歳', age2: '2歳', age3: '3歳', age4plus: '4・5歳' }[g]} ${n}`,
    separator: '、',
    ageUnknown: (n) => `年齢不明 ${n}人（名簿に生年月日がありません）`,
    facility: (req, min, on) =>
      `施設 必要${req}人（最低${min}人）・配置${on === null ? '未入力' : `${on}人`}`,
    understaffed: (req, on) => `保育者不足：配置${on}人／必要${req}人`,
  },
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
      errorText('ja', code) ??
      (code === 'network'
        ? 'ハブに接続できません。もう一度「記録する」を押してください（二重には記録されません）。'
        : `記録できませんでした（${code}${status === null ? '' : ` / ${status}`}）。`),
    retry: 'もう一度',
  },
  staffFailed: '保育者数を保存できませんでした。',
  notices: {
    title: '保護者からの連絡',
    unread: (n) => (n === 0 ? '未確認なし' : `未確認 ${n}件`),
    total: (n) => `全${n}件`,
    none: '保護者からの連絡はありません',
    show: '表示',
    hide: '閉じる',
    kind: { absence: '欠席連絡', late: '遅刻連絡' },
    today: '今日',
    tomorrow: '明日',
    yesterday: '昨日',
    date: (mo, d, wd) => `${mo}月${d}日(${'日月火水木金土'.charAt(wd)})`,
    range: (from, until) => `${from}〜${until}`,
    arriveAt: (t) => `${t} 登園予定`,
    symptom: {
      fever: '発熱',
      cough: '咳',
      runny_nose: '鼻水',
      vomiting: '嘔吐',
      diarrhea: '下痢',
      rash: '発疹',
      other: 'その他',
    },
    symptomsSeparator: '、',
    temperature: (c) => `${c.toFixed(1)}℃`,
    sentBy: (g, when) => `${g}さんより ${when}`,
    confirm: '確認',
    confirming: '送信中…',
    confirmLabel: (names) => `${names}の連絡を確認`,
    unconfirmed: '未確認',
    confirmed: confirmedJa,
    failed: (code, status) => confirmFailedJa(code, status, NOTICE_NOT_FOUND_JA),
    badgeAbsence: (r) => `欠席連絡（${r}）`,
    badgeLate: (t) => (t === null ? '遅刻連絡' : `遅刻連絡 ${t}`),
    fromParent: '保護者から',
    stalled: (since) =>
      `保護者からの連絡（欠席・遅刻・お迎え）を受け取れていません（${since}から）。その間の連絡は電話で確認してください。`,
  },
  pickup: {
    label: (t) => `お迎え ${t}`,
    someoneElse: '指定外のお迎え：要確認',
    show: (who) => `${who}さんのお迎えの詳細`,
    photoAlt: (who) => `${who}さんの写真`,
    noPhoto: '写真は登録されていません',
    from: (g) => `${g}さんより`,
    marker: '迎',
    confirm: '確認',
    confirming: '送信中…',
    confirmLabel: (who) => `${who}さんのお迎え予定を確認`,
    someoneElseConfirmed: '指定外のお迎え：確認済',
    confirmed: confirmedJa,
    failed: (code, status) => confirmFailedJa(code, status),
  },
};

function waitJa(seconds: number): string {
  return seconds < 60 ? `${seconds}秒` : `${Math.ceil(seconds / 60)}分`;
}
