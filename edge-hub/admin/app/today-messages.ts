/** The overview's numbers of today (TodayPanel.tsx). messages.ts carries them as `today`. */
export interface TodayMessages {
  readonly title: (date: string) => string;
  readonly present: string;
  readonly left: string;
  readonly absent: string;
  readonly notArrived: string;
  /** Not arrived and past the class's cut-off. */
  readonly unaccounted: string;
  readonly enrolled: (n: number) => string;
  readonly children: (n: number) => string;
  readonly openDays: string;
  readonly openDaysHelp: string;
  readonly days: (n: number) => string;
  readonly relay: string;
  readonly upToDate: string;
  /** `age` from messages' age(). */
  readonly lag: (age: string, waiting: number) => string;
  readonly notConfigured: string;
}

const ja: TodayMessages = {
  title: (date) => `本日 ${date} の状況`,
  present: '在園',
  left: '降園済み',
  absent: '欠席',
  notArrived: '未登園',
  unaccounted: '所在不明（確認時刻を過ぎて未登園）',
  enrolled: (n) => `在籍 ${String(n)} 名`,
  children: (n) => `${String(n)}名`,
  openDays: '未退園・未登園の日',
  openDaysHelp: '今月と先月の、登園または降園の記録が欠けている日',
  days: (n) => `${String(n)}件`,
  relay: 'クラウドへの送信',
  upToDate: '遅れなし',
  lag: (age, waiting) => `${age}遅れ（${String(waiting)}件待ち）`,
  notConfigured: '未設定',
};

const en: TodayMessages = {
  title: (date) => `Today, ${date}`,
  present: 'Present',
  left: 'Gone home',
  absent: 'Absent',
  notArrived: 'Not arrived',
  unaccounted: 'Unaccounted (not arrived after the cut-off)',
  enrolled: (n) => `${String(n)} enrolled`,
  children: (n) => String(n),
  openDays: 'Open days',
  openDaysHelp: 'Days this month and last with a check-in or check-out missing',
  days: (n) => String(n),
  relay: 'Sending to the cloud',
  upToDate: 'Up to date',
  lag: (age, waiting) => `${age} behind (${String(waiting)} waiting)`,
  notConfigured: 'Not set up',
};

export const TODAY_MESSAGES: Readonly<Record<'ja' | 'en', TodayMessages>> = { ja, en };
