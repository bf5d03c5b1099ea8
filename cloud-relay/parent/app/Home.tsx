import { useEffect } from 'react';
import type { ParentNotice } from '../../../protocol/parent-notices.ts';
import { PICKUP_TEST_IDS } from '../../../protocol/parent-pickups.ts';
import { PARENT_TEST_IDS, type ParentChild, type ParentMe } from '../../../protocol/parents.ts';
import type { FacilityNoticeItem } from './facility-notices-api.ts';
import { unreadCount } from './FacilityNotices.tsx';
import { ErrorLine } from './Field.tsx';
import { clockTime, dayLabel } from './format.ts';
import type { Locale, Messages } from './messages.ts';
import { NoticeList } from './NoticeList.tsx';
import { noticeSummary } from './notice-text.ts';
import { pickupSummary } from './pickup-text.ts';
import { PushToggle } from './PushToggle.tsx';

/** What was just sent (its line shows on the home page for a while). */
export type Sent = 'notice' | 'pickup';

/** How long the "notice sent" line stays. */
const SENT_SHOWN_MS = 15_000;

/** A child card's button that opens a form for that child. */
function CardAction(props: {
  label: string;
  text: string;
  testId: string;
  childId: string;
  onOpen: (childId: string) => void;
}) {
  return (
    <button
      type="button"
      className="quiet compose-child"
      aria-label={props.label}
      data-testid={props.testId}
      onClick={() => {
        props.onOpen(props.childId);
      }}
    >
      {props.text}
    </button>
  );
}

function ChildCard(props: {
  child: ParentChild;
  today: string;
  m: Messages;
  locale: Locale;
  /** The parent has several children: each card opens the form for its own. */
  several: boolean;
  onCompose: (childId: string) => void;
  onPickup: (childId: string) => void;
}) {
  const { child, m } = props;
  const pickup = child.pickup;
  const time = (instant: string | null) => (instant === null ? m.home.none : clockTime(instant));
  // The newest notice covering today or later (the cloud sends them newest first).
  const latest = child.notices[0];
  return (
    <li
      className={`child status-${child.status}`}
      data-testid={PARENT_TEST_IDS.child}
      data-child-id={child.childId}
      data-status={child.status}
      data-notice-status={latest?.status}
    >
      <div className="who">
        <span className="name">{child.name}</span>
        <span className="class">{child.className}</span>
      </div>
      <p className="status">{m.status[child.status]}</p>
      <dl className="times">
        <div>
          <dt>{m.home.checkIn}</dt>
          <dd>{time(child.checkInAt)}</dd>
        </div>
        <div>
          <dt>{m.home.checkOut}</dt>
          <dd>{time(child.checkOutAt)}</dd>
        </div>
      </dl>
      {latest !== undefined && (
        <p className={`latest notice-${latest.status}`} data-testid="child-notice">
          <span>{noticeSummary(latest, props.today, m, props.locale)}</span>
          <span className={`badge badge-${latest.status}`}>{m.notice.status[latest.status]}</span>
        </p>
      )}
      {pickup !== null && (
        <p
          className={`latest pickup-${pickup.status}`}
          data-testid={PICKUP_TEST_IDS.childPlan}
          data-pickup-status={pickup.status}
          data-someone-else={pickup.person.kind === 'other' ? 'true' : 'false'}
        >
          <span>{pickupSummary(pickup, m)}</span>
          <span className={`badge badge-${pickup.status}`}>{m.pickup.status[pickup.status]}</span>
        </p>
      )}
      {props.several && (
        <div className="card-actions">
          <CardAction
            label={m.home.composeFor(child.name)}
            text={m.notice.openShort}
            testId="notice-open-child"
            onOpen={props.onCompose}
            childId={child.childId}
          />
          <CardAction
            label={m.pickup.openFor(child.name)}
            text={m.pickup.openShort}
            testId="pickup-open-child"
            onOpen={props.onPickup}
            childId={child.childId}
          />
        </div>
      )}
    </li>
  );
}

/**
 * The signed-in parent's page: today's status of each of their own children (nobody else's), with the
 * newest notice and today's pickup plan of each, the buttons to send either, the facility's notices (with
 * how many are unread), the notices sent, and notifications on this device.
 */
export function Home(props: {
  me: ParentMe;
  notices: readonly ParentNotice[] | null;
  facilityNotices: readonly FacilityNoticeItem[] | null;
  updatedAt: Date;
  m: Messages;
  locale: Locale;
  error: string | null;
  sent: Sent | null;
  onSentShown: () => void;
  onCompose: (childId: string | null) => void;
  onPickup: (childId: string | null) => void;
  onFacilityNotices: () => void;
  onSessionEnded: () => void;
  onSignOut: () => void;
}) {
  const { me, m, sent, onSentShown } = props;
  const unread = unreadCount(props.facilityNotices);
  const updated = new Intl.DateTimeFormat(m.intlLocale, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  useEffect(() => {
    if (sent === null) return;
    const timer = window.setTimeout(onSentShown, SENT_SHOWN_MS);
    return () => {
      window.clearTimeout(timer);
    };
  }, [sent, onSentShown]);
  return (
    <section className="home">
      <div className="home-head">
        <div>
          <p className="facility">{me.facilityName}</p>
          <h2>{m.home.greeting(me.guardian.name)}</h2>
        </div>
        <button
          type="button"
          className="quiet"
          data-testid={PARENT_TEST_IDS.signOut}
          onClick={props.onSignOut}
        >
          {m.home.signOut}
        </button>
      </div>
      {sent !== null && (
        <p className="notice" role="status" data-testid={`${sent}-sent`}>
          {sent === 'notice' ? m.home.sent : m.pickup.sent}
        </p>
      )}
      <button
        type="button"
        className={`news-open${unread > 0 ? ' has-unread' : ''}`}
        data-testid="facility-notices-open"
        onClick={props.onFacilityNotices}
      >
        <span>{m.facilityNotices.open}</span>
        {unread > 0 && (
          <span className="badge badge-unread" data-testid="facility-notices-unread" data-count={unread}>
            {m.facilityNotices.unread(unread)}
          </span>
        )}
      </button>
      <h3>{m.home.today(dayLabel(me.date, props.locale))}</h3>
      {me.children.length === 0 ? (
        <p className="empty">{m.home.noChildren}</p>
      ) : (
        <>
          <ul className="children">
            {me.children.map((child) => (
              <ChildCard
                key={child.childId}
                child={child}
                today={me.date}
                m={m}
                locale={props.locale}
                several={me.children.length > 1}
                onCompose={props.onCompose}
                onPickup={props.onPickup}
              />
            ))}
          </ul>
          <div className="home-actions">
            <button
              type="button"
              className="primary"
              data-testid="notice-open"
              onClick={() => {
                props.onCompose(null);
              }}
            >
              {m.home.compose}
            </button>
            <button
              type="button"
              className="primary"
              data-testid={PICKUP_TEST_IDS.open}
              onClick={() => {
                props.onPickup(null);
              }}
            >
              {m.pickup.open}
            </button>
          </div>
        </>
      )}
      <ErrorLine text={props.error} />
      {props.notices !== null && (
        <>
          <h3>{m.notice.history}</h3>
          <NoticeList
            notices={props.notices}
            children={me.children}
            today={me.date}
            m={m}
            locale={props.locale}
          />
        </>
      )}
      <PushToggle m={m} onSessionEnded={props.onSessionEnded} />
      <p className="updated">{m.home.updated(updated.format(props.updatedAt))}</p>
    </section>
  );
}
