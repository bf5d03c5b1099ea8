/**
 * The audit log page's texts: one sentence per action (who did what to whom), the labels of the fields
 * of before → after, and how actors and subjects without a name read. messages.ts carries them as `audit`.
 * An action without a sentence here is shown as its code (audit-logic.ts).
 */
export interface AuditMessages {
  readonly title: string;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly outcome: string;
  readonly change: string;
  readonly more: string;
  readonly ok: string;
  readonly refused: (code: string) => string;
  /** Actors that are not a named staff member. */
  readonly actors: {
    readonly cli: string;
    readonly api: string;
    readonly device: (id: string) => string;
    readonly unknown: string;
  };
  /** Subjects by their kind (`kind:id`); `name` is the name the hub knows, or the id. */
  readonly subjects: {
    readonly device: (id: string) => string;
    readonly month: (month: string) => string;
    readonly facility: string;
    readonly roster: string;
  };
  /** `{actor}` did the action to `{subject}`. */
  readonly actions: Readonly<Record<string, (actor: string, subject: string) => string>>;
  /** Labels of the fields in before → after. */
  readonly fields: Readonly<Record<string, string>>;
  readonly yes: string;
  readonly no: string;
  readonly empty: string;
}

const ja: AuditMessages = {
  title: '操作記録',
  at: '日時',
  actor: '操作者',
  action: '操作',
  subject: '対象',
  outcome: '結果',
  change: '変更内容',
  more: 'さらに表示',
  ok: '成功',
  refused: (code) => `拒否（${code}）`,
  actors: {
    cli: 'ハブの管理コマンド',
    api: '外部連携（API）',
    device: (id) => `端末 ${id}`,
    unknown: '不明',
  },
  subjects: {
    device: (id) => `端末 ${id}`,
    month: (month) => `${month.slice(0, 4)}年${String(Number(month.slice(5, 7)))}月`,
    facility: '施設の設定',
    roster: '名簿',
  },
  actions: {
    'admin.sign_in': (a) => `${a}が管理画面にログイン`,
    'admin.sign_out': (a) => `${a}が管理画面からログアウト`,
    'admin.guardian_qr': (a, s) => `${a}が${s}さんのQRカードを発行`,
    'admin.qr_sheet': (a, s) => `${a}がQRカードの一覧で${s}さんのカードを発行`,
    'qr.sheet': (a, s) => `${a}がQRカードの一覧で${s}さんのカードを発行`,
    'qr.revoke': (a, s) => `${a}が${s}さんのQRコードを無効化`,
    'admin.device_pairing': (a, s) => `${a}が${s}のペアリング用QRコードを発行`,
    'device.pairing_code_issued': (a, s) => `${a}が${s}のペアリングコードを発行`,
    'device.pair': (_a, s) => `${s}がペアリングを完了`,
    'device.remove': (a, s) => `${a}が${s}を削除`,
    'tablet.set_up': (_a, s) => `${s}をタブレットとして設定`,
    'session.sign_in': (a) => `${a}がタブレットにログイン`,
    'session.sign_out': (a) => `${a}がタブレットからログアウト`,
    'tablet.check_in': (a, s) => `${a}が${s}の登園を記録`,
    'tablet.check_out': (a, s) => `${a}が${s}の降園を記録`,
    'tablet.absent': (a, s) => `${a}が${s}の欠席を記録`,
    'tablet.void': (a, s) => `${a}が${s}の記録を取り消し`,
    'tablet.staff_on_duty': (a, s) => `${a}が${s}の職員数を入力`,
    'ledger.correct': (a, s) => `${a}が${s}の過去の記録を修正`,
    'month.close': (a, s) => `${a}が${s}を確定`,
    'credential.enroll': (a, s) => `${a}が${s}さんのカードを登録`,
    'credential.enrollment_removed': (a, s) => `${a}が${s}さんの登録カードを解除`,
    'card.remove': (a, s) => `${a}が${s}さんのカードを削除`,
    'guardian.pin_set': (a, s) => `${a}が${s}さんの暗証番号を設定`,
    'guardian.pin_cleared': (a, s) => `${a}が${s}さんの暗証番号を削除`,
    'parent.invite': (a, s) => `${a}が${s}さんを保護者アプリに招待`,
    'parent.revoke': (a, s) => `${a}が${s}さんの保護者アプリの利用を停止`,
    'parent.revoke_adopted': (_a, s) =>
      `${s}さんの保護者アプリの利用停止をクラウドから反映（復元したバックアップより後の停止）`,
    'facility_notice.publish': (a) => `${a}が園からのお知らせを送信`,
    'facility_notice.withdraw': (a) => `${a}が園からのお知らせを取り下げ`,
    'parent.facility_notice_read': (_a, s) => `${s}さんが園からのお知らせを確認`,
    'roster.import': (a) => `${a}が名簿を取り込み`,
    'settings.update': (a) => `${a}が設定を変更`,
    'retention.dispose': (a) => `${a}が保存期間を過ぎた記録を削除`,
    'staff.add': (a, s) => `${a}が職員 ${s} を追加`,
    'staff.update': (a, s) => `${a}が職員 ${s} を変更`,
    'staff.enable': (a, s) => `${a}が職員 ${s} を有効化`,
    'staff.disable': (a, s) => `${a}が職員 ${s} を無効化`,
  },
  fields: {
    expiresAt: '有効期限',
    role: '種類',
    qrGeneration: 'QRコードの世代',
    date: '日付',
    count: '人数',
    disabled: '無効',
    sessionsEnded: '終了したログイン',
    name: '氏名',
    pinChanged: '暗証番号の変更',
    credentialHash: 'カード',
    from: '登録元',
    reason: '理由',
    replaced: '置き換え',
    eventId: '記録',
    voids: '取り消した記録',
    month: '月',
    closedAt: '確定日時',
    via: '経路',
    correctionId: '修正番号',
    events: '記録',
    amendment: '確定後の修正',
    created: '新規',
    checkIn: '登園',
    checkOut: '降園',
    absent: '欠席',
    children: '園児数',
    classes: 'クラス数',
    guardians: '保護者数',
    credentials: 'カード数',
    version: '名簿の版',
    effectiveFrom: '適用開始日',
    snapshotVersions: '名簿の版（履歴）',
    childrenAdded: '追加された園児',
    childrenRemoved: '外れた園児',
    problems: '問題の数',
    facilityName: '施設名',
    closingTime: '閉園時刻',
    defaultCutoff: '所在確認の時刻',
    undoWindowMinutes: '端末での取消期限（分）',
    reversalGuardMinutes: '取り消し防止の時間（分）',
    cutoff: '基準日',
    retentionYears: '保存年数',
    counts: '削除した件数',
    at: '日時',
  },
  yes: 'はい',
  no: 'いいえ',
  empty: '—',
};

const en: AuditMessages = {
  title: 'Audit log',
  at: 'When',
  actor: 'Who',
  action: 'Action',
  subject: 'Subject',
  outcome: 'Outcome',
  change: 'Change',
  more: 'Show more',
  ok: 'Done',
  refused: (code) => `Refused (${code})`,
  actors: {
    cli: "The hub's command line",
    api: 'An integration (API)',
    device: (id) => `Device ${id}`,
    unknown: 'Unknown',
  },
  subjects: {
    device: (id) => `device ${id}`,
    month: (month) => month,
    facility: 'the facility settings',
    roster: 'the roster',
  },
  actions: {
    'admin.sign_in': (a) => `${a} signed in to the admin app`,
    'admin.sign_out': (a) => `${a} signed out of the admin app`,
    'admin.guardian_qr': (a, s) => `${a} issued a QR card for ${s}`,
    'admin.qr_sheet': (a, s) => `${a} issued ${s}'s card on a QR card sheet`,
    'qr.sheet': (a, s) => `${a} issued ${s}'s card on a QR card sheet`,
    'qr.revoke': (a, s) => `${a} revoked ${s}'s QR codes`,
    'admin.device_pairing': (a, s) => `${a} issued a pairing QR code for ${s}`,
    'device.pairing_code_issued': (a, s) => `${a} issued a pairing code for ${s}`,
    'device.pair': (_a, s) => `${s} paired`,
    'device.remove': (a, s) => `${a} removed ${s}`,
    'tablet.set_up': (_a, s) => `${s} was set up as a tablet`,
    'session.sign_in': (a) => `${a} signed in on a tablet`,
    'session.sign_out': (a) => `${a} signed out of a tablet`,
    'tablet.check_in': (a, s) => `${a} checked ${s} in`,
    'tablet.check_out': (a, s) => `${a} checked ${s} out`,
    'tablet.absent': (a, s) => `${a} marked ${s} absent`,
    'tablet.void': (a, s) => `${a} undid a record of ${s}`,
    'tablet.staff_on_duty': (a, s) => `${a} entered the staff on duty in ${s}`,
    'ledger.correct': (a, s) => `${a} corrected a past day of ${s}`,
    'month.close': (a, s) => `${a} closed ${s}`,
    'credential.enroll': (a, s) => `${a} enrolled a card for ${s}`,
    'credential.enrollment_removed': (a, s) => `${a} removed a card enrolled for ${s}`,
    'card.remove': (a, s) => `${a} removed a card of ${s}`,
    'guardian.pin_set': (a, s) => `${a} set ${s}'s kiosk PIN`,
    'guardian.pin_cleared': (a, s) => `${a} cleared ${s}'s kiosk PIN`,
    'parent.invite': (a, s) => `${a} invited ${s} to the parent app`,
    'parent.revoke': (a, s) => `${a} ended ${s}'s access to the parent app`,
    'parent.revoke_adopted': (_a, s) =>
      `${s}'s access to the parent app ended as the cloud holds (ended after the restored backup was made)`,
    'facility_notice.publish': (a) => `${a} sent a notice to parents`,
    'facility_notice.withdraw': (a) => `${a} withdrew a notice to parents`,
    'parent.facility_notice_read': (_a, s) => `${s} read a notice from the facility`,
    'roster.import': (a) => `${a} imported the roster`,
    'settings.update': (a) => `${a} changed the settings`,
    'retention.dispose': (a) => `${a} deleted the records past their retention`,
    'staff.add': (a, s) => `${a} added staff member ${s}`,
    'staff.update': (a, s) => `${a} changed staff member ${s}`,
    'staff.enable': (a, s) => `${a} enabled staff member ${s}`,
    'staff.disable': (a, s) => `${a} disabled staff member ${s}`,
  },
  fields: {
    expiresAt: 'Valid until',
    role: 'Kind',
    qrGeneration: 'QR generation',
    date: 'Date',
    count: 'Count',
    disabled: 'Disabled',
    sessionsEnded: 'Sessions ended',
    name: 'Name',
    pinChanged: 'PIN changed',
    credentialHash: 'Card',
    from: 'From',
    reason: 'Reason',
    replaced: 'Replaced',
    eventId: 'Record',
    voids: 'Undid record',
    month: 'Month',
    closedAt: 'Closed at',
    via: 'Via',
    correctionId: 'Correction',
    events: 'Records',
    amendment: 'Amendment',
    created: 'New',
    checkIn: 'Check-in',
    checkOut: 'Check-out',
    absent: 'Absent',
    children: 'Children',
    classes: 'Classes',
    guardians: 'Guardians',
    credentials: 'Cards',
    version: 'Roster version',
    effectiveFrom: 'Effective from',
    snapshotVersions: 'Roster versions (history)',
    childrenAdded: 'Children added',
    childrenRemoved: 'Children removed',
    problems: 'Problems',
    facilityName: 'Facility name',
    closingTime: 'Closing time',
    defaultCutoff: 'Cut-off',
    undoWindowMinutes: 'Kiosk undo window (min)',
    reversalGuardMinutes: 'Reversal guard (min)',
    cutoff: 'Cut-off day',
    retentionYears: 'Retention (years)',
    counts: 'Deleted',
    at: 'At',
  },
  yes: 'yes',
  no: 'no',
  empty: '—',
};

export const AUDIT_MESSAGES: Readonly<Record<'ja' | 'en', AuditMessages>> = { ja, en };
