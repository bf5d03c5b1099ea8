import { useState } from 'react';
import {
  ABSENCE_REASONS,
  NOTICE_KINDS,
  NOTICE_MAX_DAYS_AHEAD,
  NOTICE_TEST_IDS,
  SYMPTOMS,
  type ParentNotice,
} from '../../../protocol/parent-notices.ts';
import type { ParentMe } from '../../../protocol/parents.ts';
import { NOTE_MAX } from '../../../protocol/primitives.ts';
import { ErrorLine, Field, toggled } from './Field.tsx';
import { addDays } from './format.ts';
import type { Messages } from './messages.ts';
import { draftRequest, newDraft, type NoticeDraft } from './notice-draft.ts';
import { sendNotice } from './notices-api.ts';
import { ChildrenPicker, FormActions, troubleText, useSend } from './SendForm.tsx';

/**
 * The absence and lateness form (連絡する). It sends through `useSend`: one request id per opened form (a
 * lost answer is sent again and stored once), and a double tap sends one request.
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
  const [draft, setDraft] = useState<NoticeDraft>(() =>
    newDraft(me.date, first === undefined ? [] : [first]),
  );
  const { busy, trouble, submit } = useSend({
    make: (requestId) => draftRequest(requestId, draft, me.date),
    send: sendNotice,
    onSent: props.onSent,
    onSessionEnded: props.onSessionEnded,
  });
  const set = (change: Partial<NoticeDraft>) => {
    setDraft((d) => ({ ...d, ...change }));
  };
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

      <ChildrenPicker
        children={me.children}
        chosen={draft.childIds}
        testId="notice-child"
        m={m}
        onChange={(childIds) => {
          set({ childIds });
        }}
      />

      <Field id="nf-date" label={m.notice.date[draft.kind]}>
        <input
          id="nf-date"
          type="date"
          data-testid={NOTICE_TEST_IDS.date}
          min={me.date}
          max={addDays(me.date, NOTICE_MAX_DAYS_AHEAD)}
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
            max={addDays(me.date, NOTICE_MAX_DAYS_AHEAD)}
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

      <ErrorLine text={troubleText(m, trouble, (p) => m.notice.problem[p])} />

      <FormActions
        m={m}
        busy={busy}
        cancelTestId="notice-cancel"
        submitTestId={NOTICE_TEST_IDS.submit}
        onCancel={props.onCancel}
      />
    </form>
  );
}
