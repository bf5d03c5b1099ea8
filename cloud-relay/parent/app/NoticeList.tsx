import type { ParentNotice } from '../../../protocol/parent-notices.ts';
import type { ParentChild } from '../../../protocol/parents.ts';
import type { Locale, Messages } from './messages.ts';
import { noticeDays, noticeHealth, sentWhen } from './notice-text.ts';

/**
 * The parent's notices (GET /parent/api/notices), newest first, each with whether the nursery has read
 * it (送信済 / 確認済). Children are named from today's page; one no longer listed shows by nothing.
 */
export function NoticeList(props: {
  notices: readonly ParentNotice[];
  children: readonly ParentChild[];
  today: string;
  m: Messages;
  locale: Locale;
}) {
  const { m, locale } = props;
  const names = new Map(props.children.map((c) => [c.childId, c.name]));
  if (props.notices.length === 0) return <p className="empty">{m.notice.noHistory}</p>;
  return (
    <ul className="notices" data-testid="notice-list">
      {props.notices.map((n) => {
        const health = noticeHealth(n, m);
        return (
          <li
            key={n.id}
            className={`notice-item notice-${n.status}`}
            data-testid="notice-item"
            data-notice-id={n.id}
            data-notice-status={n.status}
          >
            <p className="what">
              <strong>{m.notice.kindTitle[n.kind]}</strong> {noticeDays(n, props.today, m, locale)}
              {n.arriveAt !== undefined && ` ${m.notice.arriving(n.arriveAt)}`}
            </p>
            <p className="who">
              {n.childIds
                .map((id) => names.get(id))
                .filter((name) => name !== undefined)
                .join(m.notice.separator)}
            </p>
            <p className="why">
              {m.notice.reason[n.reason]}
              {health !== '' && ` ${health}`}
            </p>
            {n.note !== undefined && <p className="note">{n.note}</p>}
            <p className="state">
              <span className={`badge badge-${n.status}`}>{m.notice.status[n.status]}</span>
              <span className="when">{m.notice.sentAt(sentWhen(n, locale))}</span>
            </p>
          </li>
        );
      })}
    </ul>
  );
}
