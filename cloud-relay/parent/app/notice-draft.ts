import {
  NOTICE_MAX_DAYS,
  NOTICE_MAX_DAYS_AHEAD,
  ParentNoticeRequestSchema,
  type AbsenceReason,
  type NoticeKind,
  type ParentNoticeRequest,
  type Symptom,
} from '../../../protocol/parent-notices.ts';
import { addDays, daysBetween } from './format.ts';

/**
 * The notice form as the parent fills it in, and the request it becomes. The app checks what it can know
 * (a child chosen, dates in order, a lateness time, a plausible temperature) so that the parent hears at
 * once; the cloud applies the rest (the class cut-off, own children) and has the last word.
 */

/** The form's fields as typed: text inputs stay text until sent. */
export interface NoticeDraft {
  readonly kind: NoticeKind;
  readonly childIds: readonly string[];
  readonly date: string;
  /** The last day of a multi-day absence; '' for one day. */
  readonly until: string;
  readonly reason: AbsenceReason;
  readonly symptoms: readonly Symptom[];
  /** As typed in ℃ ('' for none). */
  readonly temperature: string;
  readonly note: string;
  /** HH:MM, lateness only. */
  readonly arriveAt: string;
}

/** What keeps a draft from being sent; each has a text in the message catalogues. */
export type DraftProblem =
  | 'noChild'
  | 'noDate'
  | 'pastDate'
  | 'untilBefore'
  | 'tooLong'
  | 'tooFar'
  | 'noArriveAt'
  | 'temperature'
  | 'invalid';

/** A new draft: an absence today for the preselected child, sick (the commonest case). */
export function newDraft(today: string, childIds: readonly string[]): NoticeDraft {
  return {
    kind: 'absence',
    childIds,
    date: today,
    until: '',
    reason: 'sick',
    symptoms: [],
    temperature: '',
    note: '',
    arriveAt: '',
  };
}

/** Body temperature as the app sends it: ℃ with one decimal, or a problem. */
function temperatureOf(text: string): number | undefined | 'bad' {
  const trimmed = text.trim().replace(',', '.');
  if (trimmed === '') return undefined;
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return 'bad';
  const rounded = Math.round(value * 10) / 10;
  return rounded >= 34 && rounded <= 43 ? rounded : 'bad';
}

export type DraftResult =
  | { readonly ok: true; readonly request: ParentNoticeRequest }
  | { readonly ok: false; readonly problem: DraftProblem };

/**
 * The request a draft makes under `id` (the form's request id, the same on every resend), or the first
 * problem found. Fields of the other kind or reason (a lateness time on an absence, symptoms of a reason
 * other than sick) are dropped, not refused: the parent switched and need not clear them.
 */
export function draftRequest(id: string, draft: NoticeDraft, today: string): DraftResult {
  const fail = (problem: DraftProblem): DraftResult => ({ ok: false, problem });
  if (draft.childIds.length === 0) return fail('noChild');
  if (draft.date === '') return fail('noDate');
  if (draft.date < today) return fail('pastDate');
  const until = draft.kind === 'absence' && draft.until !== '' ? draft.until : draft.date;
  if (until < draft.date) return fail('untilBefore');
  const days = daysBetween(draft.date, until);
  if (days === null || days + 1 > NOTICE_MAX_DAYS) return fail('tooLong');
  if ((daysBetween(today, until) ?? 0) > NOTICE_MAX_DAYS_AHEAD) return fail('tooFar');
  if (draft.kind === 'late' && draft.arriveAt === '') return fail('noArriveAt');
  const sick = draft.reason === 'sick';
  const temperature = sick ? temperatureOf(draft.temperature) : undefined;
  if (temperature === 'bad') return fail('temperature');
  const note = draft.note.trim();
  const request: ParentNoticeRequest = {
    id,
    kind: draft.kind,
    childIds: [...draft.childIds],
    date: draft.date,
    reason: draft.reason,
    ...(until === draft.date ? {} : { until }),
    ...(sick && draft.symptoms.length > 0 ? { symptoms: [...draft.symptoms] } : {}),
    ...(temperature === undefined ? {} : { temperature }),
    ...(note === '' ? {} : { note }),
    ...(draft.kind === 'late' ? { arriveAt: draft.arriveAt } : {}),
  };
  // The contract's own check, so that the app never sends what the cloud must refuse as malformed.
  return ParentNoticeRequestSchema.safeParse(request).success ? { ok: true, request } : fail('invalid');
}

/** The day after `today` (YYYY-MM-DD), for the form's shortcut and the 明日 label. */
export const tomorrowOf = (today: string): string => addDays(today, 1);
