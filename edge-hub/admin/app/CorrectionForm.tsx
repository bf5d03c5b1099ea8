import { useState, type SyntheticEvent } from 'react';
import type { DayState } from '../../../protocol/history.ts';
import { ABSENCE_REASONS } from '../../../protocol/tablet.ts';
import { postCorrection, type ApiFailure } from './api.ts';
import { correctionRequest, HISTORY_TEST_IDS as T, inputOf, type CorrectionInput } from './history-logic.ts';
import type { Messages } from './messages.ts';

/**
 * The correction of one child's day: check-in and check-out (or an absence) as the day should read, and why.
 * Starts from the day as recorded; remount it (a React key) for another child or day. A day of a closed
 * month needs the director to confirm the amendment, whether the page knew the month was closed or the
 * hub said so (month_closed).
 */
export function CorrectionForm(props: {
  m: Messages;
  childId: string;
  date: string;
  recorded: DayState;
  /** The day's month is known to be closed. */
  closed: boolean;
  onDone: () => void;
  onFailure: (failure: ApiFailure) => void;
}) {
  const { m, childId, date } = props;
  const c = m.history.correction;
  const [input, setInput] = useState<CorrectionInput>(() => inputOf(props.recorded));
  const [closed, setClosed] = useState(props.closed);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<{ text: string; code: string } | null>(null);
  const set = (patch: Partial<CorrectionInput>) => {
    setInput({ ...input, ...patch });
    // What was wrong is being fixed: the message would only be in the way.
    setError(null);
  };
  const absent = input.absentReason !== '';
  const amendment = closed || props.closed;

  const onSubmit = (e: SyntheticEvent): void => {
    e.preventDefault();
    if (sending) return;
    const body = correctionRequest(childId, date, input, amendment);
    if (typeof body === 'string') {
      setError({ text: c.problem[body], code: body });
      return;
    }
    setSending(true);
    setError(null);
    void postCorrection(body).then((r) => {
      setSending(false);
      if (r.ok) {
        props.onDone();
        return;
      }
      const f = r.failure;
      if (f.kind === 'http' && f.status === 401) {
        props.onFailure(f);
      } else if (f.kind === 'http') {
        if (f.code === 'month_closed') setClosed(true);
        setError({ text: c.error(f.code, f.message), code: f.code });
      } else {
        setError({ text: m.error(f.kind), code: f.kind });
      }
    });
  };

  return (
    <form
      className="correction"
      data-testid={T.correctionForm}
      data-child-id={childId}
      data-date={date}
      onSubmit={onSubmit}
      noValidate
    >
      <div className="row">
        <label className="field">
          {c.checkIn}
          <input
            type="time"
            data-testid={T.correctionCheckIn}
            value={absent ? '' : input.checkIn}
            disabled={absent}
            onChange={(e) => {
              set({ checkIn: e.target.value });
            }}
          />
        </label>
        <label className="field">
          {c.checkOut}
          <input
            type="time"
            data-testid={T.correctionCheckOut}
            value={absent ? '' : input.checkOut}
            disabled={absent}
            onChange={(e) => {
              set({ checkOut: e.target.value });
            }}
          />
        </label>
        <label className="field">
          {c.absent}
          <select
            data-testid={T.correctionAbsentReason}
            value={input.absentReason}
            onChange={(e) => {
              const v = e.target.value;
              set({ absentReason: ABSENCE_REASONS.find((r) => r === v) ?? '' });
            }}
          >
            <option value="">{c.notAbsent}</option>
            {ABSENCE_REASONS.map((r) => (
              <option key={r} value={r}>
                {c.reasons[r]}
              </option>
            ))}
          </select>
        </label>
        {absent && (
          <label className="field">
            {c.absentNote}
            <input
              data-testid={T.correctionAbsentNote}
              maxLength={200}
              value={input.absentNote}
              onChange={(e) => {
                set({ absentNote: e.target.value });
              }}
            />
          </label>
        )}
        <label className="field grow">
          {c.reason}
          <input
            data-testid={T.correctionReason}
            maxLength={500}
            placeholder={c.reasonHint}
            aria-invalid={error?.code === 'need_reason' ? 'true' : undefined}
            value={input.reason}
            onChange={(e) => {
              set({ reason: e.target.value });
            }}
          />
        </label>
      </div>
      {amendment && (
        <div className="amendment">
          <p>{c.amendmentNotice}</p>
          <label>
            <input
              type="checkbox"
              data-testid={T.correctionAmendment}
              checked={input.amendment}
              onChange={(e) => {
                set({ amendment: e.target.checked });
              }}
            />{' '}
            {c.amendmentConfirm}
          </label>
        </div>
      )}
      {error !== null && (
        <p className="error" role="alert" data-testid={T.correctionError} data-code={error.code}>
          {error.text}
        </p>
      )}
      <button type="submit" className="primary" data-testid={T.correctionSubmit} disabled={sending}>
        {sending ? c.sending : c.submit}
      </button>
    </form>
  );
}
