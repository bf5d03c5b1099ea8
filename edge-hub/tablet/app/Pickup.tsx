import { useCallback, useState } from 'react';
import { PICKUP_TEST_IDS, type TabletPickupPlan } from '../../../protocol/parent-pickups.ts';
import { confirmPickup } from './api.ts';
import type { Messages } from './messages.ts';
import { pickupFlag, pickupLine, pickupPhotoUrl, pickupState, pickupWho } from './pickup.ts';
import { hhmm } from './state.ts';

/**
 * Today's pickup plan on a child's row (お迎え 17:30 祖母 山田 花子), flagged when the parent named someone
 * not on the child's list. A touch opens the details: the person's photo (from the hub), the parent's
 * note, who sent it, and 確認 until a staff member confirmed the plan (the parent's card then shows 確認済).
 * The child's sheet opens with the details shown.
 */

type Failure = { readonly code: string; readonly status: number | null };

export function PickupFact(props: {
  plan: TabletPickupPlan;
  timeZone: string;
  messages: Messages;
  open?: boolean;
}) {
  const { messages: m } = props;
  const [open, setOpen] = useState(props.open === true);
  // This tablet's confirmation, shown until the hub's roll-call says read itself (its push follows).
  const [answer, setAnswer] = useState<TabletPickupPlan | null>(null);
  const [sending, setSending] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const plan =
    props.plan.status === 'sent' && answer?.id === props.plan.id && answer.status === 'read'
      ? answer
      : props.plan;
  const planId = plan.id;

  const confirm = useCallback(async (): Promise<void> => {
    setSending(true);
    setFailure(null);
    const result = await confirmPickup(planId);
    setSending(false);
    if (result.ok) {
      setAnswer(result.value);
      return;
    }
    // A session that ended shows as such here; the roll-call's next refresh signs the tablet out.
    const f = result.failure;
    setFailure(
      f.kind === 'http'
        ? { code: f.code, status: f.status }
        : { code: f.kind === 'network' ? 'network' : 'invalid_answer', status: null },
    );
  }, [planId]);

  const who = pickupWho(plan);
  const flag = pickupFlag(plan, m);
  const state = pickupState(plan, m);
  const read = plan.status === 'read';
  const detailsId = `pickup-details-${plan.id}`;
  return (
    <div
      className={`fact fact--pickup${plan.someoneElse ? ' fact--pickup-other' : ''}${read ? ' fact--pickup-read' : ''}`}
    >
      <button
        type="button"
        className="pickup__line"
        data-testid={PICKUP_TEST_IDS.tabletPlan}
        data-someone-else={plan.someoneElse ? 'true' : 'false'}
        data-status={plan.status}
        data-plan-id={plan.id}
        aria-expanded={open}
        aria-controls={detailsId}
        aria-label={`${pickupLine(plan, m)}${state === null ? '' : `・${state}`}`}
        title={m.pickup.show(who)}
        onClick={() => {
          setOpen(!open);
        }}
      >
        <strong className="pickup__time">{m.pickup.label(plan.time)}</strong>
        <span className="pickup__who">{who}</span>
        {flag !== null && (
          <span className={`pickup__flag${read ? ' pickup__flag--read' : ''}`} data-testid="pickup-flag">
            <span aria-hidden="true">{read ? '✓' : '!'}</span>
            {flag}
          </span>
        )}
        {flag === null && state !== null && (
          <span className="pickup__done" data-testid="pickup-done">
            <span aria-hidden="true">✓</span>
            {state}
          </span>
        )}
        <span className="pickup__chevron" aria-hidden="true">
          {open ? '▴' : '▾'}
        </span>
      </button>
      {open && (
        <PickupDetails
          id={detailsId}
          plan={plan}
          who={who}
          timeZone={props.timeZone}
          messages={m}
          sending={sending}
          failure={failure}
          onConfirm={confirm}
        />
      )}
    </div>
  );
}

function PickupDetails(props: {
  id: string;
  plan: TabletPickupPlan;
  who: string;
  timeZone: string;
  messages: Messages;
  sending: boolean;
  failure: Failure | null;
  onConfirm: () => Promise<void>;
}) {
  const { plan, messages: m } = props;
  const photo = pickupPhotoUrl(plan);
  return (
    <div className="pickup__details" id={props.id} data-testid="pickup-details">
      {photo === null ? (
        !plan.someoneElse && <p className="pickup__nophoto">{m.pickup.noPhoto}</p>
      ) : (
        <img
          className="pickup__photo"
          data-testid="pickup-photo"
          src={photo}
          alt={m.pickup.photoAlt(props.who)}
          width={120}
          height={120}
          decoding="async"
        />
      )}
      <div className="pickup__text">
        {plan.note !== undefined && plan.note !== '' && (
          <p className="pickup__note" data-testid="pickup-note">
            「{plan.note}」
          </p>
        )}
        <p className="pickup__from" data-testid="pickup-from">
          {m.pickup.from(plan.guardianName)}
        </p>
        {plan.status === 'read' ? (
          <p className="pickup__confirmed" data-testid="pickup-confirmed">
            <span className="mark mark--ok" aria-hidden="true">
              ✓
            </span>
            {m.pickup.confirmed(
              plan.readBy ?? null,
              plan.readAt === undefined ? null : hhmm(plan.readAt, props.timeZone),
            )}
          </p>
        ) : (
          <>
            <button
              type="button"
              className="btn btn--primary pickup__confirm"
              data-testid={PICKUP_TEST_IDS.tabletConfirm}
              aria-label={m.pickup.confirmLabel(props.who)}
              disabled={props.sending}
              onClick={() => {
                void props.onConfirm();
              }}
            >
              {props.sending ? m.pickup.confirming : m.pickup.confirm}
            </button>
            {props.failure !== null && (
              <p className="pickup__error" role="alert" data-testid="pickup-error">
                {m.pickup.failed(props.failure.code, props.failure.status)}
              </p>
            )}
          </>
        )}
      </div>
    </div>
  );
}

/**
 * A compact tile has room for a mark only (迎, and ! when flagged, ✓ once that is confirmed): its sheet
 * shows the plan in full.
 */
export function PickupMarker(props: { plan: TabletPickupPlan; messages: Messages }) {
  const { plan, messages: m } = props;
  const text = pickupLine(plan, m);
  const state = pickupState(plan, m);
  const read = plan.status === 'read';
  return (
    <span
      className={`tile__pickup${plan.someoneElse ? ' tile__pickup--other' : ''}${read ? ' tile__pickup--read' : ''}`}
      data-testid="pickup-marker"
      data-someone-else={plan.someoneElse ? 'true' : 'false'}
      data-status={plan.status}
      title={state === null ? text : `${text}・${state}`}
    >
      {m.pickup.marker}
      {plan.someoneElse && (read ? '✓' : '!')}
    </span>
  );
}
