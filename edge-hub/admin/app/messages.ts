import type { ImportState } from '../../../protocol/admin.ts';
import type { EVENT_TYPES } from '../../../protocol/primitives.ts';
import { HISTORY_MESSAGES, type HistoryMessages } from './history-messages.ts';

export type Locale = 'ja' | 'en';
export type Page =
  'overview' | 'records' | 'roster' | 'settings' | 'devices' | 'audit' | 'ledger' | 'open-days' | 'months';
type EventType = (typeof EVENT_TYPES)[number];

/** Every text the admin app shows, in Japanese (the default) and English. */
export interface Messages {
  readonly intlLocale: string;
  readonly langToggle: string;
  readonly appName: string;
  readonly loading: string;
  readonly signIn: {
    readonly title: string;
    readonly staffId: string;
    readonly pin: string;
    readonly submit: string;
    readonly badCredentials: string;
    readonly tooMany: (seconds: number | null) => string;
    readonly unreachable: string;
  };
  readonly signOut: string;
  readonly signedInAs: (name: string) => string;
  readonly pages: Readonly<Record<Page, string>>;
  readonly error: (code: string) => string;
  readonly sessionEnded: string;
  readonly overview: {
    readonly chartTitle: (date: string) => string;
    readonly arrivals: string;
    readonly present: string;
    readonly expected: (n: number) => string;
    readonly date: string;
  };
  /** The cloud relay box and banner on the overview. */
  readonly relay: {
    readonly title: string;
    readonly notConfigured: string;
    readonly waiting: string;
    readonly count: (n: number) => string;
    readonly oldest: string;
    readonly oldestAge: (age: string, at: string) => string;
    readonly errorAt: (reason: string, at: string) => string;
    readonly lastSuccess: string;
    readonly lastError: string;
    readonly sinceStart: string;
    readonly none: string;
    readonly rejected: string;
    readonly seeRecords: string;
    readonly stalled: (age: string) => string;
  };
  /** How long ago, from seconds. */
  readonly age: (seconds: number) => string;
  /** The record checks page: events the cloud refused, events stamped while a kiosk's clock was in doubt. */
  readonly records: {
    readonly rejectedTitle: string;
    readonly rejectedHelp: string;
    readonly clockDoubtTitle: string;
    readonly clockDoubtHelp: string;
    readonly shown: (shown: number, total: number) => string;
    readonly none: string;
    readonly occurredAt: string;
    readonly child: string;
    /** A child's name and id; the id alone when the child is no longer on the roster. */
    readonly childOf: (id: string, name: string | null) => string;
    readonly type: string;
    readonly device: string;
    readonly reason: string;
    readonly rejectedAt: string;
    readonly receivedAt: string;
    readonly doubt: string;
    readonly types: Readonly<Record<EventType, string>>;
    /** A plain-language explanation of a code the cloud refused an event with. */
    readonly code: (code: string, message: string) => string;
    readonly doubts: Readonly<Record<'unsynced' | 'held_back', { name: string; explanation: string }>>;
  };
  readonly roster: {
    readonly importTitle: string;
    readonly importHelp: string;
    readonly file: string;
    readonly dryRun: string;
    readonly import: string;
    readonly state: Readonly<Record<ImportState, string>>;
    readonly progress: (processed: number, total: number) => string;
    readonly problemsTitle: (n: number) => string;
    readonly line: string;
    readonly reason: string;
    readonly nothingImported: string;
    readonly previewTitle: string;
    readonly classes: string;
    readonly children: string;
    readonly guardians: string;
    readonly cards: string;
    readonly added: string;
    readonly removed: string;
    readonly effective: string;
    readonly effectiveHelp: string;
    /** The preview's heading: what the roster from that day on holds. */
    readonly previewFrom: (date: string) => string;
    readonly moved: string;
    readonly renamed: string;
    readonly careTypeChanged: string;
    readonly noChildChanges: string;
    readonly change: (from: string, to: string) => string;
    /** A child and what changes for them. */
    readonly childChange: (name: string, change: string) => string;
    /** A child and their class in the list of children added. */
    readonly inClass: (name: string, className: string) => string;
    readonly more: (n: number) => string;
    /** After an import that takes effect on a later day. */
    readonly scheduled: (date: string) => string;
    readonly done: (children: number, version: number) => string;
    readonly readyToImport: string;
    readonly currentTitle: string;
    readonly name: string;
    readonly kana: string;
    readonly className: string;
    readonly careType: Readonly<Record<'standard' | 'short', string>>;
    readonly careTypeLabel: string;
    readonly childCount: string;
    readonly guardianChildren: string;
    readonly cardCount: string;
    readonly qrCard: string;
    readonly issueQr: string;
    /** Guardian kiosk PIN column (the "no card" family chooser at the kiosk). */
    readonly guardianPin: {
      readonly column: string;
      readonly set: string;
      readonly unset: string;
      readonly input: string;
      readonly save: string;
      readonly clear: string;
      readonly badFormat: string;
    };
    readonly qrCardAlt: string;
    readonly qrCardNote: (until: string) => string;
    readonly download: string;
    /** Revoking every QR code issued to a guardian (a lost or copied code). */
    readonly revokeQr: string;
    readonly confirmRevokeQr: (guardian: string) => string;
    readonly qrRevoked: string;
    /** A guardian's cards (keyed hashes only) and removing a lost one. */
    readonly guardianCards: {
      readonly show: string;
      readonly hide: string;
      readonly none: string;
      readonly source: Readonly<Record<'roster_file' | 'enrolled', string>>;
      readonly remove: string;
      readonly confirmRemove: (guardian: string) => string;
    };
  };
  readonly settings: {
    readonly title: string;
    /** The facility's display name (headers, ledgers). */
    readonly facilityName: string;
    readonly facilityNameHelp: string;
    readonly closingTime: string;
    readonly defaultCutoff: string;
    readonly standardBand: string;
    readonly shortBand: string;
    readonly start: string;
    readonly end: string;
    readonly graceMinutes: string;
    readonly roundingMinutes: string;
    readonly rounding: string;
    readonly roundings: Readonly<Record<'up' | 'down' | 'nearest', string>>;
    readonly classCutoff: string;
    readonly ratio: string;
    readonly undoWindowMinutes: string;
    readonly undoWindowHelp: string;
    /** The kiosks' reversal guard (a second tap soon after asks instead of reversing). */
    readonly reversalGuardMinutes: string;
    readonly reversalGuardHelp: string;
    /** The client's own refusal of a value outside 1–120 whole minutes. */
    readonly reversalGuardInvalid: string;
    readonly save: string;
    readonly saved: string;
    readonly timeZone: (tz: string) => string;
  };
  readonly devices: {
    readonly title: string;
    readonly id: string;
    readonly role: string;
    readonly roles: Readonly<Record<'kiosk' | 'tablet', string>>;
    readonly online: string;
    readonly offline: string;
    readonly lastSeen: string;
    readonly outbox: string;
    readonly version: string;
    readonly readers: string;
    readonly detached: string;
    readonly never: string;
    readonly addTitle: string;
    readonly add: string;
    readonly scan: (role: 'kiosk' | 'tablet', expires: string) => string;
    /** Removing a lost or retired device. */
    readonly remove: string;
    readonly confirmRemove: (id: string) => string;
  };
  readonly audit: {
    readonly title: string;
    readonly at: string;
    readonly actor: string;
    readonly action: string;
    readonly subject: string;
    readonly outcome: string;
    readonly change: string;
    readonly more: string;
  };
  readonly ledger: {
    readonly title: string;
    readonly daily: string;
    readonly monthly: string;
    readonly date: string;
    readonly month: string;
    readonly cls: string;
    readonly allClasses: string;
    readonly formats: Readonly<Record<'csv' | 'csv-sjis' | 'xlsx' | 'pdf', string>>;
  };
  /** Open days, past-day corrections and month close (history-messages.ts). */
  readonly history: HistoryMessages;
}

const ja: Messages = {
  intlLocale: 'ja-JP',
  langToggle: 'English',
  appName: 'Genkan 管理',
  loading: '読み込み中…',
  signIn: {
    title: '園長・管理者 ログイン',
    staffId: '職員ID',
    pin: '暗証番号',
    submit: 'ログイン',
    badCredentials: '職員IDまたは暗証番号が違います（管理者のみログインできます）',
    tooMany: (s) =>
      `失敗が続いたため一時的にロックしています。${s === null ? 'しばらく' : `${String(s)}秒`}待ってください`,
    unreachable: 'ハブに接続できません',
  },
  signOut: 'ログアウト',
  signedInAs: (name) => `${name} さん`,
  pages: {
    overview: '概要',
    records: '記録の点検',
    roster: '名簿',
    settings: '設定',
    devices: '端末',
    audit: '操作記録',
    ledger: '帳票',
    'open-days': '未退園・未登園',
    months: '月の確定',
  },
  error: (code) => `エラーが発生しました（${code}）`,
  sessionEnded: 'ログインの有効期限が切れました。もう一度ログインしてください',
  overview: {
    chartTitle: (date) => `${date} の登園状況`,
    arrivals: '15分ごとの登園数',
    present: '在園児数',
    expected: (n) => `在籍 ${String(n)} 名`,
    date: '日付',
  },
  relay: {
    title: 'クラウドへの送信',
    notConfigured:
      'クラウドへの送信は設定されていません。記録はこのハブにだけ保存されています（--cloud で設定します）。',
    waiting: '送信待ち',
    count: (n) => `${String(n)} 件`,
    oldest: '最も古い送信待ち',
    oldestAge: (age, at) => `${age}前にハブが受信（${at}）`,
    errorAt: (reason, at) => `${reason}（${at}）`,
    lastSuccess: '最後に送信できた時刻',
    lastError: '最後のエラー',
    sinceStart: 'ハブの起動後はまだありません',
    none: 'なし',
    rejected: 'クラウドが受け付けなかった記録',
    seeRecords: '「記録の点検」で見る',
    stalled: (age) =>
      `クラウドへの送信が止まっています。最も古い記録が ${age}前から送信待ちのままです。ハブのインターネット接続とクラウドの設定を確認してください（記録はハブに保存されており、失われません。つながれば自動で送信します）。`,
  },
  age: (s) => {
    if (s < 60) return `${String(s)}秒`;
    const min = Math.floor(s / 60);
    if (min < 60) return `${String(min)}分`;
    const h = Math.floor(min / 60);
    if (h < 48) return `${String(h)}時間${min % 60 === 0 ? '' : `${String(min % 60)}分`}`;
    return `${String(Math.floor(h / 24))}日`;
  },
  records: {
    rejectedTitle: 'クラウドが受け付けなかった記録',
    rejectedHelp:
      'これらの記録はハブに残っており、ハブで作る帳票にも含まれます。クラウドへ自動で送り直すことはありません。クラウド側の帳票には含まれないので、必要ならクラウドの管理者に連絡してください。',
    clockDoubtTitle: '端末の時計が不確かなときの記録',
    clockDoubtHelp:
      '玄関端末が、自分の時計が正しいか確かめられないときに記録したものです。記録自体は有効ですが、時刻がずれている可能性があります。帳票の時刻が実際と違えば、タブレットで訂正してください。',
    shown: (n, total) =>
      n < total ? `新しい順に ${String(n)} 件を表示（全 ${String(total)} 件）` : `全 ${String(total)} 件`,
    none: 'ありません',
    occurredAt: '記録の時刻',
    child: '園児',
    childOf: (id, name) => (name === null ? `${id}（名簿にありません）` : `${name}（${id}）`),
    type: '種類',
    device: '端末',
    reason: '理由',
    rejectedAt: '拒否された日時',
    receivedAt: 'ハブの受信日時',
    doubt: '状況',
    types: { check_in: '登園', check_out: '降園', absent: '欠席', void: '取消' },
    code: (code, message) => {
      switch (code) {
        case 'invalid_event':
          return '記録の形式がクラウドの求める形と合いませんでした。ハブとクラウドのバージョンが合っているか確認してください。';
        case 'bad_text':
          return 'メモなどの文字に、使えない文字（制御文字など）が含まれていたか、長すぎました。';
        case 'implausible_time':
          return '記録の時刻があり得ない値でした（5分以上先の時刻、400日以上前の時刻など）。玄関端末の時計を確認してください。';
        case 'store_error':
          return 'クラウドがこの1件だけ保存できませんでした（同じ送信のほかの記録は保存されています）。';
        default:
          return `クラウドが受け付けませんでした（${message}）。`;
      }
    },
    doubts: {
      unsynced: {
        name: '時計未確認',
        explanation:
          '端末が起動してから、まだハブの時計を受け取る前の記録です。端末の時計がずれていれば、時刻もずれています。',
      },
      held_back: {
        name: '時計の巻き戻り',
        explanation:
          '端末の時計が、すでに記録した時刻より前に戻っていたため、その時刻に合わせて記録しました。実際より早い時刻になっている可能性があります。',
      },
    },
  },
  roster: {
    importTitle: '名簿の取り込み（CSV）',
    importHelp:
      'CSVファイルを選び、まず「確認」で内容を点検してから取り込みます。問題が1つでもあれば何も取り込みません。',
    file: 'CSVファイル',
    dryRun: '確認する',
    import: '取り込む',
    state: { validating: '点検中', importing: '取り込み中', done: '完了', failed: '問題あり' },
    progress: (p, t) => `${String(p)} / ${String(t)} 行`,
    problemsTitle: (n) => `${String(n)} 件の問題があります`,
    line: '行',
    reason: '内容',
    nothingImported: '何も取り込んでいません。ファイルを直してもう一度選んでください。',
    previewTitle: '取り込み内容',
    classes: 'クラス',
    children: '園児',
    guardians: '保護者',
    cards: 'カード',
    added: '追加される園児',
    removed: '外れる園児',
    effective: '適用開始日',
    effectiveHelp: 'この日から新しい名簿になります。それより前の日の記録と台帳は変わりません。',
    previewFrom: (date) => `${date} からの名簿`,
    moved: 'クラスが変わる園児',
    renamed: '名前が変わる園児',
    careTypeChanged: '保育時間が変わる園児',
    noChildChanges: '園児の変更はありません。',
    change: (from, to) => `${from} → ${to}`,
    childChange: (name, change) => `${name}：${change}`,
    inClass: (name, className) => `${name}（${className}）`,
    more: (n) => `ほか ${String(n)} 名`,
    scheduled: (date) => `${date} に新しい名簿へ切り替わります。それまでは今の名簿のままです。`,
    done: (n, v) => `取り込みました：園児 ${String(n)} 名（名簿 版${String(v)}）`,
    readyToImport: '問題はありません。「取り込む」で名簿を置き換えます。',
    currentTitle: '現在の名簿',
    name: '氏名',
    kana: 'ふりがな',
    className: 'クラス',
    careType: { standard: '標準', short: '短時間' },
    careTypeLabel: '保育時間',
    childCount: '園児数',
    guardianChildren: '園児',
    cardCount: 'カード枚数',
    qrCard: 'QRカード',
    issueQr: '発行',
    guardianPin: {
      column: 'キオスクPIN',
      set: '設定済み',
      unset: '未設定',
      input: '新しいPIN（4〜8桁）',
      save: '設定',
      clear: '削除',
      badFormat: 'PINは4〜8桁の数字です',
    },
    qrCardAlt: '保護者のQRカード',
    qrCardNote: (until) =>
      `有効期限 ${until}。印刷して保護者に渡してください（カードの代わりに玄関で使えます）。`,
    download: 'SVGで保存',
    revokeQr: '無効にする',
    confirmRevokeQr: (guardian) =>
      `${guardian} さんにこれまで発行したQRコードをすべて無効にします。よろしいですか？（新しいQRコードは発行できます）`,
    qrRevoked: '無効にしました',
    guardianCards: {
      show: '表示',
      hide: '閉じる',
      none: 'カードはありません',
      source: { roster_file: '名簿ファイル', enrolled: '玄関で登録' },
      remove: '削除',
      confirmRemove: (guardian) =>
        `${guardian} さんのこのカードを削除します。玄関端末では使えなくなります。よろしいですか？`,
    },
  },
  settings: {
    title: '施設の設定',
    facilityName: '施設名',
    facilityNameHelp:
      '玄関端末・職員タブレット・この画面の見出しと帳票に表示されます。帳票には今日から反映されます。',
    closingTime: '閉園時刻',
    defaultCutoff: '未登園確認の時刻',
    standardBand: '保育標準時間',
    shortBand: '保育短時間',
    start: '開始',
    end: '終了',
    graceMinutes: '延長保育の猶予（分）',
    roundingMinutes: '延長保育の単位（分）',
    rounding: '端数の扱い',
    roundings: { up: '切り上げ', down: '切り捨て', nearest: '四捨五入' },
    classCutoff: '確認時刻',
    ratio: '職員1人あたりの園児数',
    undoWindowMinutes: '端末での取消期限（分）',
    undoWindowHelp: '玄関端末で保護者が記録を取り消せるのは、記録からこの分数のあいだだけです（1〜60分）。',
    reversalGuardMinutes: '取り消し防止の時間（分）',
    reversalGuardHelp:
      '登園・降園の記録からこの分数のあいだに同じ園児がもう一度タッチされると、逆の記録にせず保護者に確認します（1〜120分）。',
    reversalGuardInvalid: '1〜120の整数で入力してください',
    save: '保存',
    saved: '保存しました',
    timeZone: (tz) => `タイムゾーン：${tz}`,
  },
  devices: {
    title: '端末',
    id: '端末ID',
    role: '種類',
    roles: { kiosk: '玄関端末', tablet: 'タブレット' },
    online: '接続中',
    offline: '未接続',
    lastSeen: '最終確認',
    outbox: '未送信',
    version: 'バージョン',
    readers: '読み取り機',
    detached: '未接続',
    never: '—',
    addTitle: '端末を追加',
    add: 'QRコードを発行',
    scan: (role, expires) =>
      `${role === 'kiosk' ? '玄関端末' : 'タブレット'}でこのQRコードを読み取ってください（有効期限 ${expires}）`,
    remove: '削除',
    confirmRemove: (id) =>
      `端末 ${id} を削除します。接続は切断され、再びペアリングするまで使えません。よろしいですか？`,
  },
  audit: {
    title: '操作記録',
    at: '日時',
    actor: '操作者',
    action: '操作',
    subject: '対象',
    outcome: '結果',
    change: '変更内容',
    more: 'さらに表示',
  },
  ledger: {
    title: '帳票のダウンロード',
    daily: '日報',
    monthly: '月報',
    date: '日付',
    month: '月',
    cls: 'クラス',
    allClasses: '全クラス',
    formats: { csv: 'CSV (UTF-8)', 'csv-sjis': 'CSV (Shift_JIS・Excel用)', xlsx: 'Excel (xlsx)', pdf: 'PDF' },
  },
  history: HISTORY_MESSAGES.ja,
};

const en: Messages = {
  intlLocale: 'en-GB',
  langToggle: '日本語',
  appName: 'Genkan admin',
  loading: 'Loading…',
  signIn: {
    title: 'Director / admin sign-in',
    staffId: 'Staff ID',
    pin: 'PIN',
    submit: 'Sign in',
    badCredentials: 'Wrong staff ID or PIN (only admin accounts can sign in here)',
    tooMany: (s) =>
      `Too many failed attempts. Wait ${s === null ? 'a while' : `${String(s)} s`} and try again`,
    unreachable: 'Cannot reach the hub',
  },
  signOut: 'Sign out',
  signedInAs: (name) => name,
  pages: {
    overview: 'Overview',
    records: 'Record checks',
    roster: 'Roster',
    settings: 'Settings',
    devices: 'Devices',
    audit: 'Audit log',
    ledger: 'Ledgers',
    'open-days': 'Open days',
    months: 'Close a month',
  },
  error: (code) => `Something went wrong (${code})`,
  sessionEnded: 'Your session has ended. Please sign in again',
  overview: {
    chartTitle: (date) => `Attendance on ${date}`,
    arrivals: 'Arrivals per 15 minutes',
    present: 'Children present',
    expected: (n) => `${String(n)} enrolled`,
    date: 'Date',
  },
  relay: {
    title: 'Sending to the cloud',
    notConfigured:
      'Sending to the cloud is not set up: the records are kept on this hub only (set it with --cloud).',
    waiting: 'Waiting to be sent',
    count: (n) => String(n),
    oldest: 'Oldest waiting',
    oldestAge: (age, at) => `received by the hub ${age} ago (${at})`,
    errorAt: (reason, at) => `${reason} (${at})`,
    lastSuccess: 'Last sent',
    lastError: 'Last error',
    sinceStart: 'not since the hub started',
    none: 'none',
    rejected: 'Records the cloud refused',
    seeRecords: 'see Record checks',
    stalled: (age) =>
      `Sending to the cloud has stopped: the oldest record has been waiting for ${age}. Check the hub's internet connection and the cloud settings (the records are safe on the hub and are sent automatically once it gets through).`,
  },
  age: (s) => {
    if (s < 60) return `${String(s)} s`;
    const min = Math.floor(s / 60);
    if (min < 60) return `${String(min)} min`;
    const h = Math.floor(min / 60);
    if (h < 48) return `${String(h)} h${min % 60 === 0 ? '' : ` ${String(min % 60)} min`}`;
    return `${String(Math.floor(h / 24))} days`;
  },
  records: {
    rejectedTitle: 'Records the cloud refused',
    rejectedHelp:
      "These records stay on the hub and are in the hub's ledgers. The hub does not send them again. The cloud's ledgers do not have them: tell the cloud's administrator if needed.",
    clockDoubtTitle: "Records made while a kiosk's clock was in doubt",
    clockDoubtHelp:
      'The kiosk could not be sure its clock was right when it made these. They count, but their times may be off; correct them on a tablet if the ledger shows a wrong time.',
    shown: (n, total) => (n < total ? `newest ${String(n)} of ${String(total)}` : `${String(total)} in all`),
    none: 'None',
    occurredAt: 'Recorded time',
    child: 'Child',
    childOf: (id, name) => (name === null ? `${id} (not on the roster)` : `${name} (${id})`),
    type: 'Kind',
    device: 'Device',
    reason: 'Reason',
    rejectedAt: 'Refused at',
    receivedAt: 'Received by the hub',
    doubt: 'What happened',
    types: { check_in: 'Check-in', check_out: 'Check-out', absent: 'Absent', void: 'Cancellation' },
    code: (code, message) => {
      switch (code) {
        case 'invalid_event':
          return "The record's format is not what the cloud expects. Check that the hub and the cloud run matching versions.";
        case 'bad_text':
          return 'A note or other text held characters that are not allowed (control characters), or was too long.';
        case 'implausible_time':
          return "The record's time was impossible (over 5 minutes ahead, over 400 days ago…). Check the kiosk's clock.";
        case 'store_error':
          return 'The cloud could not store this one record (the rest of the same batch was stored).';
        default:
          return `The cloud refused it (${message}).`;
      }
    },
    doubts: {
      unsynced: {
        name: 'Clock not yet checked',
        explanation:
          "Made after the kiosk started but before it had the hub's time: if the kiosk's clock was wrong, so is this time.",
      },
      held_back: {
        name: 'Clock went back',
        explanation:
          "The kiosk's clock read earlier than a time it had already used, so the record was stamped with that time: the real time may be later.",
      },
    },
  },
  roster: {
    importTitle: 'Import the roster (CSV)',
    importHelp: 'Choose a CSV file and check it first. If it has any problem, nothing is imported.',
    file: 'CSV file',
    dryRun: 'Check',
    import: 'Import',
    state: { validating: 'Checking', importing: 'Importing', done: 'Done', failed: 'Problems found' },
    progress: (p, t) => `${String(p)} / ${String(t)} rows`,
    problemsTitle: (n) => `${String(n)} problem(s)`,
    line: 'Line',
    reason: 'Problem',
    nothingImported: 'Nothing was imported. Fix the file and choose it again.',
    previewTitle: 'What the file contains',
    classes: 'Classes',
    children: 'Children',
    guardians: 'Guardians',
    cards: 'Cards',
    added: 'Children added',
    removed: 'Children removed',
    effective: 'Takes effect from',
    effectiveHelp:
      'The roster changes from this day on; the records and ledgers of the days before stay as they are.',
    previewFrom: (date) => `Roster from ${date}`,
    moved: 'Children changing class',
    renamed: 'Children renamed',
    careTypeChanged: 'Children changing care hours',
    noChildChanges: 'No changes to the children.',
    change: (from, to) => `${from} → ${to}`,
    childChange: (name, change) => `${name}: ${change}`,
    inClass: (name, className) => `${name} (${className})`,
    more: (n) => `and ${String(n)} more`,
    scheduled: (date) => `The new roster takes over on ${date}; the current one stays until then.`,
    done: (n, v) => `Imported: ${String(n)} children (roster version ${String(v)})`,
    readyToImport: 'No problems. "Import" replaces the roster.',
    currentTitle: 'Current roster',
    name: 'Name',
    kana: 'Kana',
    className: 'Class',
    careType: { standard: 'Standard', short: 'Short' },
    careTypeLabel: 'Care hours',
    childCount: 'Children',
    guardianChildren: 'Children',
    cardCount: 'Cards',
    qrCard: 'QR card',
    issueQr: 'Issue',
    guardianPin: {
      column: 'Kiosk PIN',
      set: 'Set',
      unset: 'Not set',
      input: 'New PIN (4–8 digits)',
      save: 'Set',
      clear: 'Remove',
      badFormat: 'A PIN is 4 to 8 digits',
    },
    qrCardAlt: 'Guardian QR card',
    qrCardNote: (until) =>
      `Valid until ${until}. Print it for the guardian (it works at the entrance like a card).`,
    download: 'Save as SVG',
    revokeQr: 'Revoke',
    confirmRevokeQr: (guardian) =>
      `Revoke every QR code issued to ${guardian} so far? (A new one can be issued.)`,
    qrRevoked: 'Revoked',
    guardianCards: {
      show: 'Show',
      hide: 'Close',
      none: 'No cards',
      source: { roster_file: 'Roster file', enrolled: 'Enrolled at a kiosk' },
      remove: 'Remove',
      confirmRemove: (guardian) => `Remove this card of ${guardian}? Kiosks will refuse it.`,
    },
  },
  settings: {
    title: 'Facility settings',
    facilityName: 'Facility name',
    facilityNameHelp:
      'Shown in the headers of the kiosks, the staff tablets and this app, and on the ledgers (from today on).',
    closingTime: 'Closing time',
    defaultCutoff: 'Not-arrived check time',
    standardBand: 'Standard care hours',
    shortBand: 'Short care hours',
    start: 'Start',
    end: 'End',
    graceMinutes: 'Extended care grace (min)',
    roundingMinutes: 'Extended care unit (min)',
    rounding: 'Rounding',
    roundings: { up: 'Up', down: 'Down', nearest: 'Nearest' },
    classCutoff: 'Check time',
    ratio: 'Children per staff',
    undoWindowMinutes: 'Kiosk undo window (min)',
    undoWindowHelp: 'A parent can undo a record at the kiosk only this many minutes after it (1–60).',
    reversalGuardMinutes: 'Reversal guard (min)',
    reversalGuardHelp:
      'A second tap within this many minutes of a check-in or check-out asks the parent instead of reversing it (1–120).',
    reversalGuardInvalid: 'Enter a whole number from 1 to 120',
    save: 'Save',
    saved: 'Saved',
    timeZone: (tz) => `Time zone: ${tz}`,
  },
  devices: {
    title: 'Devices',
    id: 'Device ID',
    role: 'Kind',
    roles: { kiosk: 'Kiosk', tablet: 'Tablet' },
    online: 'Online',
    offline: 'Offline',
    lastSeen: 'Last seen',
    outbox: 'Unsent',
    version: 'Version',
    readers: 'Readers',
    detached: 'detached',
    never: '—',
    addTitle: 'Add a device',
    add: 'Issue QR code',
    scan: (role, expires) => `Scan this QR code with the ${role} (valid until ${expires})`,
    remove: 'Remove',
    confirmRemove: (id) =>
      `Remove device ${id}? It is disconnected and cannot be used until it is paired again.`,
  },
  audit: {
    title: 'Audit log',
    at: 'When',
    actor: 'Who',
    action: 'Action',
    subject: 'Subject',
    outcome: 'Outcome',
    change: 'Change',
    more: 'Show more',
  },
  ledger: {
    title: 'Download ledgers',
    daily: 'Daily',
    monthly: 'Monthly',
    date: 'Date',
    month: 'Month',
    cls: 'Class',
    allClasses: 'All classes',
    formats: {
      csv: 'CSV (UTF-8)',
      'csv-sjis': 'CSV (Shift_JIS, for Excel)',
      xlsx: 'Excel (xlsx)',
      pdf: 'PDF',
    },
  },
  history: HISTORY_MESSAGES.en,
};

export const MESSAGES: Readonly<Record<Locale, Messages>> = { ja, en };
