import type { Direction, EnrollmentView, Locale, RecentEvent } from '../common/ui-api.ts';
import { FAMILY_MESSAGES, type FamilyMessages } from './family-messages.ts';
import { TAP_MESSAGES, type TapMessages } from './tap-messages.ts';

/** Every text the kiosk screen shows, in Japanese (the default) and English. */
export interface Messages {
  /** BCP 47 tag for Intl date and time formatting. */
  readonly intlLocale: string;
  readonly speechLang: string;
  /** The language button shows the language it switches to, in that language. */
  readonly langToggle: string;
  readonly langToggleLabel: string;
  readonly prompt: string;
  readonly promptSub: string;
  readonly starting: string;
  readonly startingSub: string;
  readonly connecting: string;
  readonly agentUnreachable: string;
  readonly direction: Readonly<Record<Direction, string>>;
  readonly greeting: Readonly<Record<Direction, string>>;
  readonly undo: string;
  readonly flip: string;
  readonly confirm: string;
  readonly countdown: (seconds: number) => string;
  readonly leaveOut: string;
  readonly addBack: string;
  readonly leftOut: string;
  readonly cancelledTitle: string;
  readonly cancelledBody: string;
  readonly commandFailed: string;
  readonly unknownCredential: Readonly<Record<'card' | 'qr', { title: string; body: string }>>;
  readonly refusedQrTitle: string;
  readonly debounced: { readonly title: string; readonly body: string };
  readonly noChildrenTitle: string;
  readonly noChildrenBody: (guardian: string) => string;
  readonly noRoster: { readonly title: string; readonly body: string };
  readonly error: { readonly title: string; readonly body: string };
  readonly touchToClose: string;
  readonly offlineTitle: string;
  readonly offlineBody: string;
  readonly outbox: (count: number) => string;
  readonly camera: string;
  readonly cameraFailed: string;
  /** The spoken greeting after a recorded tap; `names` are the included children. */
  readonly speech: (direction: Direction, names: readonly string[]) => string;
  /** The staff screens: PIN pad, maintenance, card enrolment. */
  readonly staff: StaffMessages;
  readonly pairing: PairingMessages;
  /** Siblings apart, held taps (reversal guard), what a change did (tap-messages.ts). */
  readonly tap: TapMessages;
  /** No card, no phone: the family chooser and guardian PIN pad (family-messages.ts). */
  readonly family: FamilyMessages;
}

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

export interface PairingMessages {
  readonly title: string;
  readonly body: string;
  readonly waiting: string;
  readonly working: string;
  readonly failed: string;
  readonly error: (code: string) => string;
  readonly noCamera: string;
}

const ja: Messages = {
  tap: TAP_MESSAGES.ja,
  family: FAMILY_MESSAGES.ja,
  intlLocale: 'ja-JP',
  speechLang: 'ja-JP',
  langToggle: 'English',
  langToggleLabel: 'Switch to English',
  prompt: 'カードをタッチするか、QRコードをかざしてください',
  promptSub: '登園・降園はこちらで記録します',
  starting: '準備中です',
  startingSub: 'しばらくお待ちください',
  connecting: '接続中…',
  agentUnreachable: '接続中… キオスクのプログラムに接続できません',
  direction: { check_in: '登園', check_out: '降園' },
  greeting: { check_in: 'いってらっしゃい', check_out: 'おかえりなさい' },
  undo: '取り消す',
  flip: '登園/降園を変更',
  confirm: 'OK',
  countdown: (s) => `${s}秒後に自動で確定します`,
  leaveOut: '今回は外す',
  addBack: '戻す',
  leftOut: '今回は記録しません',
  cancelledTitle: '取り消しました',
  cancelledBody: '記録は残っていません。必要なときは、もう一度タッチしてください。',
  commandFailed: '操作できませんでした。もう一度お試しいただくか、職員にお声がけください。',
  unknownCredential: {
    card: {
      title: 'このカードは登録されていません',
      body: 'お手数ですが、職員にお声がけください。',
    },
    qr: {
      title: 'このQRコードは登録されていません',
      body: 'お手数ですが、職員にお声がけください。',
    },
  },
  refusedQrTitle: 'QRコードを受け付けられませんでした',
  debounced: {
    title: '記録済みです',
    body: 'ただいまのタッチはすでに記録されています。もう一度タッチする必要はありません。',
  },
  noChildrenTitle: 'お子さまが登録されていません',
  noChildrenBody: (g) => `${g} 様に登録されているお子さまが見つかりません。職員にお声がけください。`,
  noRoster: {
    title: 'この端末はまだ準備ができていません',
    body: '名簿が登録されていないため、記録できません。職員にお声がけください。',
  },
  error: {
    title: '記録できませんでした',
    body: '申し訳ありません。もう一度タッチしてください。',
  },
  touchToClose: '画面にふれると戻ります',
  offlineTitle: 'ネットワークに接続できません',
  offlineBody: 'タッチはこの端末に記録され、接続が戻りしだい送信されます。',
  outbox: (n) => `未送信 ${n}件`,
  camera: 'QRカメラ',
  cameraFailed: 'カメラを使用できません',
  speech: (direction, names) =>
    names.length === 0
      ? ja.greeting[direction]
      : `${names.map((n) => `${n}さん`).join('、')}、${ja.greeting[direction]}`,
  staff: {
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
  pairing: {
    title: 'この端末をハブに接続します',
    body: 'ハブの管理画面またはコマンドで表示したペアリング用QRコードをカメラにかざしてください',
    waiting: 'QRコードを待っています',
    working: 'ハブに接続しています…',
    failed: '接続できませんでした',
    error: (code) => {
      switch (code) {
        case 'pairing_code_invalid':
          return 'このQRコードは使えません（使用済みか期限切れです）。ハブで新しいQRコードを表示してください。';
        case 'too_many_requests':
          return '試行回数が多すぎます。しばらく待ってからもう一度お試しください。';
        default:
          return `ハブに接続できませんでした（${code}）。ネットワークを確認して、もう一度QRコードをかざしてください。`;
      }
    },
    noCamera: 'この端末にはカメラがありません。',
  },
};

const en: Messages = {
  tap: TAP_MESSAGES.en,
  family: FAMILY_MESSAGES.en,
  intlLocale: 'en-GB',
  speechLang: 'en-US',
  langToggle: '日本語',
  langToggleLabel: '日本語に切り替える',
  prompt: 'Tap your card or show your QR code',
  promptSub: 'Arrivals and departures are recorded here',
  starting: 'Starting…',
  startingSub: 'Please wait a moment',
  connecting: 'Connecting…',
  agentUnreachable: 'Connecting… the kiosk agent is not reachable',
  direction: { check_in: 'Arrival', check_out: 'Departure' },
  greeting: { check_in: 'Have a good day!', check_out: 'Welcome back!' },
  undo: 'Undo',
  flip: 'Change direction',
  confirm: 'OK',
  countdown: (s) => `Confirms automatically in ${s} s`,
  leaveOut: 'Not today',
  addBack: 'Add back',
  leftOut: 'Not recorded this time',
  cancelledTitle: 'Cancelled',
  cancelledBody: 'Nothing was recorded. Tap again if you need to.',
  commandFailed: 'That did not work. Please try again or ask a member of staff.',
  unknownCredential: {
    card: { title: 'This card is not registered', body: 'Please ask a member of staff.' },
    qr: { title: 'This QR code is not registered', body: 'Please ask a member of staff.' },
  },
  refusedQrTitle: 'QR code not accepted',
  debounced: {
    title: 'Already recorded',
    body: 'Your tap has already been recorded. There is no need to tap again.',
  },
  noChildrenTitle: 'No children registered',
  noChildrenBody: (g) => `No children are registered for ${g}. Please ask a member of staff.`,
  noRoster: {
    title: 'This kiosk is not set up yet',
    body: 'No roster has been loaded, so taps cannot be recorded. Please ask a member of staff.',
  },
  error: { title: 'Could not record', body: 'Sorry, something went wrong. Please tap again.' },
  touchToClose: 'Touch the screen to go back',
  offlineTitle: 'Network not reachable',
  offlineBody: 'Taps are still recorded on this kiosk and will be sent when the connection returns.',
  outbox: (n) => `${n} waiting to be sent`,
  camera: 'QR camera',
  cameraFailed: 'Camera unavailable',
  // Names are left out: an English voice reads Japanese names badly.
  speech: (direction) => en.greeting[direction],
  staff: {
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
  pairing: {
    title: 'Connect this kiosk to the hub',
    body: 'Hold the pairing QR code shown on the hub’s admin page (or by its command) up to the camera',
    waiting: 'Waiting for the QR code',
    working: 'Connecting to the hub…',
    failed: 'Could not connect',
    error: (code) => {
      switch (code) {
        case 'pairing_code_invalid':
          return 'This QR code cannot be used (already used or expired). Show a new one on the hub.';
        case 'too_many_requests':
          return 'Too many attempts. Please wait a moment and try again.';
        default:
          return `Could not connect to the hub (${code}). Check the network and show the QR code again.`;
      }
    },
    noCamera: 'This kiosk has no camera.',
  },
};

export const MESSAGES: Readonly<Record<Locale, Messages>> = { ja, en };
