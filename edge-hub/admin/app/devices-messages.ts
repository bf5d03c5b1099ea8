/** The devices page's texts: the list, pairing, removing a device. messages.ts carries them as `devices`. */
export interface DevicesMessages {
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
  /** How long ago, for "last seen" (relative-time.ts). */
  readonly ago: RelativeTexts;
  /** The tablets in use: who is signed in where. */
  readonly sessions: {
    readonly title: string;
    readonly help: string;
    readonly none: string;
    readonly staff: string;
    readonly device: string;
    readonly since: string;
    readonly lastSeen: string;
    /** The device list's column: who uses a tablet now. */
    readonly inUse: string;
  };
}

/** "3分前" / "3 min ago". */
export interface RelativeTexts {
  readonly justNow: string;
  readonly minutes: (n: number) => string;
  readonly hours: (n: number) => string;
  readonly days: (n: number) => string;
}

const ja: DevicesMessages = {
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
  ago: {
    justNow: 'たった今',
    minutes: (n) => `${String(n)}分前`,
    hours: (n) => `${String(n)}時間前`,
    days: (n) => `${String(n)}日前`,
  },
  sessions: {
    title: '使用中のタブレット',
    help: 'タブレットにログインしている職員（1時間操作がないとログアウトします）',
    none: 'ログインしている職員はいません',
    staff: '職員',
    device: 'タブレット',
    since: 'ログイン',
    lastSeen: '最終操作',
    inUse: '使用中',
  },
};

const en: DevicesMessages = {
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
  ago: {
    justNow: 'just now',
    minutes: (n) => `${String(n)} min ago`,
    hours: (n) => `${String(n)} h ago`,
    days: (n) => `${String(n)} ${n === 1 ? 'day' : 'days'} ago`,
  },
  sessions: {
    title: 'Tablets in use',
    help: 'Staff signed in on a tablet (signed out after an hour without use)',
    none: 'Nobody is signed in on a tablet',
    staff: 'Staff',
    device: 'Tablet',
    since: 'Signed in',
    lastSeen: 'Last used',
    inUse: 'In use by',
  },
};

export const DEVICES_MESSAGES: Readonly<Record<'ja' | 'en', DevicesMessages>> = { ja, en };
