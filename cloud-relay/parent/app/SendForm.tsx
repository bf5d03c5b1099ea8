import { useState } from 'react';
import type { ParentChild } from '../../../protocol/parents.ts';
import { toggled } from './Field.tsx';
import { isUnauthorized, type ApiFailure, type ApiResult } from './http.ts';
import { failureText, type Messages } from './messages.ts';

/**
 * What the parent's send forms (連絡する, お迎え) share: one request id per opened form, the send with its
 * busy flag and trouble, the children picker and the cancel/submit bar.
 */

/** Why a form cannot send: its own check, or the cloud's answer (kept as values: they follow the language). */
export type Trouble<P> = { readonly problem: P } | { readonly failure: ApiFailure };

/** A draft made into a request, or the first problem that stops it. */
export type Made<R, P> =
  { readonly ok: true; readonly request: R } | { readonly ok: false; readonly problem: P };

/**
 * A form's send. The request id is made when the form opens and kept for every send, so that a send whose
 * answer was lost (the phone went through a tunnel) can be sent again and is stored once. `submit` does
 * nothing while a send runs: a double tap sends one request.
 */
export function useSend<R, P, T>(props: {
  /** The request from the form's current draft (called on submit, with the form's request id). */
  make: (requestId: string) => Made<R, P>;
  send: (request: R) => Promise<ApiResult<T>>;
  onSent: (value: T) => void;
  onSessionEnded: () => void;
}) {
  const [requestId] = useState(() => crypto.randomUUID());
  const [busy, setBusy] = useState(false);
  const [trouble, setTrouble] = useState<Trouble<P> | null>(null);
  const submit = () => {
    if (busy) return;
    const made = props.make(requestId);
    if (!made.ok) {
      setTrouble({ problem: made.problem });
      return;
    }
    setBusy(true);
    setTrouble(null);
    void props.send(made.request).then((r) => {
      setBusy(false);
      if (r.ok) props.onSent(r.value);
      else if (isUnauthorized(r.failure)) props.onSessionEnded();
      else setTrouble({ failure: r.failure });
    });
  };
  return { busy, trouble, setTrouble, submit };
}

/** The trouble as text; a network failure adds that the same notice can be sent again. */
export function troubleText<P>(
  m: Messages,
  trouble: Trouble<P> | null,
  problem: (p: P) => string,
): string | null {
  if (trouble === null) return null;
  if ('problem' in trouble) return problem(trouble.problem);
  const text = failureText(m, trouble.failure);
  return trouble.failure.kind === 'network' ? `${text} ${m.notice.resend}` : text;
}

/** Which children the form is for: chips when the parent has several, else the one child's name. */
export function ChildrenPicker(props: {
  children: readonly ParentChild[];
  chosen: readonly string[];
  testId: string;
  m: Messages;
  onChange: (childIds: string[]) => void;
}) {
  const { children, chosen, m } = props;
  if (children.length <= 1) {
    return (
      <div className="field">
        <span className="label">{m.notice.children}</span>
        <p className="only-child">{children[0]?.name}</p>
      </div>
    );
  }
  return (
    <fieldset className="field">
      <legend>{m.notice.children}</legend>
      <div className="chips">
        {children.map((c) => (
          <label key={c.childId} className="chip">
            <input
              type="checkbox"
              data-testid={props.testId}
              value={c.childId}
              checked={chosen.includes(c.childId)}
              onChange={(e) => {
                props.onChange(toggled(chosen, c.childId, e.currentTarget.checked));
              }}
            />
            <span>{c.name}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** Cancel and send; the send button is disabled while a send runs (or while `waiting`). */
export function FormActions(props: {
  m: Messages;
  busy: boolean;
  waiting?: boolean;
  cancelTestId: string;
  submitTestId: string;
  onCancel: () => void;
}) {
  const { m, busy } = props;
  return (
    <div className="form-actions">
      <button type="button" className="quiet" data-testid={props.cancelTestId} onClick={props.onCancel}>
        {m.notice.cancel}
      </button>
      <button
        type="submit"
        className="primary"
        data-testid={props.submitTestId}
        disabled={busy || props.waiting === true}
      >
        {busy ? m.notice.sending : m.notice.submit}
      </button>
    </div>
  );
}
