import { useEffect } from 'react';
import type { ParentNotice } from '../../../protocol/parent-notices.ts';
import { PARENT_TEST_IDS, type ParentChild, type ParentMe } from '../../../protocol/parents.ts';
import { clockTime, dayLabel } from './format.ts';
import type { Locale, Messages } from './messages.ts';
import { NoticeList } from './NoticeList.tsx';
import { noticeSummary } from './notice-text.ts';
import { PushToggle } from './PushToggle.tsx';

/** How long the "notice sent" line stays. */
const SENT_SHOWN_MS = 15_000;

function ChildCard(props: {
  child: ParentChild;
  today: string;
  m: Messages;
  locale: Locale;
  /** The parent has several children: each card opens the form for its own. */
  several: boolean;
  onCompose: (childId: string) => void;
}) {
  const { child, m } = props;
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
      {props.several && (
        <button
          type="button"
          className="quiet compose-child"
          aria-label={m.home.composeFor(child.name)}
          data-testid="notice-open-child"
          onClick={() => {
            props.onCompose(child.childId);
          }}
        >
          {m.notice.title}
        </button>
      )}
    </li>
  );
}

/**
 * The signed-in parent's page: today's status of each of their own children (nobody else's), with the
 * newest notice of each, the button to send one, the notices sent, and notifications on this device.
 */
export function Home(props: {
  me: ParentMe;
  notices: readonly ParentNotice[] | null;
  updatedAt: Date;
  m: Messages;
  locale: Locale;
  error: string | null;
  sent: boolean;
  onSentShown: () => void;
  onCompose: (childId: string | null) => void;
  onSessionEnded: () => void;
  onSignOut: () => void;
}) {
  const { me, m, sent, onSentShown } = props;
  const updated = new Intl.DateTimeFormat(m.intlLocale, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  useEffect(() => {
    if (!sent) return;
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
      {sent && (
        <p className="notice" role="status" data-testid="notice-sent">
          {m.home.sent}
        </p>
      )}
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
              />
            ))}
          </ul>
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
        </>
      )}
      {props.error !== null && (
        <p className="error" role="alert" data-testid={PARENT_TEST_IDS.error}>
          {props.error}
        </p>
      )}
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
