import type { TabletChild } from '../../../protocol/tablet.ts';
import type { Messages } from './messages.ts';
import { noticeBadgeText } from './notices.ts';
import type { ChildEntry, RowAction } from './state.ts';

export function LangToggle(props: { messages: Messages; onToggle: () => void }) {
  return (
    <button
      type="button"
      className="btn btn--quiet"
      data-testid="lang-toggle"
      aria-label={props.messages.langToggleLabel}
      onClick={props.onToggle}
    >
      <span className="globe" aria-hidden="true">
        文A
      </span>
      {props.messages.langToggle}
    </button>
  );
}

/** A child's action buttons (state.ts rowActions), on its row in the full view and in its sheet. */
export function ActionButtons(props: {
  entry: ChildEntry;
  actions: readonly RowAction[];
  messages: Messages;
  onAction: (entry: ChildEntry, action: RowAction) => void;
}) {
  return (
    <>
      {props.actions.map((action) => (
        <button
          key={action}
          type="button"
          className={`btn btn--action btn--${action}`}
          data-testid={`action-${action}`}
          onClick={() => {
            props.onAction(props.entry, action);
          }}
        >
          {props.messages.action[action]}
        </button>
      ))}
    </>
  );
}

/**
 * A parent's notice on a child's row (欠席連絡（体調不良）, 遅刻連絡 10:30), marked with a dot and 未確認
 * until a staff member confirmed it. A compact tile has room for a letter mark (and the arrival time)
 * only: its sheet shows the badge in full.
 */
export function NoticeBadge(props: {
  notice: NonNullable<TabletChild['parentNotice']>;
  messages: Messages;
  short?: boolean;
}) {
  const { notice, messages: m } = props;
  const unread = notice.status === 'sent';
  const full = noticeBadgeText(notice, m);
  const short = props.short === true;
  return (
    <span
      className={`notice-badge${unread ? ' notice-badge--unread' : ''}${short ? ' notice-badge--short' : ''}`}
      data-testid="notice-badge"
      data-notice-id={notice.id}
      data-notice-kind={notice.kind}
      data-notice-status={notice.status}
      title={unread ? `${full}・${m.notices.unconfirmed}` : full}
    >
      {unread && <span className="notice-badge__dot" aria-hidden="true" />}
      {short ? (
        <>
          <span aria-hidden="true">✉</span>
          {notice.kind === 'late' && notice.arriveAt !== undefined && notice.arriveAt}
        </>
      ) : (
        full
      )}
      {unread && !short && <span className="notice-badge__unread">{m.notices.unconfirmed}</span>}
    </span>
  );
}
