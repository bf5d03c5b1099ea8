import { useCallback, useState, type Dispatch } from 'react';
import {
  TABLET_TEST_IDS,
  type Counts,
  type TabletClass,
  type TabletRollcall,
} from '../../../protocol/tablet.ts';
import { putStaffOnDuty, isUnauthorized } from './api.ts';
import { ActionDialog } from './ActionDialog.tsx';
import { ChildRow } from './ChildRow.tsx';
import type { Messages } from './messages.ts';
import {
  attentionEntries,
  countsOf,
  hhmm,
  isStale,
  visibleChildren,
  type Action,
  type AppState,
  type ChildEntry,
  type RowAction,
} from './state.ts';
import { LangToggle } from './widgets.tsx';

export interface Pending {
  readonly entry: ChildEntry;
  readonly action: RowAction;
}

function dateText(date: string, intlLocale: string): string {
  // The roll-call's own date (the facility's day), formatted without a time zone shift.
  const d = new Date(`${date}T12:00:00Z`);
  return new Intl.DateTimeFormat(intlLocale, {
    timeZone: 'UTC',
    month: 'long',
    day: 'numeric',
    weekday: 'short',
  }).format(d);
}

export function Rollcall(props: {
  state: AppState;
  now: number;
  messages: Messages;
  dispatch: Dispatch<Action>;
  onSignOut: () => void;
  onUnauthorized: () => void;
}) {
  const { state, now, messages: m, dispatch } = props;
  const [pending, setPending] = useState<Pending | null>(null);
  const stale = isStale(state, now);
  const rollcall = state.rollcall;
  const timeZone = rollcall?.timeZone ?? 'Asia/Tokyo';

  return (
    <div
      className={`rollcall${stale ? ' rollcall--stale' : ''}`}
      data-testid={TABLET_TEST_IDS.rollcall}
      data-stale={stale ? 'true' : 'false'}
    >
      <header className="top">
        <div className="top__where">
          <span className="top__facility">{rollcall?.facilityName ?? m.appName}</span>
          {rollcall !== null && <span className="top__date">{dateText(rollcall.date, m.intlLocale)}</span>}
        </div>
        <span className="top__clock" aria-label="clock">
          {hhmm(new Date(now).toISOString(), timeZone)}
        </span>
        <div className="top__who">
          <span className="top__staff" data-testid="staff-name">
            {m.signedInAs(state.session?.staff.name ?? '')}
          </span>
          <LangToggle
            messages={m}
            onToggle={() => {
              dispatch({ type: 'toggle_locale' });
            }}
          />
          <button
            type="button"
            className="btn btn--quiet"
            data-testid={TABLET_TEST_IDS.signOut}
            onClick={props.onSignOut}
          >
            {m.signOut}
          </button>
        </div>
      </header>
      {stale && (
        <p className="stale" role="status" data-testid="stale-banner">
          <span className="stale__dot" aria-hidden="true" />
          {m.stale}
        </p>
      )}
      {rollcall === null ? (
        <p className="boot">{m.loading}</p>
      ) : (
        <Body
          state={state}
          rollcall={rollcall}
          messages={m}
          dispatch={dispatch}
          onAction={setPending}
          onUnauthorized={props.onUnauthorized}
        />
      )}
      {pending !== null && rollcall !== null && (
        <ActionDialog
          key={`${pending.entry.child.id}:${pending.action}`}
          pending={pending}
          rollcall={rollcall}
          messages={m}
          onClose={() => {
            setPending(null);
          }}
          onUnauthorized={props.onUnauthorized}
        />
      )}
    </div>
  );
}

function Body(props: {
  state: AppState;
  rollcall: TabletRollcall;
  messages: Messages;
  dispatch: Dispatch<Action>;
  onAction: (p: Pending) => void;
  onUnauthorized: () => void;
}) {
  const { state, rollcall, messages: m, dispatch } = props;
  const entries = visibleChildren(rollcall, { classId: state.classId, query: state.query, sort: state.sort });
  const attention = attentionEntries(rollcall);
  const showClass = state.classId === null;
  const { onAction } = props;
  const onRowAction = useCallback(
    (entry: ChildEntry, action: RowAction) => {
      onAction({ entry, action });
    },
    [onAction],
  );

  return (
    <main className="body">
      <section
        className={`attention${attention.length > 0 ? ' attention--alert' : ''}`}
        data-testid={TABLET_TEST_IDS.attention}
        data-count={attention.length}
        aria-live="polite"
      >
        {attention.length === 0 ? (
          <p className="attention__none">
            <span className="mark mark--ok" aria-hidden="true">
              ✓
            </span>
            {m.attentionNone}
          </p>
        ) : (
          <>
            <h2 className="attention__title">
              <span className="mark mark--alert" aria-hidden="true">
                !
              </span>
              {m.attentionTitle(attention.length)}
            </h2>
            <ul className="attention__list">
              {attention.map((a) => (
                <li key={a.child.id} className="attention__item" data-child-id={a.child.id} data-why={a.why}>
                  <span className="attention__why">{m.why[a.why]}</span>
                  <span className="attention__name">{a.child.name}</span>
                  <span className="attention__class">{a.className}</span>
                  {a.why === 'still_present' && a.child.checkInAt !== null && (
                    <span className="attention__time">
                      {m.checkIn(hhmm(a.child.checkInAt, rollcall.timeZone))}
                    </span>
                  )}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      <section className="classes" aria-label="classes">
        <ClassCard
          name={m.allClasses}
          counts={rollcall.counts}
          selected={state.classId === null}
          messages={m}
          onSelect={() => {
            dispatch({ type: 'select_class', classId: null });
          }}
        />
        {rollcall.classes.map((c) => (
          <ClassCard
            key={c.id}
            name={c.name}
            cls={c}
            counts={c.counts}
            selected={state.classId === c.id}
            messages={m}
            onSelect={() => {
              dispatch({ type: 'select_class', classId: c.id });
            }}
            onUnauthorized={props.onUnauthorized}
          />
        ))}
      </section>

      <CountsBar counts={countsOf(rollcall, state.classId)} messages={m} />

      <div className="toolbar">
        <input
          className="search"
          type="search"
          data-testid={TABLET_TEST_IDS.search}
          placeholder={m.search}
          aria-label={m.search}
          value={state.query}
          onChange={(e) => {
            dispatch({ type: 'search', query: e.target.value });
          }}
        />
        <div className="segmented" role="group" aria-label={m.sortLabel}>
          {(['class', 'status'] as const).map((sort) => (
            <button
              key={sort}
              type="button"
              className="segmented__item"
              aria-pressed={state.sort === sort}
              data-testid={`sort-${sort}`}
              onClick={() => {
                dispatch({ type: 'sort', sort });
              }}
            >
              {m.sort[sort]}
            </button>
          ))}
        </div>
      </div>

      <ul className="rows">
        {entries.length === 0 && <li className="rows__empty">{m.noChildren}</li>}
        {entries.map((entry) => (
          <ChildRow
            key={entry.child.id}
            entry={entry}
            showClass={showClass}
            timeZone={rollcall.timeZone}
            messages={m}
            onAction={onRowAction}
          />
        ))}
      </ul>
    </main>
  );
}

function CountsBar(props: { counts: Counts; messages: Messages }) {
  const { counts, messages: m } = props;
  const items: [keyof Counts, string][] = [
    ['expected', m.counts.expected],
    ['present', m.counts.present],
    ['notArrived', m.counts.notArrived],
    ['left', m.counts.left],
    ['absent', m.counts.absent],
  ];
  return (
    <dl className="counts" data-testid="counts">
      {items.map(([key, label]) => (
        <div key={key} className={`counts__item counts__item--${key}`} data-count={key}>
          <dt>{label}</dt>
          <dd>{counts[key]}</dd>
        </div>
      ))}
    </dl>
  );
}

function ClassCard(props: {
  name: string;
  cls?: TabletClass;
  counts: Counts;
  selected: boolean;
  messages: Messages;
  onSelect: () => void;
  onUnauthorized?: () => void;
}) {
  const { cls, counts, messages: m } = props;
  const [saving, setSaving] = useState(false);
  const [failed, setFailed] = useState(false);
  const alert = cls?.overRatio === true;

  const setStaff = async (count: number): Promise<void> => {
    if (cls === undefined) return;
    setSaving(true);
    setFailed(false);
    const result = await putStaffOnDuty(cls.id, count);
    setSaving(false);
    if (!result.ok) {
      if (isUnauthorized(result.failure)) props.onUnauthorized?.();
      else setFailed(true);
    }
  };

  return (
    <div
      className={`class${props.selected ? ' class--selected' : ''}${alert ? ' class--alert' : ''}`}
      data-testid="class-card"
      data-class-id={cls?.id ?? 'all'}
    >
      <button type="button" className="class__select" aria-pressed={props.selected} onClick={props.onSelect}>
        <span className="class__name">{props.name}</span>
        <span className="class__ratio">
          <strong>{counts.present}</strong>/{counts.expected}
        </span>
        {counts.notArrived > 0 && (
          <span className="class__waiting">
            {m.counts.notArrived} {counts.notArrived}
          </span>
        )}
      </button>
      {cls !== undefined && (
        <div className="class__staff">
          <span className="class__staff-label">{m.staffOnDuty}</span>
          <button
            type="button"
            className="step"
            aria-label={m.staffMinus}
            disabled={saving || (cls.staffOnDuty ?? 0) <= 0}
            onClick={() => {
              void setStaff((cls.staffOnDuty ?? 0) - 1);
            }}
          >
            −
          </button>
          <span className="class__staff-count" data-testid="staff-on-duty">
            {cls.staffOnDuty ?? m.staffUnset}
          </span>
          <button
            type="button"
            className="step"
            aria-label={m.staffPlus}
            disabled={saving || (cls.staffOnDuty ?? 0) >= 50}
            onClick={() => {
              void setStaff((cls.staffOnDuty ?? 0) + 1);
            }}
          >
            +
          </button>
        </div>
      )}
      {alert && (
        <p className="class__warn" role="alert" data-testid="over-ratio">
          {m.overRatio(cls.maxChildrenPerStaff)}
        </p>
      )}
      {failed && <p className="class__warn">{m.staffFailed}</p>}
    </div>
  );
}
