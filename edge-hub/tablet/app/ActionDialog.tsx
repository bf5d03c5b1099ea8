import { useEffect, useRef, useState, type SyntheticEvent } from 'react';
import {
  ABSENCE_REASONS,
  type AbsenceReason,
  type TabletAction,
  type TabletRollcall,
} from '../../../protocol/tablet.ts';
import { isUnauthorized, newActionId, postAction, type ApiFailure } from './api.ts';
import type { Messages } from './messages.ts';
import type { Pending } from './Rollcall.tsx';
import { absenceUntil, hhmm, isHhmm, isVoidAction, lastAbsenceDay, voidTarget } from './state.ts';

/**
 * The confirm step of a staff action. The action id is chosen once when the dialog opens and reused on
 * every retry, so a request that reached the hub but whose answer was lost is stored once.
 */
export function ActionDialog(props: {
  pending: Pending;
  rollcall: TabletRollcall;
  messages: Messages;
  onClose: () => void;
  onUnauthorized: () => void;
}) {
  const { pending, rollcall, messages: m } = props;
  const { entry, action } = pending;
  const child = entry.child;
  const [id] = useState(newActionId);
  const [time, setTime] = useState('');
  const [note, setNote] = useState('');
  const [reason, setReason] = useState<AbsenceReason>('sick');
  const [date, setDate] = useState(rollcall.date);
  // The last day of the absence: the same day unless staff choose a later one.
  const [until, setUntil] = useState(rollcall.date);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const d = dialog.current;
    if (d !== null && !d.open) d.showModal();
  }, []);

  const build = (): TabletAction | string => {
    // Line breaks and tabs are control characters, which the record refuses (bad_text): one line it is.
    const trimmed = note.replace(/\s+/g, ' ').trim();
    switch (action) {
      case 'check_in':
      case 'check_out':
        if (time !== '' && !isHhmm(time)) return m.dialog.badTime;
        return {
          op: action,
          id,
          childId: child.id,
          ...(time !== '' && { at: time }),
          ...(trimmed !== '' && { note: trimmed }),
        };
      case 'absent': {
        const last = absenceUntil(date, until);
        if (last === null) return m.dialog.badRange;
        return {
          op: 'absent',
          id,
          childId: child.id,
          date,
          ...(last !== undefined && { until: last }),
          reason,
          ...(trimmed !== '' && { note: trimmed }),
        };
      }
      case 'void_check_in':
      case 'void_check_out':
      case 'void_absent': {
        const eventId = voidTarget(child, action);
        if (trimmed === '') return m.dialog.needReason;
        if (eventId === null) return m.dialog.failed('unknown_event', null);
        return { op: 'void', id, eventId, reason: trimmed };
      }
    }
  };

  const send = async (): Promise<void> => {
    const body = build();
    if (typeof body === 'string') {
      setError(body);
      return;
    }
    setSending(true);
    setError(null);
    const result = await postAction(body);
    setSending(false);
    if (result.ok) {
      props.onClose();
      return;
    }
    if (isUnauthorized(result.failure)) {
      props.onUnauthorized();
      return;
    }
    setError(failureText(m, result.failure));
  };

  const onSubmit = (e: SyntheticEvent): void => {
    e.preventDefault();
    if (!sending) void send();
  };

  const isVoid = isVoidAction(action);
  const voidAt =
    action === 'void_check_in' ? child.checkInAt : action === 'void_check_out' ? child.checkOutAt : null;

  return (
    <dialog
      ref={dialog}
      className={`dialog dialog--${action}`}
      data-testid="action-dialog"
      data-action={action}
      onCancel={(e) => {
        e.preventDefault();
        if (!sending) props.onClose();
      }}
    >
      <form className="dialog__form" onSubmit={onSubmit} noValidate>
        <h2 className="dialog__title">{m.dialog.title[action]}</h2>
        <p className="dialog__child">
          <span className="dialog__kana">{child.kana}</span>
          <span className="dialog__name">{child.name}</span>
          <span className="dialog__class">{entry.className}</span>
        </p>

        {(action === 'check_in' || action === 'check_out') && (
          <div className="field">
            <span className="field__label">{m.dialog.timeLabel}</span>
            <div className="time-row">
              <button
                type="button"
                className="chip-btn"
                aria-pressed={time === ''}
                onClick={() => {
                  setTime('');
                }}
              >
                {m.dialog.timeNow}
              </button>
              <input
                className="field__input field__input--time"
                type="time"
                data-testid="action-time"
                value={time}
                onChange={(e) => {
                  setTime(e.target.value);
                }}
              />
            </div>
            <span className="field__hint">{m.dialog.timeHint}</span>
          </div>
        )}

        {action === 'absent' && (
          <>
            <div className="field">
              <span className="field__label">{m.dialog.reasonLabel}</span>
              <div className="choices" role="radiogroup">
                {ABSENCE_REASONS.map((r) => (
                  <button
                    key={r}
                    type="button"
                    role="radio"
                    className="chip-btn"
                    aria-checked={reason === r}
                    data-testid={`reason-${r}`}
                    onClick={() => {
                      setReason(r);
                    }}
                  >
                    {m.reason[r]}
                  </button>
                ))}
              </div>
            </div>
            <label className="field">
              <span className="field__label">{m.dialog.dateLabel}</span>
              <input
                className="field__input"
                type="date"
                data-testid="action-date"
                min={rollcall.date}
                value={date}
                onChange={(e) => {
                  const next = e.target.value;
                  setDate(next);
                  if (until < next) setUntil(next);
                }}
              />
            </label>
            <label className="field">
              <span className="field__label">{m.dialog.untilLabel}</span>
              <input
                className="field__input"
                type="date"
                data-testid="action-until"
                min={date}
                max={lastAbsenceDay(date)}
                value={until}
                onChange={(e) => {
                  setUntil(e.target.value);
                }}
              />
              <span className="field__hint">{m.dialog.untilHint}</span>
            </label>
          </>
        )}

        {isVoid && (
          <p className="notice notice--info">
            {m.dialog.voidWhat[action](voidAt === null ? null : hhmm(voidAt, rollcall.timeZone))}
          </p>
        )}

        <label className="field">
          <span className="field__label">
            {isVoid ? m.dialog.voidReasonLabel : m.dialog.noteLabel}
            {!isVoid && <span className="field__optional">{m.dialog.noteOptional}</span>}
          </span>
          <textarea
            className="field__input field__input--note"
            data-testid="action-note"
            rows={2}
            maxLength={500}
            placeholder={isVoid ? m.dialog.voidReasonHint : ''}
            value={note}
            onChange={(e) => {
              setNote(e.target.value);
            }}
          />
        </label>

        {error !== null && (
          <p className="notice notice--warn" role="alert" data-testid="action-error">
            {error}
          </p>
        )}

        <div className="dialog__buttons">
          <button
            type="button"
            className="btn btn--secondary"
            disabled={sending}
            onClick={props.onClose}
            data-testid="action-cancel"
          >
            {m.dialog.cancel}
          </button>
          <button
            type="submit"
            className={`btn btn--primary btn--${action}`}
            disabled={sending || (isVoid && note.trim() === '')}
            data-testid="action-confirm"
          >
            {sending ? m.dialog.sending : error !== null ? m.dialog.retry : m.dialog.confirm}
          </button>
        </div>
      </form>
    </dialog>
  );
}

function failureText(m: Messages, failure: ApiFailure): string {
  switch (failure.kind) {
    case 'network':
      return m.dialog.failed('network', null);
    case 'invalid':
      return m.dialog.failed('invalid_answer', null);
    case 'http':
      return m.dialog.failed(failure.code, failure.status);
  }
}
