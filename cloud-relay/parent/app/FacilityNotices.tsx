import { useState } from 'react';
import { FACILITY_NOTICE_TEST_IDS } from '../../../protocol/facility-notices.ts';
import { markFacilityNoticeRead, type FacilityNoticeItem } from './facility-notices-api.ts';
import { ErrorLine } from './Field.tsx';
import { clockTime, dayLabel } from './format.ts';
import { isUnauthorized, type ApiFailure } from './http.ts';
import { failureText, type Locale, type Messages } from './messages.ts';

/** When an instant was, in the facility's time as the cloud sent it: 12月5日(土) 10:00. */
const when = (instant: string, locale: Locale): string =>
  `${dayLabel(instant.slice(0, 10), locale)} ${clockTime(instant)}`;

/** The number of notices the parent has not confirmed yet. */
export const unreadCount = (notices: readonly FacilityNoticeItem[] | null): number =>
  notices?.filter((n) => n.readAt === null).length ?? 0;

function NoticeItem(props: {
  notice: FacilityNoticeItem;
  m: Messages;
  locale: Locale;
  onRead: (id: string) => Promise<void>;
  onSessionEnded: () => void;
}) {
  const { notice, m } = props;
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const read = notice.readAt !== null;
  return (
    <li
      className={`facility-notice ${read ? 'is-read' : 'is-unread'}`}
      data-testid={FACILITY_NOTICE_TEST_IDS.parentNotice}
      data-notice-id={notice.id}
      data-read={read ? 'true' : 'false'}
    >
      <p className="when">
        {when(notice.publishedAt, props.locale)}
        {!read && <span className="badge badge-unread">{m.facilityNotices.unreadBadge}</span>}
      </p>
      <h3 className="title">{notice.title}</h3>
      {/* Text, never markup: the line breaks are kept by the stylesheet. */}
      <p className="body">{notice.body}</p>
      {read ? (
        <p className="state">
          <span className="badge badge-read">{m.facilityNotices.readBadge}</span>
        </p>
      ) : (
        <button
          type="button"
          className="primary confirm"
          data-testid={FACILITY_NOTICE_TEST_IDS.parentRead}
          disabled={busy}
          onClick={() => {
            setBusy(true);
            setFailure(null);
            void markFacilityNoticeRead(notice.id).then(async (r) => {
              if (r.ok) await props.onRead(notice.id);
              else if (isUnauthorized(r.failure)) props.onSessionEnded();
              else setFailure(r.failure);
              setBusy(false);
            });
          }}
        >
          {busy ? m.facilityNotices.confirming : m.facilityNotices.confirm}
        </button>
      )}
      <ErrorLine text={failure === null ? null : failureText(props.m, failure)} />
    </li>
  );
}

/**
 * 園からのお知らせ: the facility's notices for this parent, newest first, the unread ones with 確認しました.
 * A confirmed notice shows read at once; the read reaches the nursery through the hub's next fetch.
 */
export function FacilityNotices(props: {
  notices: readonly FacilityNoticeItem[] | null;
  m: Messages;
  locale: Locale;
  onRead: (id: string) => Promise<void>;
  onSessionEnded: () => void;
  onBack: () => void;
}) {
  const { notices, m } = props;
  const unread = unreadCount(notices);
  return (
    <section className="facility-notices" id="notices" data-testid="facility-notices">
      <div className="screen-head">
        <h2>{m.facilityNotices.title}</h2>
        {unread > 0 && (
          <span className="badge badge-unread" data-testid="facility-notices-unread" data-count={unread}>
            {m.facilityNotices.unread(unread)}
          </span>
        )}
      </div>
      {notices === null ? (
        <p className="empty">{m.facilityNotices.loading}</p>
      ) : notices.length === 0 ? (
        <p className="empty">{m.facilityNotices.empty}</p>
      ) : (
        <ul className="facility-notice-list">
          {notices.map((n) => (
            <NoticeItem
              key={n.id}
              notice={n}
              m={m}
              locale={props.locale}
              onRead={props.onRead}
              onSessionEnded={props.onSessionEnded}
            />
          ))}
        </ul>
      )}
      <div className="form-actions single">
        <button type="button" className="quiet" data-testid="facility-notices-back" onClick={props.onBack}>
          {m.facilityNotices.back}
        </button>
      </div>
    </section>
  );
}
