import { useEffect, useMemo, useState, type Dispatch, type ReactNode } from 'react';
import { lockedOutSeconds } from '../common/messages.ts';
import {
  UI_TEST_IDS,
  type GenkanKioskApi,
  type GuardianChoice,
  type MaintenanceView,
  type PairingView,
  type RecentEvent,
  type UiReply,
} from '../common/ui-api.ts';
import type { Messages } from './messages.ts';
import type { Action } from './state.ts';
import { filterGuardians, skewParts } from './view.ts';

/** The staff screens: the corner button, the PIN pad, maintenance with card enrolment, and pairing. */

/** The PIN pad closes itself when left alone this long (a parent may have opened it by chance). */
const PIN_PAD_IDLE_MS = 30_000;
const PIN_MAX = 12;
const PIN_MIN = 4;

/** Small, in a corner, and labelled for staff: not something a parent presses to check in. */
export function StaffButton({ m, dispatch }: { m: Messages; dispatch: Dispatch<Action> }) {
  return (
    <button
      type="button"
      className="staff-button"
      data-testid={UI_TEST_IDS.maintenanceButton}
      aria-label={m.staff.buttonLabel}
      onClick={() => {
        dispatch({ type: 'open_pin_pad' });
      }}
    >
      <LockIcon />
      {m.staff.button}
    </button>
  );
}

function LockIcon() {
  return (
    <svg className="icon" viewBox="0 0 24 24" aria-hidden="true">
      <rect x="5" y="11" width="14" height="10" rx="2" />
      <path d="M8 11V8a4 4 0 0 1 8 0v3" />
    </svg>
  );
}

function pinError(reply: Extract<UiReply, { ok: false }>, m: Messages): string {
  switch (reply.code) {
    case 'bad_pin':
    case 'bad_command':
      return m.staff.badPin;
    case 'locked_out': {
      const seconds = lockedOutSeconds(reply.message);
      return m.staff.lockedOut(seconds === undefined ? undefined : Math.ceil(seconds / 60));
    }
    case 'no_pin':
      return m.staff.noPin;
    default:
      return m.staff.failed(reply.code);
  }
}

export function PinPad({
  api,
  m,
  dispatch,
  header,
}: {
  api: GenkanKioskApi;
  m: Messages;
  dispatch: Dispatch<Action>;
  header: ReactNode;
}) {
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // Every change of the entry restarts the idle timer.
  useEffect(() => {
    const id = window.setTimeout(() => {
      dispatch({ type: 'close_pin_pad' });
    }, PIN_PAD_IDLE_MS);
    return () => {
      window.clearTimeout(id);
    };
  }, [dispatch, pin, error]);

  const type = (next: string): void => {
    setPin(next.replace(/[^0-9]/g, '').slice(0, PIN_MAX));
    setError(null);
  };
  const submit = (): void => {
    if (busy || pin.length < PIN_MIN) return;
    setBusy(true);
    void api.openMaintenance(pin).then((reply) => {
      setBusy(false);
      setPin('');
      // On success the maintenance event replaces this pad.
      if (!reply.ok) setError(pinError(reply, m));
    });
  };

  return (
    <section className="staff pin">
      {header}
      <form
        className="pin__body"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <div className="pin__head">
          <h1 className="pin__title">{m.staff.pinTitle}</h1>
          <p className="pin__sub">{m.staff.pinSub}</p>
        </div>
        <input
          className="pin__input"
          data-testid={UI_TEST_IDS.pinInput}
          type="password"
          inputMode="numeric"
          autoComplete="off"
          maxLength={PIN_MAX}
          aria-label={m.staff.pinTitle}
          value={pin}
          onChange={(e) => {
            type(e.target.value);
          }}
        />
        <p className="pin__error" role="alert">
          {error ?? ''}
        </p>
        <div className="pin__pad">
          {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => (
            <button
              key={d}
              type="button"
              className="btn btn--secondary pin__key"
              onClick={() => {
                type(pin + d);
              }}
            >
              {d}
            </button>
          ))}
          <button
            type="button"
            className="btn btn--secondary pin__key pin__key--small"
            onClick={() => {
              type('');
            }}
          >
            {m.staff.pinClear}
          </button>
          <button
            type="button"
            className="btn btn--secondary pin__key"
            onClick={() => {
              type(`${pin}0`);
            }}
          >
            0
          </button>
          <button
            type="button"
            className="btn btn--secondary pin__key"
            aria-label={m.staff.pinDelete}
            onClick={() => {
              type(pin.slice(0, -1));
            }}
          >
            ⌫
          </button>
        </div>
        <div className="pin__actions">
          <button
            type="button"
            className="btn btn--secondary"
            onClick={() => {
              dispatch({ type: 'close_pin_pad' });
            }}
          >
            {m.staff.pinCancel}
          </button>
          <button
            type="submit"
            className="btn btn--primary"
            data-testid={UI_TEST_IDS.pinSubmit}
            disabled={busy || pin.length < PIN_MIN}
          >
            {m.staff.pinSubmit}
          </button>
        </div>
      </form>
    </section>
  );
}

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

function GuardianPicker({
  guardians,
  m,
  onChoose,
}: {
  guardians: readonly GuardianChoice[];
  m: Messages;
  onChoose: (guardian: GuardianChoice) => void;
}) {
  const [query, setQuery] = useState('');
  const shown = useMemo(() => filterGuardians(guardians, query), [guardians, query]);
  return (
    <>
      <input
        className="search"
        data-testid={UI_TEST_IDS.guardianSearch}
        type="search"
        autoComplete="off"
        placeholder={m.staff.search}
        aria-label={m.staff.search}
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
        }}
      />
      {shown.length === 0 ? (
        <p className="panel__empty">{guardians.length === 0 ? m.staff.noGuardians : m.staff.noMatch}</p>
      ) : (
        <ul className="guardians">
          {shown.map((g) => (
            <li key={g.id}>
              <button
                type="button"
                className="guardian"
                data-testid={UI_TEST_IDS.guardianChoice}
                data-guardian-id={g.id}
                onClick={() => {
                  onChoose(g);
                }}
              >
                <span className="guardian__text">
                  <span className="guardian__name">{g.name}</span>
                  <span className="guardian__children">
                    {g.children.map((c) => (c.kana === '' ? c.name : `${c.name}（${c.kana}）`)).join('、')}
                  </span>
                </span>
                <span className="guardian__cards">{m.staff.cards(g.cards)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function Enrollment({ view, api, m }: { view: MaintenanceView; api: GenkanKioskApi; m: Messages }) {
  const [startError, setStartError] = useState<string | null>(null);
  const { enrollment } = view;
  const status = enrollment.status;
  return (
    <section
      className={`panel enroll enroll--${status}`}
      data-testid={UI_TEST_IDS.enrollmentStatus}
      data-status={status}
    >
      <h2 className="panel__title">{m.staff.enrollTitle}</h2>
      {status === 'idle' ? (
        <>
          <p className="panel__sub">{m.staff.enrollSub}</p>
          {startError !== null && (
            <p className="enroll__error" role="alert">
              {startError}
            </p>
          )}
          <GuardianPicker
            guardians={view.guardians}
            m={m}
            onChoose={(g) => {
              setStartError(null);
              void api.startEnrollment(g.id).then((reply) => {
                if (!reply.ok) setStartError(m.staff.enrollError(reply.code));
              });
            }}
          />
        </>
      ) : (
        <div className="enroll__panel" role="status" aria-live="polite">
          {status === 'waiting_card' && <CardIcon />}
          {status === 'sending' && <span className="spinner" aria-hidden="true" />}
          {status === 'done' && (
            <span className="enroll__mark enroll__mark--done" aria-hidden="true">
              ✓
            </span>
          )}
          {status === 'failed' && (
            <span className="enroll__mark enroll__mark--failed" aria-hidden="true">
              !
            </span>
          )}
          <p className="enroll__title">{m.staff.enrollStatus[status]}</p>
          {enrollment.guardianName !== undefined && (
            <p className="enroll__who">
              {status === 'done'
                ? m.staff.enrolledFor(enrollment.guardianName)
                : status === 'failed'
                  ? m.staff.enrollGuardian(enrollment.guardianName)
                  : m.staff.enrollFor(enrollment.guardianName)}
            </p>
          )}
          <p className="enroll__body">
            {status === 'done'
              ? m.staff.enrollDone
              : status === 'failed'
                ? m.staff.enrollError(enrollment.code ?? 'error')
                : m.staff.enrollHint}
          </p>
          <button
            type="button"
            className={`btn ${status === 'done' ? 'btn--primary' : 'btn--secondary'}`}
            onClick={() => {
              void api.cancelEnrollment();
            }}
          >
            {status === 'done' || status === 'failed' ? m.staff.enrollBack : m.staff.enrollCancel}
          </button>
        </div>
      )}
    </section>
  );
}

/** A card held over a reader: the one thing to do now. */
function CardIcon() {
  return (
    <svg className="enroll__icon" viewBox="0 0 120 80" aria-hidden="true">
      <rect x="20" y="46" width="80" height="28" rx="6" className="icon-reader" />
      <rect x="30" y="6" width="60" height="38" rx="5" className="icon-card" transform="rotate(-8 60 25)" />
      <rect x="38" y="14" width="14" height="10" rx="2" className="icon-chip" transform="rotate(-8 60 25)" />
    </svg>
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
        <span className="band__icon band__icon--info" aria-hidden="true">
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

export function PairingScreen({
  view,
  m,
  camera,
  toggle,
}: {
  view: PairingView | null;
  m: Messages;
  /** The camera preview, large; null without a camera. */
  camera: ReactNode;
  toggle: ReactNode;
}) {
  const status = view?.status ?? 'waiting';
  return (
    <section className="pairing" data-testid={UI_TEST_IDS.pairing} data-status={status}>
      <header className="topbar">
        <h1 className="topbar__facility">Genkan</h1>
        {toggle}
      </header>
      <div className="pairing__body">
        <div className="pairing__text">
          <h2 className="pairing__title">{m.pairing.title}</h2>
          <p className="pairing__instructions">{m.pairing.body}</p>
          <div className={`pairing__status pairing__status--${status}`} role="status" aria-live="polite">
            {status === 'working' && <span className="spinner spinner--small" aria-hidden="true" />}
            {status === 'failed' && (
              <span className="enroll__mark enroll__mark--failed" aria-hidden="true">
                !
              </span>
            )}
            <div>
              <strong>{m.pairing[status]}</strong>
              {status === 'failed' && (
                <p className="pairing__error">{m.pairing.error(view?.code ?? 'error')}</p>
              )}
              {view?.hub !== undefined && <p className="pairing__hub">{view.hub}</p>}
            </div>
          </div>
        </div>
        <div className="pairing__camera">
          {camera ?? <p className="panel__empty">{m.pairing.noCamera}</p>}
        </div>
      </div>
    </section>
  );
}
