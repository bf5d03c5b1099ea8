import { useCallback, useEffect, useRef, useState, type Dispatch } from 'react';
import { NOTICE_TEST_IDS, type TabletParentNotice } from '../../../protocol/parent-notices.ts';
import { TABLET_TEST_IDS } from '../../../protocol/tablet.ts';
import { confirmNotice, isUnauthorized } from './api.ts';
import type { Messages } from './messages.ts';
import { daysText, panelOrder, sentText, unreadCount } from './notices.ts';
import { hhmm, type Action } from './state.ts';

/**
 * Parents' notices (欠席連絡, 遅刻連絡) under the attention list: what each says, who sent it and when,
 * and a 確認 button until a staff member confirmed it. Open while any is unconfirmed; otherwise one line
 * with the count, opened on a touch.
 */

type Failure = { readonly code: string; readonly status: number | null };

export function Notices(props: {
  notices: readonly TabletParentNotice[];
  /** The roll-call's day (YYYY-MM-DD) and time zone: 今日 and 明日 are the facility's. */
  today: string;
  timeZone: string;
  /** Parents' messages have not reached the hub since then (roll-call parentMessagesStalledSince). */
  stalledSince: string | undefined;
  classNames: ReadonlyMap<string, string>;
  staffName: string;
  compact: boolean;
  messages: Messages;
  dispatch: Dispatch<Action>;
  onUnauthorized: () => void;
}) {
  const { notices, messages: m, dispatch, staffName, onUnauthorized } = props;
  const unread = unreadCount(notices);
  // null: open while any is unconfirmed. A touch on the toggle decides until a new notice comes.
  const [open, setOpen] = useState<boolean | null>(null);
  const [sending, setSending] = useState<ReadonlySet<string>>(new Set());
  const [failures, setFailures] = useState<Readonly<Record<string, Failure>>>({});
  // Confirmed here: stays in place, so that the next notice does not slide under the finger.
  const [keepPlace, setKeepPlace] = useState<ReadonlySet<string>>(new Set());
  const seenUnread = useRef(unread);

  useEffect(() => {
    if (unread > seenUnread.current) setOpen(null);
    seenUnread.current = unread;
  }, [unread]);

  const confirm = useCallback(
    async (id: string): Promise<void> => {
      setSending((s) => new Set(s).add(id));
      setFailures((all) => Object.fromEntries(Object.entries(all).filter(([k]) => k !== id)));
      setOpen((o) => o ?? true);
      const result = await confirmNotice(id);
      setSending((s) => {
        const next = new Set(s);
        next.delete(id);
        return next;
      });
      if (result.ok) {
        const answer = result.value;
        setKeepPlace((k) => new Set(k).add(id));
        dispatch({
          type: 'notice_read',
          id,
          read: {
            readBy: answer?.readBy ?? staffName,
            readAt: answer?.notice.readAt ?? new Date().toISOString(),
          },
        });
      } else if (isUnauthorized(result.failure)) {
        onUnauthorized();
      } else {
        const f = result.failure;
        const failure: Failure =
          f.kind === 'http'
            ? { code: f.code, status: f.status }
            : { code: f.kind === 'network' ? 'network' : 'invalid_answer', status: null };
        setFailures((all) => ({ ...all, [id]: failure }));
      }
    },
    [dispatch, staffName, onUnauthorized],
  );

  const expanded = notices.length > 0 && (open ?? unread > 0);
  const ordered = panelOrder(notices, keepPlace);
  return (
    <section
      className={`parent-notices${notices.length === 0 ? ' parent-notices--empty' : ''}${unread > 0 ? ' parent-notices--unread' : ''}${props.compact ? ' parent-notices--compact' : ''}`}
      data-testid={NOTICE_TEST_IDS.tabletPanel}
      data-count={notices.length}
      data-unread={unread}
      data-expanded={expanded ? 'true' : 'false'}
      aria-live="polite"
    >
      {props.stalledSince !== undefined && (
        <p className="parent-notices__stalled" role="alert" data-testid={TABLET_TEST_IDS.noticesStalled}>
          {m.notices.stalled(hhmm(props.stalledSince, props.timeZone))}
        </p>
      )}
      <div className="parent-notices__head">
        <h2 className="parent-notices__title">
          <span className="parent-notices__icon" aria-hidden="true">
            ✉
          </span>
          {/* None: one quiet line that says so. */}
          {notices.length === 0 ? (
            <span className="parent-notices__none">{m.notices.none}</span>
          ) : (
            m.notices.title
          )}
        </h2>
        {notices.length > 0 && (
          <>
            <span
              className={`pill${unread > 0 ? ' pill--unread' : ' pill--done'}`}
              data-testid="notices-unread"
            >
              {m.notices.unread(unread)}
            </span>
            <span className="pill pill--quiet">{m.notices.total(notices.length)}</span>
            <button
              type="button"
              className="btn btn--quiet parent-notices__toggle"
              data-testid="notices-toggle"
              aria-expanded={expanded}
              aria-controls="parent-notices-list"
              onClick={() => {
                setOpen(!expanded);
              }}
            >
              {expanded ? m.notices.hide : m.notices.show}
            </button>
          </>
        )}
      </div>
      {expanded && (
        <ul className="parent-notices__list" id="parent-notices-list">
          {ordered.map((n) => (
            <NoticeCard
              key={n.notice.id}
              item={n}
              today={props.today}
              timeZone={props.timeZone}
              classNames={props.classNames}
              messages={m}
              sending={sending.has(n.notice.id)}
              failure={failures[n.notice.id] ?? null}
              onConfirm={confirm}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function NoticeCard(props: {
  item: TabletParentNotice;
  today: string;
  timeZone: string;
  classNames: ReadonlyMap<string, string>;
  messages: Messages;
  sending: boolean;
  failure: Failure | null;
  onConfirm: (id: string) => Promise<void>;
}) {
  const { item, messages: m, timeZone } = props;
  const n = item.notice;
  const read = n.status === 'read';
  const names = item.children.map((c) => c.name).join(m.notices.symptomsSeparator);
  const symptoms = (n.symptoms ?? []).map((s) => m.notices.symptom[s]).join(m.notices.symptomsSeparator);
  return (
    <li
      className={`pn pn--${n.kind} pn--${n.status}`}
      data-testid={NOTICE_TEST_IDS.tabletNotice}
      data-notice-id={n.id}
      data-status={n.status}
      data-kind={n.kind}
    >
      <div className="pn__main">
        <p className="pn__head">
          <span className={`pn__kind pn__kind--${n.kind}`} data-testid="notice-kind">
            {m.notices.kind[n.kind]}
          </span>
          <span className="pn__days" data-testid="notice-days">
            {daysText(n, props.today, m)}
          </span>
          {n.kind === 'late' && n.arriveAt !== undefined && (
            <span className="pn__arrive" data-testid="notice-arrive">
              {m.notices.arriveAt(n.arriveAt)}
            </span>
          )}
        </p>
        <p className="pn__children" data-testid="notice-children">
          {item.children.map((c) => (
            <span key={c.id} className="pn__child" data-child-id={c.id}>
              <span className="pn__name">{c.name}</span>
              {c.classId !== null && props.classNames.has(c.classId) && (
                <span className="pn__class">{props.classNames.get(c.classId)}</span>
              )}
            </span>
          ))}
        </p>
        <p className="pn__reason" data-testid="notice-reason">
          <strong>{m.reason[n.reason]}</strong>
          {symptoms !== '' && <span className="pn__symptoms">{symptoms}</span>}
          {n.temperature !== undefined && (
            <span className="pn__temp" data-testid="notice-temperature">
              {m.notices.temperature(n.temperature)}
            </span>
          )}
        </p>
        {n.note !== undefined && n.note !== '' && (
          <p className="pn__note" data-testid="notice-note">
            {n.note}
          </p>
        )}
        <p className="pn__from" data-testid="notice-from">
          {m.notices.sentBy(item.guardianName, sentText(n.sentAt, props.today, timeZone, m))}
        </p>
        {read && (
          <p className="pn__confirmed" data-testid="notice-confirmed">
            <span className="mark mark--ok" aria-hidden="true">
              ✓
            </span>
            {m.notices.confirmed(item.readBy, n.readAt === null ? null : hhmm(n.readAt, timeZone))}
          </p>
        )}
      </div>
      {!read && (
        <div className="pn__side">
          <span className="pn__unconfirmed">{m.notices.unconfirmed}</span>
          <button
            type="button"
            className="btn btn--primary pn__confirm"
            data-testid={NOTICE_TEST_IDS.tabletConfirm}
            aria-label={m.notices.confirmLabel(names)}
            disabled={props.sending}
            onClick={() => {
              void props.onConfirm(n.id);
            }}
          >
            {props.sending ? m.notices.confirming : m.notices.confirm}
          </button>
          {props.failure !== null && (
            <p className="pn__error" role="alert" data-testid="notice-error">
              {m.notices.failed(props.failure.code, props.failure.status)}
            </p>
          )}
        </div>
      )}
    </li>
  );
}
