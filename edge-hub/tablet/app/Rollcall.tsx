import { useCallback, useMemo, useState, type Dispatch } from 'react';
import { TABLET_TEST_IDS, type TabletRollcall } from '../../../protocol/tablet.ts';
import { ActionDialog } from './ActionDialog.tsx';
import { Attention } from './Attention.tsx';
import { ChildRow } from './ChildRow.tsx';
import type { ChildItemProps } from './child-item.ts';
import { ClassCard, ClassChips, CountsBar } from './Classes.tsx';
import { ChildSheet, CompactTile } from './Compact.tsx';
import type { Messages } from './messages.ts';
import { Notices } from './Notices.tsx';
import {
  attentionEntries,
  countsOf,
  hhmm,
  hhmmss,
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
  const [sheet, setSheet] = useState<ChildEntry | null>(null);
  const stale = isStale(state, now);
  const rollcall = state.rollcall;
  const timeZone = rollcall?.timeZone ?? 'Asia/Tokyo';
  // The id is internal: a facility without a display name shows the app's name instead.
  const facility =
    rollcall === null || rollcall.facilityName === rollcall.facilityId ? m.appName : rollcall.facilityName;

  return (
    <div
      className={`rollcall rollcall--${state.view}${stale ? ' rollcall--stale' : ''}`}
      data-testid={TABLET_TEST_IDS.rollcall}
      data-stale={stale ? 'true' : 'false'}
      data-view={state.view}
    >
      {/* One sticky block: the stale banner stays right under the header, however tall the header wraps. */}
      <div className="masthead">
        <header className="top">
          <div className="top__where">
            <span className="top__facility" data-testid="facility-name">
              {facility}
            </span>
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
          <div className="stale" role="alert" data-testid={TABLET_TEST_IDS.staleBanner}>
            <span className="stale__dot" aria-hidden="true" />
            <p className="stale__text">
              <strong>{m.stale}</strong>
              <span className="stale__since" data-testid="stale-since">
                {m.staleSince(state.heardAt === null ? null : hhmmss(state.heardAt, timeZone))}
              </span>
            </p>
          </div>
        )}
        {rollcall?.parentMessagesStalledSince !== undefined && (
          <p className="parents-stalled" role="alert" data-testid={TABLET_TEST_IDS.parentMessagesStalled}>
            <span aria-hidden="true">✉</span>
            {m.parentsStalled(hhmm(rollcall.parentMessagesStalledSince, timeZone))}
          </p>
        )}
      </div>
      {rollcall === null ? (
        <p className="boot">{m.loading}</p>
      ) : (
        <Body
          state={state}
          rollcall={rollcall}
          messages={m}
          dispatch={dispatch}
          onAction={setPending}
          onOpen={setSheet}
          onUnauthorized={props.onUnauthorized}
        />
      )}
      {sheet !== null && rollcall !== null && (
        <ChildSheet
          key={sheet.child.id}
          entry={sheet}
          timeZone={timeZone}
          messages={m}
          onAction={(entry, action) => {
            setSheet(null);
            setPending({ entry, action });
          }}
          onClose={() => {
            setSheet(null);
          }}
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
  onOpen: (entry: ChildEntry) => void;
  onUnauthorized: () => void;
}) {
  const { state, rollcall, messages: m, dispatch } = props;
  const compact = state.view === 'compact';
  const entries = visibleChildren(rollcall, { classId: state.classId, query: state.query, sort: state.sort });
  const attention = attentionEntries(rollcall);
  const showClass = state.classId === null;
  const { onAction } = props;
  const classNames = useMemo(() => new Map(rollcall.classes.map((c) => [c.id, c.name])), [rollcall.classes]);
  const onRowAction = useCallback(
    (entry: ChildEntry, action: RowAction) => {
      onAction({ entry, action });
    },
    [onAction],
  );

  return (
    <main className="body">
      <Attention attention={attention} compact={compact} timeZone={rollcall.timeZone} messages={m} />
      <Notices
        notices={rollcall.parentNotices}
        today={rollcall.date}
        timeZone={rollcall.timeZone}
        stalledSince={rollcall.parentMessagesStalledSince}
        classNames={classNames}
        staffName={state.session?.staff.name ?? ''}
        compact={compact}
        messages={m}
        dispatch={dispatch}
        onUnauthorized={props.onUnauthorized}
      />

      {compact ? (
        <ClassChips
          rollcall={rollcall}
          classId={state.classId}
          messages={m}
          onSelect={(classId) => {
            dispatch({ type: 'select_class', classId });
          }}
        />
      ) : (
        <section className="classes" aria-label="classes">
          <ClassCard
            name={m.allClasses}
            facility={rollcall.staffing}
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
      )}

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
        <button
          type="button"
          className="segmented__item view-toggle"
          data-testid={TABLET_TEST_IDS.viewCompact}
          aria-pressed={compact}
          onClick={() => {
            dispatch({ type: 'view', view: compact ? 'full' : 'compact' });
          }}
        >
          {m.compact.toggle}
        </button>
      </div>

      <ul className={compact ? 'tiles' : 'rows'}>
        {entries.length === 0 && <li className="rows__empty">{m.noChildren}</li>}
        {entries.map((entry) => {
          const item: ChildItemProps = { entry, showClass, timeZone: rollcall.timeZone, messages: m };
          return compact ? (
            <CompactTile key={entry.child.id} {...item} onOpen={props.onOpen} />
          ) : (
            <ChildRow key={entry.child.id} {...item} onAction={onRowAction} />
          );
        })}
      </ul>
    </main>
  );
}
