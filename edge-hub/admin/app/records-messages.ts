import type { EVENT_TYPES } from '../../../protocol/primitives.ts';

type EventType = (typeof EVENT_TYPES)[number];

/**
 * The texts of RecordsPage.tsx: the overview's cloud relay box and banner, and the record checks page.
 * messages.ts carries them as `relay`, `age` and `records`.
 */
export interface RecordsMessages {
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
    /** The banner while parents' messages do not arrive, since a time (HH:MM, the facility's). */
    readonly parentsStalled: (since: string) => string;
    /** The box's line while the fetch of parents' messages fails: the reason, since when. */
    readonly parentMessages: string;
    readonly parentsFailing: (reason: string, since: string) => string;
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
}

const ja: RecordsMessages = {
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
    parentsStalled: (since) =>
      `保護者からの連絡（欠席・遅刻・お迎え）を受け取れていません（${since}から）。クラウドの接続を確認してください。その間の連絡は電話で確認してください。`,
    parentMessages: '保護者からの連絡の受信',
    parentsFailing: (reason, since) => `${reason}（${since}から失敗）`,
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
};

const en: RecordsMessages = {
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
    parentsStalled: (since) =>
      `Parents' messages (absences, lateness, pickups) are not reaching the hub (since ${since}). Check the connection to the cloud. Meanwhile, check with parents by phone.`,
    parentMessages: "Receiving parents' messages",
    parentsFailing: (reason, since) => `${reason} (failing since ${since})`,
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
};

export const RECORDS_MESSAGES: Readonly<Record<'ja' | 'en', RecordsMessages>> = { ja, en };
