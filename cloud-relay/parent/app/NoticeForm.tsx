import { useState } from 'react';
import {
  ABSENCE_REASONS,
  NOTICE_KINDS,
  NOTICE_TEST_IDS,
  SYMPTOMS,
  type ParentNotice,
} from '../../../protocol/parent-notices.ts';
import { PARENT_TEST_IDS, type ParentMe } from '../../../protocol/parents.ts';
import { NOTE_MAX } from '../../../protocol/primitives.ts';
import { Field, toggled } from './Field.tsx';
import { isUnauthorized, type ApiFailure } from './http.ts';
import { failureText, type Messages } from './messages.ts';
import { draftRequest, newDraft, type DraftProblem, type NoticeDraft } from './notice-draft.ts';
import { sendNotice } from './notices-api.ts';

/** Why the form cannot send: its own check, or the cloud's answer (kept as values: they follow the language). */
type Trouble = { readonly problem: DraftProblem } | { readonly failure: ApiFailure };

/**
 * The absence and lateness form (連絡する). Its request id is made when it opens and kept for every send,
 * so that a send whose answer was lost (the phone went through a tunnel) can be sent again and is stored
 * once. The send button is disabled while a send runs: a double tap sends one request.
 */
export function NoticeForm(props: {
  me: ParentMe;
  preselect: string | null;
  m: Messages;
  onSent: (notice: ParentNotice) => void;
  onSessionEnded: () => void;
  onCancel: () => void;
}) {
  const { me, m } = props;
  const first = props.preselect ?? me.children[0]?.childId;
  const [requestId] = useState(() => crypto.randomUUID());
  const [draft, setDraft] = useState<NoticeDraft>(() =>
    newDraft(me.date, first === undefined ? [] : [first]),
  );
  const [busy, setBusy] = useState(false);
  const [trouble, setTrouble] = useState<Trouble | null>(null);
  const set = (change: Partial<NoticeDraft>) => {
    setDraft((d) => ({ ...d, ...change }));
  };

  const submit = () => {
    if (busy) return;
    const made = draftRequest(requestId, draft, me.date);
    if (!made.ok) {
      setTrouble({ problem: made.problem });
      return;
    }
    setBusy(true);
    setTrouble(null);
    void sendNotice(made.request).then((r) => {
      setBusy(false);
      if (r.ok) props.onSent(r.value);
      else if (isUnauthorized(r.failure)) props.onSessionEnded();
      else setTrouble({ failure: r.failure });
    });
  };

  const troubleText =
    trouble === null
      ? null
      : 'problem' in trouble
        ? m.notice.problem[trouble.problem]
        : trouble.failure.kind === 'network'
          ? `${failureText(m, trouble.failure)} ${m.notice.resend}`
          : failureText(m, trouble.failure);
  const absence = draft.kind === 'absence';

  return (
    <form
      className="notice-form"
      data-testid="notice-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h2>{m.notice.title}</h2>
      <p className="lead">{m.notice.lead}</p>

      <Field id="nf-kind" label={m.notice.kindLabel}>
        <select
          id="nf-kind"
          data-testid={NOTICE_TEST_IDS.kind}
          value={draft.kind}
          onChange={(e) => {
            set({ kind: e.currentTarget.value === 'late' ? 'late' : 'absence' });
          }}
        >
          {NOTICE_KINDS.map((k) => (
            <option key={k} value={k}>
              {m.notice.kind[k]}
            </option>
          ))}
        </select>
      </Field>

      {me.children.length > 1 ? (
        <fieldset className="field">
          <legend>{m.notice.children}</legend>
          <div className="chips">
            {me.children.map((c) => (
              <label key={c.childId} className="chip">
                <input
                  type="checkbox"
                  data-testid="notice-child"
                  value={c.childId}
                  checked={draft.childIds.includes(c.childId)}
                  onChange={(e) => {
                    set({ childIds: toggled(draft.childIds, c.childId, e.currentTarget.checked) });
                  }}
                />
                <span>{c.name}</span>
              </label>
            ))}
          </div>
        </fieldset>
      ) : (
        <div className="field">
          <span className="label">{m.notice.children}</span>
          <p className="only-child">{me.children[0]?.name}</p>
        </div>
      )}

      <Field id="nf-date" label={m.notice.date[draft.kind]}>
        <input
          id="nf-date"
          type="date"
          data-testid={NOTICE_TEST_IDS.date}
          min={me.date}
          required
          value={draft.date}
          onChange={(e) => {
            set({ date: e.currentTarget.value });
          }}
        />
      </Field>

      {absence ? (
        <Field id="nf-until" label={m.notice.until} hint={m.notice.untilHint}>
          <input
            id="nf-until"
            type="date"
            data-testid={NOTICE_TEST_IDS.until}
            min={draft.date}
            value={draft.until}
            onChange={(e) => {
              set({ until: e.currentTarget.value });
            }}
          />
        </Field>
      ) : (
        <Field id="nf-arrive" label={m.notice.arriveAt}>
          <input
            id="nf-arrive"
            type="time"
            data-testid={NOTICE_TEST_IDS.arriveAt}
            required
            value={draft.arriveAt}
            onChange={(e) => {
              set({ arriveAt: e.currentTarget.value });
            }}
          />
        </Field>
      )}

      <Field id="nf-reason" label={m.notice.reasonLabel}>
        <select
          id="nf-reason"
          data-testid={NOTICE_TEST_IDS.reason}
          value={draft.reason}
          onChange={(e) => {
            const value = e.currentTarget.value;
            set({ reason: ABSENCE_REASONS.find((r) => r === value) ?? 'other' });
          }}
        >
          {ABSENCE_REASONS.map((r) => (
            <option key={r} value={r}>
              {m.notice.reason[r]}
            </option>
          ))}
        </select>
      </Field>

      {draft.reason === 'sick' && (
        <>
          <fieldset className="field">
            <legend>{m.notice.symptomsLabel}</legend>
            <div className="chips">
              {SYMPTOMS.map((s) => (
                <label key={s} className="chip">
                  <input
                    type="checkbox"
                    data-testid="notice-symptom"
                    value={s}
                    checked={draft.symptoms.includes(s)}
                    onChange={(e) => {
                      set({ symptoms: toggled(draft.symptoms, s, e.currentTarget.checked) });
                    }}
                  />
                  <span>{m.notice.symptom[s]}</span>
                </label>
              ))}
            </div>
          </fieldset>
          <Field id="nf-temperature" label={m.notice.temperature}>
            <input
              id="nf-temperature"
              type="number"
              inputMode="decimal"
              data-testid={NOTICE_TEST_IDS.temperature}
              step="0.1"
              min="34"
              max="43"
              placeholder="37.5"
              value={draft.temperature}
              onChange={(e) => {
                set({ temperature: e.currentTarget.value });
              }}
            />
          </Field>
        </>
      )}

      <Field id="nf-note" label={m.notice.note}>
        <textarea
          id="nf-note"
          data-testid={NOTICE_TEST_IDS.note}
          rows={3}
          maxLength={NOTE_MAX}
          placeholder={m.notice.notePlaceholder}
          value={draft.note}
          onChange={(e) => {
            set({ note: e.currentTarget.value });
          }}
        />
      </Field>

      {troubleText !== null && (
        <p className="error" role="alert" data-testid={PARENT_TEST_IDS.error}>
          {troubleText}
        </p>
      )}

      <div className="form-actions">
        <button type="button" className="quiet" data-testid="notice-cancel" onClick={props.onCancel}>
          {m.notice.cancel}
        </button>
        <button type="submit" className="primary" data-testid={NOTICE_TEST_IDS.submit} disabled={busy}>
          {busy ? m.notice.sending : m.notice.submit}
        </button>
      </div>
    </form>
  );
}
