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
};

export const DEVICES_MESSAGES: Readonly<Record<'ja' | 'en', DevicesMessages>> = { ja, en };
