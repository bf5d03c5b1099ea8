import { useState } from 'react';
import {
  FACILITY_NOTICE_TEST_IDS as T,
  type AdminFacilityNotices,
} from '../../../protocol/facility-notices.ts';
import type { FacilityNoticesMessages } from './facility-notices-messages.ts';

type Entry = AdminFacilityNotices['notices'][number];

const WITHDRAWN = { opacity: 0.6 } as const;
const BODY = { whiteSpace: 'pre-wrap', margin: '0.3rem 0' } as const;

/**
 * One notice sent: its title, text, audience and read count; expanding shows who has not read it (with
 * their children, to ask at pickup) and who has, when. Withdrawing asks first.
 */
export function FacilityNoticeRow(props: {
  entry: Entry;
  t: FacilityNoticesMessages;
  intlLocale: string;
  classNames: ReadonlyMap<string, string>;
  onWithdraw: (id: string, title: string) => void;
}) {
  const { entry, t, intlLocale, classNames, onWithdraw } = props;
  const { notice } = entry;
  const [open, setOpen] = useState(false);
  const when = (iso: string) => new Date(iso).toLocaleString(intlLocale);
  const audience =
    notice.classIds === null ? t.everyone : notice.classIds.map((id) => classNames.get(id) ?? id).join('・');

  return (
    <li
      className="card"
      data-testid={T.adminRow}
      data-notice-id={notice.id}
      data-read-count={entry.read.length}
      data-unread-count={entry.unread.length}
      data-withdrawn={notice.withdrawn}
      style={notice.withdrawn ? WITHDRAWN : undefined}
    >
      <div className="row">
        <strong>{notice.title}</strong>
        <span className="help">{when(notice.publishedAt)}</span>
        <span className="help">{t.to(audience)}</span>
        <span data-role="read-count">
          {entry.recipients === 0 ? t.noRecipients : t.readCount(entry.read.length, entry.recipients)}
        </span>
        {notice.withdrawn && <span className="error">{t.withdrawn}</span>}
        {!entry.relayed && !notice.withdrawn && <span className="help">{t.notRelayed}</span>}
      </div>
      <p style={BODY}>{notice.body}</p>
      <div className="row">
        {entry.recipients > 0 && (
          <button
            type="button"
            aria-expanded={open}
            onClick={() => {
              setOpen(!open);
            }}
          >
            {open ? t.hideReaders : t.showReaders}
          </button>
        )}
        {!notice.withdrawn && (
          <button
            type="button"
            data-testid={T.adminWithdraw}
            onClick={() => {
              onWithdraw(notice.id, notice.title);
            }}
          >
            {t.withdraw}
          </button>
        )}
      </div>
      {open && (
        <div className="row" style={{ alignItems: 'flex-start' }}>
          <section>
            <h3>
              {t.unread} ({entry.unread.length})
            </h3>
            <ul data-testid={T.adminUnread}>
              {entry.unread.length === 0 && <li className="help">{t.nobody}</li>}
              {entry.unread.map((u) => (
                <li key={u.guardianId} data-guardian-id={u.guardianId}>
                  {u.name}
                  {t.children(u.children)}
                </li>
              ))}
            </ul>
          </section>
          <section>
            <h3>
              {t.read} ({entry.read.length})
            </h3>
            <ul data-role="read">
              {entry.read.length === 0 && <li className="help">{t.nobody}</li>}
              {entry.read.map((r) => (
                <li key={r.guardianId} data-guardian-id={r.guardianId}>
                  {r.name} <span className="help">{when(r.readAt)}</span>
                </li>
              ))}
            </ul>
          </section>
        </div>
      )}
    </li>
  );
}
