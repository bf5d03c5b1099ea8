import { useState } from 'react';
import { PICKUP_TEST_IDS, type TabletPickupPlan } from '../../../protocol/parent-pickups.ts';
import type { Messages } from './messages.ts';
import { pickupLine, pickupPhotoUrl, pickupWho } from './pickup.ts';

/**
 * Today's pickup plan on a child's row (お迎え 17:30 祖母 山田 花子), flagged when the parent named someone
 * not on the child's list. A touch opens the details: the person's photo (from the hub), the parent's
 * note and who sent it. The child's sheet opens with the details shown.
 */
export function PickupFact(props: { plan: TabletPickupPlan; messages: Messages; open?: boolean }) {
  const { plan, messages: m } = props;
  const [open, setOpen] = useState(props.open === true);
  const who = pickupWho(plan);
  const detailsId = `pickup-details-${plan.id}`;
  return (
    <div className={`fact fact--pickup${plan.someoneElse ? ' fact--pickup-other' : ''}`}>
      <button
        type="button"
        className="pickup__line"
        data-testid={PICKUP_TEST_IDS.tabletPlan}
        data-someone-else={plan.someoneElse ? 'true' : 'false'}
        data-plan-id={plan.id}
        aria-expanded={open}
        aria-controls={detailsId}
        aria-label={`${pickupLine(plan, m)}${plan.someoneElse ? `・${m.pickup.someoneElse}` : ''}`}
        title={m.pickup.show(who)}
        onClick={() => {
          setOpen(!open);
        }}
      >
        <strong className="pickup__time">{m.pickup.label(plan.time)}</strong>
        <span className="pickup__who">{who}</span>
        {plan.someoneElse && (
          <span className="pickup__flag" data-testid="pickup-flag">
            <span aria-hidden="true">!</span>
            {m.pickup.someoneElse}
          </span>
        )}
        <span className="pickup__chevron" aria-hidden="true">
          {open ? '▴' : '▾'}
        </span>
      </button>
      {open && <PickupDetails id={detailsId} plan={plan} who={who} messages={m} />}
    </div>
  );
}

function PickupDetails(props: { id: string; plan: TabletPickupPlan; who: string; messages: Messages }) {
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
      </div>
    </div>
  );
}

/** A compact tile has room for a mark only (迎, and ! when flagged): its sheet shows the plan in full. */
export function PickupMarker(props: { plan: TabletPickupPlan; messages: Messages }) {
  const { plan, messages: m } = props;
  const text = pickupLine(plan, m);
  return (
    <span
      className={`tile__pickup${plan.someoneElse ? ' tile__pickup--other' : ''}`}
      data-testid="pickup-marker"
      data-someone-else={plan.someoneElse ? 'true' : 'false'}
      title={plan.someoneElse ? `${text}・${m.pickup.someoneElse}` : text}
    >
      {m.pickup.marker}
      {plan.someoneElse && '!'}
    </span>
  );
}
