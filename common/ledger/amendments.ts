import type { Amendment, DayState } from '../../protocol/history.ts';
import { ledgerLabels, type LedgerLabels } from './labels.ts';

/* The amendments section (訂正履歴) of the ledger files: what each amendment's row says. */

const JA = ledgerLabels('ja');

/** The Japanese title and columns (the files' default language). */
export const AMENDMENTS_TITLE = JA.amendmentsTitle;
export const AMENDMENT_COLUMNS = JA.amendmentColumns;

/**
 * A day as the amendments section shows it: `08:30-18:10`, `08:30-` (no check-out), `-18:10` (no
 * check-in), `欠席（体調不良: 発熱）` for an absence, `（記録なし）` for nothing (in Japanese).
 */
export function dayStateText(state: DayState, labels: LedgerLabels = JA): string {
  if (state.absent !== null) {
    const { reason, note } = state.absent;
    return labels.absentState(labels.reason[reason], note);
  }
  if (state.checkIn === null && state.checkOut === null) return labels.noRecord;
  return `${state.checkIn ?? ''}-${state.checkOut ?? ''}`;
}

/**
 * One amendment's cells, AMENDMENT_COLUMNS. 訂正日時: the local date and time of `at`, which the engine
 * writes in the facility's offset (source.ts amendmentsOf).
 */
export function amendmentCells(a: Amendment, labels: LedgerLabels = JA): string[] {
  return [
    a.date,
    a.childId,
    a.childName,
    dayStateText(a.before, labels),
    dayStateText(a.after, labels),
    labels.actor(a.actorName, a.actor),
    a.reason,
    `${a.at.slice(0, 10)} ${a.at.slice(11, 16)}`,
  ];
}
