import { useEffect, useState } from 'react';
import {
  PICKUP_TEST_IDS,
  type ParentPickup,
  type ParentPickupPeople,
} from '../../../protocol/parent-pickups.ts';
import type { ParentMe } from '../../../protocol/parents.ts';
import { NOTE_MAX } from '../../../protocol/primitives.ts';
import { ErrorLine, Field } from './Field.tsx';
import { dayLabel } from './format.ts';
import { isUnauthorized } from './http.ts';
import type { Locale, Messages } from './messages.ts';
import {
  choosablePeople,
  newPickupDraft,
  OTHER_PERSON,
  pickupRequest,
  type PickupDraft,
} from './pickup-draft.ts';
import { personLabel } from './pickup-text.ts';
import { getPickupPeople, sendPickup } from './pickups-api.ts';
import { ChildrenPicker, FormActions, troubleText, useSend } from './SendForm.tsx';

/** The children's lists: loading, as the cloud gave them, or none (the failure is shown; someone else can still be named). */
type Lists =
  { readonly kind: 'loading' } | { readonly kind: 'ready'; readonly lists: ParentPickupPeople['children'] };

/**
 * Today's pickup (お迎え): the time, and who comes — one of the people the facility lists for every
 * chosen child, or someone else by name (staff then check who comes). Its request id is made when it
 * opens and kept for every send (a lost answer is sent again and stored once); a later plan for the same
 * child and day replaces the earlier one at the cloud.
 */
export function PickupForm(props: {
  me: ParentMe;
  preselect: string | null;
  m: Messages;
  locale: Locale;
  onSent: (pickup: ParentPickup) => void;
  onSessionEnded: () => void;
  onCancel: () => void;
}) {
  const { me, m, onSessionEnded } = props;
  const first = me.children.find((c) => c.childId === props.preselect) ?? me.children[0];
  const [draft, setDraft] = useState<PickupDraft>(() =>
    newPickupDraft(first === undefined ? [] : [first.childId], first?.pickup ?? null),
  );
  const [lists, setLists] = useState<Lists>({ kind: 'loading' });
  const people = lists.kind === 'ready' ? choosablePeople(lists.lists, draft.childIds) : [];
  const other = draft.person === OTHER_PERSON;
  // A person who is not on every chosen child's list is no choice any more (a child was added).
  const personValue = other || people.some((p) => p.id === draft.person) ? draft.person : '';
  const { busy, trouble, setTrouble, submit } = useSend({
    make: (requestId) => pickupRequest(requestId, { ...draft, person: personValue }, me.date, people),
    send: sendPickup,
    onSent: props.onSent,
    onSessionEnded,
  });
  const set = (change: Partial<PickupDraft>) => {
    setDraft((d) => ({ ...d, ...change }));
  };

  const guardianId = me.guardian.guardianId;
  useEffect(() => {
    const closed = new AbortController();
    void getPickupPeople().then((r) => {
      if (closed.signal.aborted) return;
      if (r.ok) {
        setLists({ kind: 'ready', lists: r.value.children });
        // The parent who writes is the commonest one to come: chosen unless a plan says otherwise.
        setDraft((d) =>
          d.person === '' && choosablePeople(r.value.children, d.childIds).some((p) => p.id === guardianId)
            ? { ...d, person: guardianId }
            : d,
        );
        return;
      }
      if (isUnauthorized(r.failure)) {
        onSessionEnded();
        return;
      }
      setLists({ kind: 'ready', lists: [] });
      setTrouble({ failure: r.failure });
    });
    return () => {
      closed.abort();
    };
  }, [guardianId, onSessionEnded, setTrouble]);

  return (
    <form
      className="notice-form pickup-form"
      data-testid="pickup-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (lists.kind !== 'loading') submit();
      }}
    >
      <h2>{m.pickup.title}</h2>
      <p className="lead">{m.pickup.lead}</p>
      <p className="pickup-day" data-testid="pickup-date" data-date={me.date}>
        {m.pickup.day(dayLabel(me.date, props.locale))}
      </p>

      <ChildrenPicker
        children={me.children}
        chosen={draft.childIds}
        testId="pickup-child"
        m={m}
        onChange={(childIds) => {
          set({ childIds });
        }}
      />

      <Field id="pf-time" label={m.pickup.time}>
        <input
          id="pf-time"
          type="time"
          data-testid={PICKUP_TEST_IDS.time}
          required
          value={draft.time}
          onChange={(e) => {
            set({ time: e.currentTarget.value });
          }}
        />
      </Field>

      <Field id="pf-person" label={m.pickup.person}>
        <select
          id="pf-person"
          data-testid={PICKUP_TEST_IDS.person}
          data-ready={lists.kind === 'ready' ? 'true' : 'false'}
          disabled={lists.kind === 'loading'}
          value={personValue}
          onChange={(e) => {
            set({ person: e.currentTarget.value });
          }}
        >
          <option value="" disabled>
            {lists.kind === 'loading' ? m.pickup.loadingPeople : m.pickup.choose}
          </option>
          {people.map((p) => (
            <option key={p.id} value={p.id}>
              {personLabel(p, m)}
            </option>
          ))}
          <option value={OTHER_PERSON}>{m.pickup.other}</option>
        </select>
      </Field>

      {other && (
        <>
          <p className="warning" role="note" data-testid="pickup-other-warning">
            {m.pickup.otherWarning}
          </p>
          <Field id="pf-other-name" label={m.pickup.otherName}>
            <input
              id="pf-other-name"
              type="text"
              autoComplete="off"
              maxLength={100}
              data-testid={PICKUP_TEST_IDS.otherName}
              required
              value={draft.otherName}
              onChange={(e) => {
                set({ otherName: e.currentTarget.value });
              }}
            />
          </Field>
          <Field id="pf-other-relation" label={m.pickup.otherRelation}>
            <input
              id="pf-other-relation"
              type="text"
              autoComplete="off"
              maxLength={40}
              data-testid={PICKUP_TEST_IDS.otherRelation}
              placeholder={m.pickup.otherRelationPlaceholder}
              value={draft.otherRelation}
              onChange={(e) => {
                set({ otherRelation: e.currentTarget.value });
              }}
            />
          </Field>
        </>
      )}

      <Field id="pf-note" label={m.pickup.note} hint={m.pickup.replaces}>
        <textarea
          id="pf-note"
          data-testid="pickup-note"
          rows={2}
          maxLength={NOTE_MAX}
          placeholder={m.pickup.notePlaceholder}
          value={draft.note}
          onChange={(e) => {
            set({ note: e.currentTarget.value });
          }}
        />
      </Field>

      <ErrorLine text={troubleText(m, trouble, (p) => m.pickup.problem[p])} />

      <FormActions
        m={m}
        busy={busy}
        waiting={lists.kind === 'loading'}
        cancelTestId="pickup-cancel"
        submitTestId={PICKUP_TEST_IDS.submit}
        onCancel={props.onCancel}
      />
    </form>
  );
}
