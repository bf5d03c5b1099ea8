import type { ReactNode } from 'react';
import {
  UI_TEST_IDS,
  type GenkanKioskApi,
  type MaintenanceView,
  type RecentEvent,
} from '../../common/ui-api.ts';
import type { Messages } from '../messages.ts';
import { skewParts } from '../view.ts';
import { Enrollment } from './enrollment.tsx';
import { LockIcon } from './icons.tsx';

/** The staff-only maintenance screen: the kiosk's health, its recent events, and card enrolment. */

function timeOf(at: string, intlLocale: string, timeZone: string): string {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) return '';
  const format = (zone: string) =>
    new Intl.DateTimeFormat(intlLocale, {
      timeZone: zone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(ms);
  try {
    return format(timeZone);
  } catch {
    return format('Asia/Tokyo');
  }
}

function Tile({
  label,
  value,
  tone,
  sub,
  wide = false,
  hooks,
}: {
  label: string;
  value: string;
  tone?: 'ok' | 'warn';
  sub?: string;
  /** A row of its own. */
  wide?: boolean;
  /** Test hooks (data-testid and data attributes). */
  hooks?: Record<`data-${string}`, string>;
}) {
  return (
    <div
      className={`tile${tone === undefined ? '' : ` tile--${tone}`}${wide ? ' tile--wide' : ''}`}
      {...hooks}
    >
      <span className="tile__label">{label}</span>
      <strong className="tile__value">{value}</strong>
      {sub !== undefined && <span className="tile__sub">{sub}</span>}
    </div>
  );
}

function RecentList({
  recent,
  m,
  timeZone,
}: {
  recent: readonly RecentEvent[];
  m: Messages;
  timeZone: string;
}) {
  if (recent.length === 0) return <p className="panel__empty">{m.staff.noRecent}</p>;
  return (
    <ol className="recent">
      {recent.map((e) => (
        <li key={e.id} className="recent__row" data-event-id={e.id} data-delivery={e.delivery}>
          <span className="recent__time">{timeOf(e.at, m.intlLocale, timeZone)}</span>
          <span className="recent__name">{e.childName}</span>
          <span className={`chip chip--${e.type}`}>{m.staff.eventType[e.type]}</span>
          <span className={`chip chip--${e.delivery}`}>
            {m.staff.delivery[e.delivery]}
            {e.code !== undefined && ` (${e.code})`}
          </span>
        </li>
      ))}
    </ol>
  );
}

/** 時計のずれ: 3時間0分遅れ (ハブの時刻を使用中); a warning while unchecked or corrected. */
function ClockTile({ clock, m }: { clock: MaintenanceView['clock']; m: Messages }) {
  return (
    <Tile
      label={m.staff.clock}
      value={clock.synced ? m.staff.clockSkew(skewParts(clock.skewMs)) : m.staff.clockUnsynced}
      tone={clock.synced && !clock.corrected ? 'ok' : 'warn'}
      wide
      sub={
        !clock.synced
          ? m.staff.clockUnsyncedSub
          : clock.corrected
            ? m.staff.clockCorrected
            : m.staff.clockLocal
      }
      hooks={{
        'data-testid': UI_TEST_IDS.maintenanceClock,
        'data-skew-ms': String(clock.skewMs),
        'data-corrected': String(clock.corrected),
        'data-synced': String(clock.synced),
      }}
    />
  );
}

export function MaintenanceScreen({
  view,
  api,
  m,
  timeZone,
  toggle,
}: {
  view: MaintenanceView;
  api: GenkanKioskApi;
  m: Messages;
  timeZone: string;
  toggle: ReactNode;
}) {
  return (
    <section
      className="staff maint"
      data-testid={UI_TEST_IDS.maintenance}
      data-online={String(view.online)}
      data-outbox={view.outbox}
    >
      <header className="band staff__band">
        <span className="mark band__icon band__icon--info" aria-hidden="true">
          <LockIcon />
        </span>
        <div className="staff__heading">
          <h1 className="band__title band__title--notice">{m.staff.title}</h1>
          <p className="staff__note">{m.staff.autoLock(Math.round(view.idleLockMs / 60_000))}</p>
        </div>
        {toggle}
        <button
          type="button"
          className="btn btn--primary staff__close"
          data-testid={UI_TEST_IDS.maintenanceClose}
          onClick={() => {
            void api.closeMaintenance();
          }}
        >
          {m.staff.close}
        </button>
      </header>
      <div className="maint__body">
        <div className="maint__col">
          <div className="tiles">
            <Tile
              label={m.staff.hub}
              value={view.online ? m.staff.online : m.staff.offline}
              tone={view.online ? 'ok' : 'warn'}
              sub={view.hubUrl}
            />
            <Tile
              label={m.staff.outbox}
              value={String(view.outbox)}
              {...(view.outbox > 0 && { tone: 'warn' })}
            />
            <Tile label={m.staff.inFlight} value={String(view.inFlight)} />
            <Tile label={m.staff.roster} value={m.staff.rosterVersion(view.rosterVersion)} />
            <ClockTile clock={view.clock} m={m} />
          </div>
          <section className="panel">
            <h2 className="panel__title">{m.staff.readers}</h2>
            {view.readers.length === 0 ? (
              <p className="panel__empty">{m.staff.noReaders}</p>
            ) : (
              <ul className="readers">
                {view.readers.map((r, i) => (
                  <li key={`${r.name}-${String(i)}`} className="readers__item">
                    <span className={`dot${r.attached ? ' dot--ok' : ' dot--warn'}`} aria-hidden="true" />
                    <span className="readers__name">{r.name}</span>
                    <span className="readers__state">{r.attached ? m.staff.attached : m.staff.detached}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section className="panel panel--grow">
            <h2 className="panel__title">{m.staff.recent}</h2>
            <RecentList recent={view.recent} m={m} timeZone={timeZone} />
          </section>
        </div>
        <div className="maint__col">
          <Enrollment view={view} api={api} m={m} />
        </div>
      </div>
    </section>
  );
}
