import type { Amendment, DayState } from '../../protocol/history.ts';
import type { AbsenceReason } from '../../protocol/tablet.ts';

/* The amendments section (訂正履歴) of the ledger files: what each amendment's row says. */

export const AMENDMENTS_TITLE = '訂正履歴（確定後の訂正）';

export const AMENDMENT_COLUMNS = [
  '日付',
  '園児ID',
  '園児名',
  '訂正前',
  '訂正後',
  '訂正者',
  '理由',
  '訂正日時',
] as const;

const ABSENCE_LABELS = {
  sick: '病欠',
  family: '家庭都合',
  other: 'その他',
} as const satisfies Record<AbsenceReason, string>;

/**
 * A day as the amendments section shows it: `08:30-18:10`, `08:30-` (no check-out), `-18:10` (no
 * check-in), `欠席（病欠: 発熱）` for an absence, `（記録なし）` for nothing.
 */
export function dayStateText(state: DayState): string {
  if (state.absent !== null) {
    const { reason, note } = state.absent;
    return `欠席（${ABSENCE_LABELS[reason]}${note === undefined || note === '' ? '' : `: ${note}`}）`;
  }
  if (state.checkIn === null && state.checkOut === null) return '（記録なし）';
  return `${state.checkIn ?? ''}-${state.checkOut ?? ''}`;
}

/**
 * One amendment's cells, AMENDMENT_COLUMNS. 訂正日時: the local date and time of `at`, which the engine
 * writes in the facility's offset (source.ts amendmentsOf).
 */
export function amendmentCells(a: Amendment): string[] {
  return [
    a.date,
    a.childId,
    a.childName,
    dayStateText(a.before),
    dayStateText(a.after),
    `${a.actorName}（${a.actor}）`,
    a.reason,
    `${a.at.slice(0, 10)} ${a.at.slice(11, 16)}`,
  ];
}
