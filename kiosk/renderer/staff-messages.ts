import type { EnrollmentView, Locale, RecentEvent } from '../common/ui-api.ts';

/** The staff screens' texts (messages.ts holds the rest): the PIN pad, maintenance, card enrolment. */

export interface StaffMessages {
  readonly button: string;
  readonly buttonLabel: string;
  readonly pinTitle: string;
  readonly pinSub: string;
  readonly pinSubmit: string;
  readonly pinCancel: string;
  readonly pinClear: string;
  readonly pinDelete: string;
  readonly badPin: string;
  /** `minutes`: undefined when the kiosk did not say. */
  readonly lockedOut: (minutes: number | undefined) => string;
  readonly noPin: string;
  readonly failed: (code: string) => string;
  readonly title: string;
  readonly close: string;
  readonly autoLock: (minutes: number) => string;
  readonly hub: string;
  readonly online: string;
  readonly offline: string;
  readonly outbox: string;
  readonly inFlight: string;
  readonly roster: string;
  readonly rosterVersion: (version: number | null) => string;
  readonly readers: string;
  readonly attached: string;
  readonly detached: string;
  readonly noReaders: string;
  readonly recent: string;
  readonly noRecent: string;
  readonly eventType: Readonly<Record<RecentEvent['type'], string>>;
  readonly delivery: Readonly<Record<RecentEvent['delivery'], string>>;
  readonly enrollTitle: string;
  readonly enrollSub: string;
  readonly search: string;
  readonly noMatch: string;
  readonly noGuardians: string;
  readonly cards: (count: number) => string;
  readonly enrollStatus: Readonly<Record<Exclude<EnrollmentView['status'], 'idle'>, string>>;
  readonly enrollFor: (guardian: string) => string;
  readonly enrolledFor: (guardian: string) => string;
  readonly enrollGuardian: (guardian: string) => string;
  readonly enrollDone: string;
  readonly enrollHint: string;
  readonly enrollCancel: string;
  readonly enrollBack: string;
  /** Why an enrolment failed or could not start, by code. */
  readonly enrollError: (code: string) => string;
  /** The clock tile: the skew against the hub's clock and which time the kiosk stamps with. */
  readonly clock: string;
  readonly clockSkew: (skew: SkewParts) => string;
  readonly clockUnsynced: string;
  readonly clockUnsyncedSub: string;
  readonly clockCorrected: string;
  readonly clockLocal: string;
}

/** A clock skew as parts: whole hours, minutes and seconds of its size, and its direction. */
export interface SkewParts {
  hours: number;
  minutes: number;
  seconds: number;
  /** Hub minus kiosk > 0: the kiosk's clock is behind the hub's. */
  behind: boolean;
}

export const STAFF_MESSAGES: Readonly<Record<Locale, StaffMessages>> = {
  ja: {
    button: '職員用',
    buttonLabel: '職員用メンテナンス画面を開く',
    pinTitle: '職員用の暗証番号',
    pinSub: '保護者の方は操作しないでください',
    pinSubmit: '開く',
    pinCancel: 'もどる',
    pinClear: 'クリア',
    pinDelete: '1文字消す',
    badPin: '暗証番号が違います。',
    lockedOut: (min) =>
      `間違いが続いたためロックしました。${min === undefined ? 'しばらく' : `約${min}分`}たってからもう一度お試しください。`,
    noPin:
      '暗証番号が設定されていません。この端末で「genkan kiosk pin --data <データフォルダ>」を実行して設定してください。',
    failed: (code) => `開けませんでした（${code}）。`,
    title: 'メンテナンス',
    close: '閉じる',
    autoLock: (min) => `${min}分間操作がないと自動でロックします`,
    hub: 'ハブ',
    online: '接続中',
    offline: '未接続',
    outbox: '未送信',
    inFlight: '送信中',
    roster: '名簿',
    rosterVersion: (v) => (v === null ? 'なし' : `第${v}版`),
    readers: '読み取り機',
    attached: '接続',
    detached: '未接続',
    noReaders: '読み取り機がありません',
    recent: '最近の記録',
    noRecent: 'まだ記録はありません',
    eventType: { check_in: '登園', check_out: '降園', absent: '欠席', void: '取消' },
    delivery: { pending: '未送信', acked: '送信済み', rejected: '拒否' },
    enrollTitle: 'カード登録',
    enrollSub: '保護者を選んでから、新しいカードをタッチしてもらいます',
    search: '保護者・お子さまの名前、ふりがなで検索',
    noMatch: '該当する保護者がいません',
    noGuardians: '名簿がまだありません',
    cards: (n) => `カード ${n}枚`,
    enrollStatus: {
      waiting_card: '新しいカードをタッチしてください',
      sending: '登録しています…',
      done: '登録しました',
      failed: '登録できませんでした',
    },
    enrollFor: (g) => `${g} 様のカードとして登録します`,
    enrolledFor: (g) => `${g} 様のカードとして登録しました`,
    enrollGuardian: (g) => `${g} 様`,
    enrollDone: 'このカードですぐに登園・降園を記録できます。',
    enrollHint: 'この間にタッチされたカードは登園・降園として記録されません。',
    enrollCancel: 'やめる',
    enrollBack: 'もどる',
    enrollError: (code) => {
      switch (code) {
        case 'credential_in_use':
          return 'このカードは別の保護者に登録されています。';
        case 'unknown_guardian':
          return 'この保護者は名簿にありません。名簿を確認してください。';
        case 'timeout':
          return 'ハブから応答がありません。接続を確認して、もう一度お試しください。';
        case 'offline':
          return 'ハブに接続されていないため登録できません。接続が戻ってからお試しください。';
        case 'enroll_busy':
          return '別のカードを登録中です。結果が出るまでお待ちください。';
        default:
          return `エラーが発生しました（${code}）。`;
      }
    },
    clock: '時計のずれ',
    clockSkew: ({ hours, minutes, seconds, behind }) => {
      if (hours + minutes + seconds === 0) return 'なし';
      const size =
        hours > 0 ? `${hours}時間${minutes}分` : minutes > 0 ? `${minutes}分${seconds}秒` : `${seconds}秒`;
      return `${size}${behind ? '遅れ' : '進み'}`;
    },
    clockUnsynced: '未確認',
    clockUnsyncedSub: 'ハブの時刻をまだ受け取っていません',
    clockCorrected: 'ハブの時刻を使用中',
    clockLocal: 'この端末の時刻を使用中',
  },
  en: {
    button: 'Staff',
    buttonLabel: 'Open the staff maintenance screen',
    pinTitle: 'Staff PIN',
    pinSub: 'For nursery staff only',
    pinSubmit: 'Open',
    pinCancel: 'Back',
    pinClear: 'Clear',
    pinDelete: 'Delete one digit',
    badPin: 'Wrong PIN.',
    lockedOut: (min) =>
      `Too many wrong PINs: locked. Try again ${min === undefined ? 'later' : `in about ${min} min`}.`,
    noPin: 'No staff PIN is set. Set one on this kiosk with “genkan kiosk pin --data <data folder>”.',
    failed: (code) => `Could not open (${code}).`,
    title: 'Maintenance',
    close: 'Close',
    autoLock: (min) => `Locks itself after ${min} min without use`,
    hub: 'Hub',
    online: 'Online',
    offline: 'Offline',
    outbox: 'Unsent',
    inFlight: 'Sending',
    roster: 'Roster',
    rosterVersion: (v) => (v === null ? 'none' : `v${v}`),
    readers: 'Readers',
    attached: 'connected',
    detached: 'not connected',
    noReaders: 'No readers',
    recent: 'Recent events',
    noRecent: 'No events yet',
    eventType: { check_in: 'Arrival', check_out: 'Departure', absent: 'Absent', void: 'Voided' },
    delivery: { pending: 'Waiting', acked: 'Sent', rejected: 'Refused' },
    enrollTitle: 'Register a card',
    enrollSub: 'Choose the guardian, then have them tap their new card',
    search: 'Search guardian or child name, or kana',
    noMatch: 'No matching guardian',
    noGuardians: 'No roster yet',
    cards: (n) => (n === 1 ? '1 card' : `${n} cards`),
    enrollStatus: {
      waiting_card: 'Tap the new card',
      sending: 'Registering…',
      done: 'Card registered',
      failed: 'Could not register the card',
    },
    enrollFor: (g) => `It will be registered for ${g}`,
    enrolledFor: (g) => `Registered for ${g}`,
    enrollGuardian: (g) => `For ${g}`,
    enrollDone: 'The card can be used for arrivals and departures right away.',
    enrollHint: 'A card tapped now is not recorded as an arrival or departure.',
    enrollCancel: 'Cancel',
    enrollBack: 'Back',
    enrollError: (code) => {
      switch (code) {
        case 'credential_in_use':
          return 'This card is already registered to another guardian.';
        case 'unknown_guardian':
          return 'This guardian is not on the roster. Please check the roster.';
        case 'timeout':
          return 'The hub did not answer. Check the connection and try again.';
        case 'offline':
          return 'The hub is not connected, so cards cannot be registered. Try again when it is back.';
        case 'enroll_busy':
          return 'Another card is being registered. Please wait for its result.';
        default:
          return `Something went wrong (${code}).`;
      }
    },
    clock: 'Clock offset',
    clockSkew: ({ hours, minutes, seconds, behind }) => {
      if (hours + minutes + seconds === 0) return 'none';
      const size =
        hours > 0
          ? `${hours} h ${minutes} min`
          : minutes > 0
            ? `${minutes} min ${seconds} s`
            : `${seconds} s`;
      return `${size} ${behind ? 'behind' : 'ahead'}`;
    },
    clockUnsynced: 'Not checked',
    clockUnsyncedSub: 'No time from the hub yet',
    clockCorrected: 'Using the hub’s time',
    clockLocal: 'Using this kiosk’s clock',
  },
};
