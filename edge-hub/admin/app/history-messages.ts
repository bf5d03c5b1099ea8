import type { AbsenceReason } from '../../../protocol/tablet.ts';
import type { CorrectionProblem } from './history-logic.ts';

/**
 * The texts of the open days, corrections and month close pages and of the overview's open-days box, in
 * Japanese (the default) and English. messages.ts carries them as `history`.
 */
export interface HistoryMessages {
  readonly openDays: {
    readonly title: string;
    readonly help: string;
    readonly month: string;
    readonly previous: string;
    readonly next: string;
    readonly none: string;
    readonly date: string;
    readonly child: string;
    readonly missing: string;
    readonly missingKind: Readonly<Record<'check_out' | 'check_in', string>>;
    readonly correction: string;
    readonly closedMonth: string;
  };
  readonly correction: {
    readonly title: string;
    readonly help: string;
    readonly date: string;
    readonly child: string;
    readonly choose: string;
    readonly noChildren: string;
    readonly checkIn: string;
    readonly checkOut: string;
    readonly absent: string;
    readonly notAbsent: string;
    readonly reasons: Readonly<Record<AbsenceReason, string>>;
    readonly absentNote: string;
    readonly reason: string;
    readonly reasonHint: string;
    readonly submit: string;
    readonly sending: string;
    readonly done: (date: string, child: string) => string;
    readonly amendmentNotice: string;
    readonly amendmentConfirm: string;
    readonly problem: Readonly<Record<CorrectionProblem, string>>;
    /** A refused correction, by the hub's error code. */
    readonly error: (code: string, message: string) => string;
  };
  readonly months: {
    readonly title: string;
    readonly help: string;
    readonly month: string;
    readonly state: string;
    readonly states: Readonly<Record<'open' | 'closed', string>>;
    readonly closedAt: string;
    readonly closedBy: string;
    readonly amendments: string;
    readonly none: string;
    readonly close: string;
    readonly notOver: string;
    readonly confirmTitle: (month: string) => string;
    readonly confirmText: string;
    readonly confirm: string;
    readonly cancel: string;
    readonly closed: (month: string) => string;
    readonly error: (code: string, message: string) => string;
  };
  readonly overview: {
    readonly title: string;
    readonly count: (month: string, n: number) => string;
    readonly link: string;
  };
}

const ja: HistoryMessages = {
  openDays: {
    title: '未退園・未登園の記録',
    help: '登園の記録があって降園の記録がない日（またはその逆）です。保護者や職員に確認して正しい時刻を入力し、理由を書いて「修正する」を押してください。修正すると一覧から消えます。',
    month: '月',
    previous: '← 前の月',
    next: '次の月 →',
    none: 'この月にはありません',
    date: '日付',
    child: '園児',
    missing: '足りない記録',
    missingKind: { check_out: '降園の記録がありません', check_in: '登園の記録がありません' },
    correction: '修正',
    closedMonth: 'この月は確定済みです。修正は「確定後の修正」として、この月の帳票の最後に記載されます。',
  },
  correction: {
    title: '過去の記録の修正',
    help: '過去の日の登園・降園の時刻や欠席を直します（今日の記録はタブレットで直せます）。日付と園児を選んでください。',
    date: '日付',
    child: '園児',
    choose: '選んでください',
    noChildren: 'この日に在籍していた園児はいません',
    checkIn: '登園',
    checkOut: '降園',
    absent: '欠席',
    notAbsent: '欠席ではない',
    reasons: { sick: '体調不良', family: '家庭の都合', other: 'その他' },
    absentNote: '欠席のメモ（任意）',
    reason: '修正の理由（必須）',
    reasonHint: '例：降園時の打刻忘れ。保護者に確認して入力',
    submit: '修正する',
    sending: '送信中…',
    done: (date, child) => `${date} の ${child} の記録を修正しました`,
    amendmentNotice:
      'この日の月は確定済みです。修正すると「確定後の修正」として、修正前と修正後・修正した人・理由がその月の帳票の最後に記載されます。',
    amendmentConfirm: '確定後の修正として記録する',
    problem: {
      need_reason: '修正の理由を入力してください',
      need_amendment: '確定済みの月の修正です。「確定後の修正として記録する」にチェックを入れてください',
      bad_time: '時刻は HH:MM で入力してください',
    },
    error: (code, message) => {
      switch (code) {
        case 'month_closed':
          return 'この日の月は確定済みです。「確定後の修正として記録する」にチェックを入れてから、もう一度「修正する」を押してください。';
        case 'future_date':
          return '今日より先の日は修正できません。';
        case 'check_out_before_check_in':
          return '降園の時刻は登園の時刻より後にしてください（降園だけを入力することはできません）。';
        case 'absent_and_present':
          return '欠席の日に登園・降園の時刻は入力できません。どちらかにしてください。';
        case 'no_change':
          return '記録されている内容と同じです。変更がありません。';
        case 'unknown_child':
          return 'この園児はこの日の名簿にありません。';
        case 'unknown_staff':
          return '修正した人（ログイン中の職員）がハブの職員に見つかりません。ログインし直してください。';
        case 'bad_date':
          return '日付が正しくありません。';
        case 'bad_request':
          return `入力内容を確認してください（${message}）。`;
        default:
          return `修正できませんでした（${code}）。`;
      }
    },
  },
  months: {
    title: '月の確定',
    help: '月が終わって記録の確認と修正が済んだら、その月を確定します。確定した月の帳票は変わらなくなり、その後の修正は「確定後の修正」として帳票の最後に記載されます。',
    month: '月',
    state: '状態',
    states: { open: '未確定', closed: '確定済み' },
    closedAt: '確定日時',
    closedBy: '確定した人',
    amendments: '確定後の修正',
    none: '記録のある月はまだありません',
    close: '確定する',
    notOver: '月の終了後に確定できます',
    confirmTitle: (month) => `${month} を確定しますか？`,
    confirmText:
      '確定は取り消せません。確定後はこの月の日付の端末からの記録は受け付けず、修正はすべて「確定後の修正」として帳票の最後に記載されます。未退園・未登園の記録が残っていないか先に確認してください。',
    confirm: '確定する（取り消せません）',
    cancel: 'やめる',
    closed: (month) => `${month} を確定しました`,
    error: (code, message) => {
      switch (code) {
        case 'month_not_over':
          return 'この月はまだ終わっていないか、確定する記録がありません。';
        case 'month_already_closed':
          return 'この月はすでに確定済みです。';
        case 'unknown_staff':
          return 'ログイン中の職員がハブの職員に見つかりません。ログインし直してください。';
        default:
          return `確定できませんでした（${code}: ${message}）。`;
      }
    },
  },
  overview: {
    title: '未退園・未登園の記録',
    count: (month, n) => `${month}：${String(n)} 件`,
    link: '確認して修正する',
  },
};

const en: HistoryMessages = {
  openDays: {
    title: 'Open days (missing check-out or check-in)',
    help: 'Days with a check-in and no check-out (or the reverse). Ask the guardian or staff, enter the right time, say why and press "Correct". A corrected day leaves the list.',
    month: 'Month',
    previous: '← Previous month',
    next: 'Next month →',
    none: 'None this month',
    date: 'Date',
    child: 'Child',
    missing: 'Missing',
    missingKind: { check_out: 'No check-out', check_in: 'No check-in' },
    correction: 'Correction',
    closedMonth: 'This month is closed: a correction is listed as an amendment at the end of its ledgers.',
  },
  correction: {
    title: 'Correct a past day',
    help: "Fix the check-in and check-out times or the absence of a past day (today's records are fixed on a tablet). Choose the day and the child.",
    date: 'Date',
    child: 'Child',
    choose: 'Choose…',
    noChildren: 'No child was enrolled on this day',
    checkIn: 'Check-in',
    checkOut: 'Check-out',
    absent: 'Absence',
    notAbsent: 'Not absent',
    reasons: { sick: 'Sick', family: 'Family', other: 'Other' },
    absentNote: 'Absence note (optional)',
    reason: 'Why (required)',
    reasonHint: 'e.g. forgot to tap out; checked with the guardian',
    submit: 'Correct',
    sending: 'Sending…',
    done: (date, child) => `Corrected ${child} on ${date}`,
    amendmentNotice:
      "This day's month is closed. The correction will be listed as an amendment (before → after, who, why) at the end of that month's ledgers.",
    amendmentConfirm: 'Record it as an amendment',
    problem: {
      need_reason: 'Say why you make the correction',
      need_amendment: 'The month is closed: tick "Record it as an amendment"',
      bad_time: 'Enter times as HH:MM',
    },
    error: (code, message) => {
      switch (code) {
        case 'month_closed':
          return 'This month is closed. Tick "Record it as an amendment" and press "Correct" again.';
        case 'future_date':
          return 'A day after today cannot be corrected.';
        case 'check_out_before_check_in':
          return 'The check-out must be after the check-in (and there is no check-out without a check-in).';
        case 'absent_and_present':
          return 'An absent day has no check-in or check-out: choose one or the other.';
        case 'no_change':
          return 'That is what the record says already: nothing to change.';
        case 'unknown_child':
          return 'This child was not on the roster that day.';
        case 'unknown_staff':
          return 'Your staff account was not found on the hub. Sign in again.';
        case 'bad_date':
          return 'The date is not valid.';
        case 'bad_request':
          return `Please check what you entered (${message}).`;
        default:
          return `Not corrected (${code}).`;
      }
    },
  },
  months: {
    title: 'Close a month',
    help: "Once a month is over and its records are checked and corrected, close it. Its ledgers then stay as they are, and any later correction is listed as an amendment at the end of the month's ledgers.",
    month: 'Month',
    state: 'State',
    states: { open: 'Open', closed: 'Closed' },
    closedAt: 'Closed at',
    closedBy: 'Closed by',
    amendments: 'Amendments',
    none: 'No month has records yet',
    close: 'Close',
    notOver: 'Can be closed once it is over',
    confirmTitle: (month) => `Close ${month}?`,
    confirmText:
      'Closing cannot be undone. Devices can no longer record days of this month, and every later correction is listed as an amendment at the end of its ledgers. Check that no open day is left first.',
    confirm: 'Close it (cannot be undone)',
    cancel: 'Cancel',
    closed: (month) => `${month} is closed`,
    error: (code, message) => {
      switch (code) {
        case 'month_not_over':
          return 'This month is not over yet, or has nothing to close.';
        case 'month_already_closed':
          return 'This month is closed already.';
        case 'unknown_staff':
          return 'Your staff account was not found on the hub. Sign in again.';
        default:
          return `Not closed (${code}: ${message}).`;
      }
    },
  },
  overview: {
    title: 'Open days',
    count: (month, n) => `${month}: ${String(n)}`,
    link: 'Check and correct',
  },
};

export const HISTORY_MESSAGES: Readonly<Record<'ja' | 'en', HistoryMessages>> = { ja, en };
