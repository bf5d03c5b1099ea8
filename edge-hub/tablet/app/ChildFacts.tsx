import type { ReactNode } from 'react';
import type { TabletChild } from '../../../protocol/tablet.ts';
import { absenceByLine, absenceFromParent, broughtLine, pickedUpLine } from './facts.ts';
import type { Messages } from './messages.ts';
import { PickupFact } from './Pickup.tsx';
import { NoticeBadge } from './widgets.tsx';
import { hhmm } from './state.ts';

/**
 * A child's parent notice of today, the pickup plan a parent sent, times, who brought and picked up (or
 * which staff member entered it), absence and corrections. `pickupOpen`: the plan's details (photo, note)
 * start open, as in the child's sheet.
 */
export function ChildFacts(props: {
  child: TabletChild;
  timeZone: string;
  messages: Messages;
  pickupOpen?: boolean;
}) {
  const { child: c, timeZone, messages: m } = props;
  const method = c.method === null ? null : <span className="fact__method">{m.method[c.method]}</span>;
  const staffIn = c.checkInMethod === 'staff';
  const staffOut = c.checkOutMethod === 'staff';
  return (
    <div className="row__facts">
      {c.parentNotice !== null && (
        <p className="fact fact--notice">
          <NoticeBadge notice={c.parentNotice} messages={m} />
        </p>
      )}
      {c.pickupPlan !== null && (
        <PickupFact
          key={c.pickupPlan.id}
          plan={c.pickupPlan}
          timeZone={timeZone}
          messages={m}
          {...(props.pickupOpen === true && { open: true })}
        />
      )}
      {c.checkInAt !== null && (
        <TimeFact
          kind="in"
          time={m.checkIn(hhmm(c.checkInAt, timeZone))}
          method={c.checkOutAt === null && !staffIn ? method : null}
          by={broughtLine(c, m)}
          byTestId="brought-by"
          staff={staffIn}
        />
      )}
      {c.checkOutAt !== null && (
        <TimeFact
          kind="out"
          time={m.checkOut(hhmm(c.checkOutAt, timeZone))}
          method={staffOut ? null : method}
          by={pickedUpLine(c, m)}
          byTestId="picked-up-by"
          staff={staffOut}
        />
      )}
      {c.absence !== null && (
        <AbsenceFact
          reason={m.reason[c.absence.reason]}
          by={absenceByLine(c, m)}
          parent={absenceFromParent(c)}
        />
      )}
      {c.corrections.length > 0 && (
        <details className="corrections" data-testid="corrections">
          {/* A 44 px touch target around a small pill. */}
          <summary className="corrections__summary">
            <span className="corrections__pill">
              {m.corrected} ({c.corrections.length})
            </span>
          </summary>
          <ul className="corrections__list">
            {c.corrections.map((k, i) => (
              <li key={`${k.at}-${i}`}>
                {m.correctionLine(m.correction[k.kind], k.by, hhmm(k.at, timeZone))}
                {k.note !== undefined && <span className="corrections__note">「{k.note}」</span>}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

/** The absence's reason, and the parent it came from or the note staff wrote. */
function AbsenceFact(props: { reason: string; by: string | null; parent: boolean }) {
  return (
    <p
      className="fact fact--absent"
      data-testid="absence-fact"
      data-from-parent={props.parent ? 'true' : 'false'}
    >
      <strong>{props.reason}</strong>
      {props.by !== null && (
        <span className={`fact__by${props.parent ? ' fact__by--parent' : ''}`}>{props.by}</span>
      )}
    </p>
  );
}

/** A check-in or check-out line: the time, how (not for a staff entry), and who (or which staff member). */
function TimeFact(props: {
  kind: 'in' | 'out';
  time: string;
  method: ReactNode;
  by: string | null;
  byTestId: string;
  staff: boolean;
}) {
  return (
    <p className={`fact fact--${props.kind}`}>
      <strong>{props.time}</strong>
      {props.method}
      {props.by !== null && (
        <span
          className={`fact__by${props.staff ? ' fact__by--staff' : ''}`}
          data-testid={props.byTestId}
          data-staff-entry={props.staff ? 'true' : 'false'}
        >
          {props.by}
        </span>
      )}
    </p>
  );
}
