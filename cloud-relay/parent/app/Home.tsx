import { PARENT_TEST_IDS, type ParentChild, type ParentMe } from '../../../protocol/parents.ts';
import { clockTime, dayLabel } from './format.ts';
import type { Locale, Messages } from './messages.ts';

function ChildCard(props: { child: ParentChild; m: Messages }) {
  const { child, m } = props;
  const time = (instant: string | null) => (instant === null ? m.home.none : clockTime(instant));
  return (
    <li
      className={`child status-${child.status}`}
      data-testid={PARENT_TEST_IDS.child}
      data-child-id={child.childId}
      data-status={child.status}
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
    </li>
  );
}

/** The signed-in parent's page: today's status of each of their own children, nobody else's. */
export function Home(props: {
  me: ParentMe;
  updatedAt: Date;
  m: Messages;
  locale: Locale;
  error: string | null;
  onSignOut: () => void;
}) {
  const { me, m } = props;
  const updated = new Intl.DateTimeFormat(m.intlLocale, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
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
      <h3>{m.home.today(dayLabel(me.date, props.locale))}</h3>
      {me.children.length === 0 ? (
        <p className="empty">{m.home.noChildren}</p>
      ) : (
        <ul className="children">
          {me.children.map((child) => (
            <ChildCard key={child.childId} child={child} m={m} />
          ))}
        </ul>
      )}
      <p className="updated">{m.home.updated(updated.format(props.updatedAt))}</p>
      {props.error !== null && (
        <p className="error" role="alert" data-testid={PARENT_TEST_IDS.error}>
          {props.error}
        </p>
      )}
    </section>
  );
}
