import { ABSENCE_REASONS, type AbsenceReason } from '../../../protocol/tablet.ts';
import type { CorrectionRequest, DayState } from '../../../protocol/history.ts';

/**
 * Pure helpers of the corrections and month-close pages (unit-tested in history-logic.test.ts): months,
 * what the ledgers say about a day, and the correction form's request.
 */

/** data-testid hooks of the corrections, open days and months pages (the browser tests read them). */
export const HISTORY_TEST_IDS = {
  /** The open-days table; rows are openDayRow with data-child-id, data-date and data-missing. */
  openDays: 'open-days',
  openDayRow: 'open-day-row',
  openDaysMonth: 'open-days-month',
  openDaysPrevious: 'open-days-previous',
  /** The overview's box: data-current and data-previous hold the counts. */
  openDaysSummary: 'open-days-summary',
  correctionForm: 'correction-form',
  correctionCheckIn: 'correction-check-in',
  correctionCheckOut: 'correction-check-out',
  correctionAbsentReason: 'correction-absent-reason',
  correctionAbsentNote: 'correction-absent-note',
  correctionReason: 'correction-reason',
  correctionAmendment: 'correction-amendment',
  correctionSubmit: 'correction-submit',
  correctionError: 'correction-error',
  correctionDone: 'correction-done',
  /** The general correction's day and child pickers. */
  correctionDate: 'correction-date',
  correctionChild: 'correction-child',
  /** The months table; rows are monthRow with data-month and data-state. */
  months: 'months',
  monthRow: 'month-row',
  monthClose: 'month-close',
  monthCloseConfirm: 'month-close-confirm',
  monthCloseCancel: 'month-close-cancel',
  monthError: 'month-error',
} as const;

/** The month YYYY-MM of a date YYYY-MM-DD. */
export const monthOf = (date: string): string => date.slice(0, 7);

/** The month before `month` (YYYY-MM). */
export function previousMonth(month: string): string {
  const [y = 0, m = 1] = month.split('-').map(Number);
  return m === 1 ? `${String(y - 1)}-12` : `${String(y)}-${String(m - 1).padStart(2, '0')}`;
}

/** The month after `month` (YYYY-MM). */
export function nextMonth(month: string): string {
  const [y = 0, m = 1] = month.split('-').map(Number);
  return m === 12 ? `${String(y + 1)}-01` : `${String(y)}-${String(m + 1).padStart(2, '0')}`;
}

/** A month can be closed once it has ended: it is before today's month. */
export const isMonthOver = (month: string, today: string): boolean => month < monthOf(today);

/** A day as a short local label, e.g. 4月1日(水) / Wed 1 Apr. */
export function dayLabel(date: string, intlLocale: string): string {
  return new Date(`${date}T00:00:00Z`).toLocaleDateString(intlLocale, {
    timeZone: 'UTC',
    month: 'short',
    day: 'numeric',
    weekday: 'short',
  });
}

const EMPTY_DAY: DayState = { checkIn: null, checkOut: null, absent: null };

/**
 * A monthly ledger cell as a day: `HH:MM-HH:MM`, `HH:MM-` (open), `欠` (absent: its reason is not in the
 * monthly ledger, so `other`) or empty; a corrected cell ends in ※.
 */
export function dayOfMonthlyCell(cell: string): DayState {
  const text = cell.replace(/※$/, '').trim();
  if (text === '欠') return { ...EMPTY_DAY, absent: { reason: 'other' } };
  const m = /^(\d{2}:\d{2})?-(\d{2}:\d{2})?$/.exec(text);
  if (!m) return EMPTY_DAY;
  return { checkIn: m[1] ?? null, checkOut: m[2] ?? null, absent: null };
}

/**
 * A daily ledger row as a day. The absence's reason is read back from the row's note, where the ledger
 * writes it as `REASON` or `REASON: note` among the day's other notes (joined by " / ").
 */
export function dayOfDailyRow(row: {
  status: string;
  check_in: string | null;
  check_out: string | null;
  note: string;
}): DayState {
  if (row.status !== 'absent') return { checkIn: row.check_in, checkOut: row.check_out, absent: null };
  for (const part of row.note.split(' / ')) {
    const m = /^([a-z]+)(?:: (.*))?$/s.exec(part);
    const reason = ABSENCE_REASONS.find((r) => r === m?.[1]);
    if (m && reason !== undefined) {
      return { ...EMPTY_DAY, absent: m[2] === undefined ? { reason } : { reason, note: m[2] } };
    }
  }
  return { ...EMPTY_DAY, absent: { reason: 'other' } };
}

/** The correction form as typed. `absentReason` '' means the child attended (or did not come). */
export interface CorrectionInput {
  checkIn: string;
  checkOut: string;
  absentReason: AbsenceReason | '';
  absentNote: string;
  reason: string;
  /** The day is in a closed month and the director confirmed that this is an amendment. */
  amendment: boolean;
}

/** The form's starting values for a day as recorded. */
export function inputOf(day: DayState): CorrectionInput {
  return {
    checkIn: day.checkIn ?? '',
    checkOut: day.checkOut ?? '',
    absentReason: day.absent?.reason ?? '',
    absentNote: day.absent?.note ?? '',
    reason: '',
    amendment: false,
  };
}

/** Line breaks and tabs are control characters, which the record refuses: one line it is. */
const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

export type CorrectionProblem = 'need_reason' | 'need_amendment' | 'bad_time';

/**
 * The request of POST /api/corrections for a form (the admin session is the actor), or what to fix first.
 * The day becomes what the form shows: all three of check-in, check-out and absence are sent.
 */
export function correctionRequest(
  childId: string,
  date: string,
  input: CorrectionInput,
  closed: boolean,
): Omit<CorrectionRequest, 'actor'> | CorrectionProblem {
  const reason = oneLine(input.reason);
  if (reason === '') return 'need_reason';
  if (closed && !input.amendment) return 'need_amendment';
  const time = (s: string): string | null | undefined => {
    if (s === '') return null;
    return /^([01]\d|2[0-3]):[0-5]\d$/.test(s) ? s : undefined;
  };
  const base = { childId, date, reason, ...(closed && { amendment: true }) };
  if (input.absentReason !== '') {
    const note = oneLine(input.absentNote);
    return {
      ...base,
      checkIn: null,
      checkOut: null,
      absent: { reason: input.absentReason, ...(note !== '' && { note }) },
    };
  }
  const checkIn = time(input.checkIn);
  const checkOut = time(input.checkOut);
  if (checkIn === undefined || checkOut === undefined) return 'bad_time';
  return { ...base, checkIn, checkOut, absent: null };
}
