import type { Direction, Locale } from '../common/ui-api.ts';
import { FAMILY_MESSAGES, type FamilyMessages } from './family-messages.ts';
import { STAFF_MESSAGES, type StaffMessages } from './staff-messages.ts';
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
  /** The staff screens: PIN pad, maintenance, card enrolment (staff-messages.ts). */
  readonly staff: StaffMessages;
  readonly pairing: PairingMessages;
  /** The kiosk cannot record anything (its database cannot be opened): what a guardian and staff read. */
  readonly outOfOrder: { readonly title: string; readonly body: string; readonly staff: string };
  /** Siblings apart, held taps (reversal guard), what a change did (tap-messages.ts). */
  readonly tap: TapMessages;
  /** No card, no phone: the family chooser and guardian PIN pad (family-messages.ts). */
  readonly family: FamilyMessages;
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
  staff: STAFF_MESSAGES.ja,
  outOfOrder: {
    title: '故障中',
    body: 'この端末は現在使えません。登降園は職員にお伝えください。',
    staff:
      '職員の方へ：端末のデータベースを開けません（kiosk_store_unusable）。管理者に連絡し、端末を再設定してください。',
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
        case 'hub_not_trusted':
          return 'この宛先のハブはQRコードのハブと一致しません（証明書が違います）。ハブのアドレスを確認してください。';
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
  staff: STAFF_MESSAGES.en,
  outOfOrder: {
    title: 'Out of order',
    body: 'This kiosk cannot be used right now. Please tell a member of staff about your drop-off or pick-up.',
    staff:
      'For staff: the kiosk’s database cannot be opened (kiosk_store_unusable). Contact the administrator to set this kiosk up again.',
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
        case 'hub_not_trusted':
          return 'The hub at this address is not the one in the QR code (its certificate differs). Check the hub address.';
        default:
          return `Could not connect to the hub (${code}). Check the network and show the QR code again.`;
      }
    },
    noCamera: 'This kiosk has no camera.',
  },
};

export const MESSAGES: Readonly<Record<Locale, Messages>> = { ja, en };
