import { useCallback, useMemo, useState, type SyntheticEvent } from 'react';
import {
  FACILITY_NOTICE_BODY_MAX,
  FACILITY_NOTICE_TEST_IDS as T,
  FACILITY_NOTICE_TITLE_MAX,
} from '../../../protocol/facility-notices.ts';
import { getRoster } from './api.ts';
import type { PageProps } from './App.tsx';
import { FacilityNoticeRow } from './FacilityNoticeRow.tsx';
import { getFacilityNotices, publishFacilityNotice, withdrawFacilityNotice } from './facility-notices-api.ts';
import { facilityNoticesMessages } from './facility-notices-messages.ts';
import { useLoaded } from './use-loaded.ts';

const LIST = { listStyle: 'none', padding: 0 } as const;
const WIDE = { width: '100%', boxSizing: 'border-box' } as const;
/** The text box drawn as the app's inputs are (styles.css styles input and select only). */
const TEXTAREA = {
  ...WIDE,
  font: 'inherit',
  padding: '0.3rem 0.4rem',
  border: '1px solid var(--line)',
  borderRadius: 4,
} as const;

/**
 * The facility's notices to parents (園からのお知らせ, issue 17): the form to send one to every class or to
 * some, and the notices sent with who has read them.
 */
export function FacilityNoticesPage({ m, onFailure }: PageProps) {
  const t = facilityNoticesMessages(m);
  const [roster] = useLoaded(getRoster, onFailure);
  // Bumped after a change: the list loads again.
  const [generation, setGeneration] = useState(0);
  const [list] = useLoaded(
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `generation` is the reason to load again
    useCallback(() => getFacilityNotices(), [generation]),
    onFailure,
  );
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [classIds, setClassIds] = useState<readonly string[]>([]);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const classNames = useMemo(() => new Map((roster?.classes ?? []).map((c) => [c.id, c.name])), [roster]);

  const onSubmit = (e: SyntheticEvent) => {
    e.preventDefault();
    setBusy(true);
    setStatus(null);
    void publishFacilityNotice({ title, body, classIds: [...classIds] }).then((r) => {
      setBusy(false);
      if (!r.ok) {
        onFailure(r.failure);
        return;
      }
      setTitle('');
      setBody('');
      setClassIds([]);
      setStatus(t.published);
      setGeneration((g) => g + 1);
    });
  };

  const onWithdraw = (id: string, noticeTitle: string) => {
    if (!window.confirm(t.confirmWithdraw(noticeTitle))) return;
    void withdrawFacilityNotice(id).then((r) => {
      if (r.ok) setGeneration((g) => g + 1);
      else onFailure(r.failure);
    });
  };

  const toggleClass = (id: string, on: boolean) => {
    setClassIds(on ? [...classIds, id] : classIds.filter((c) => c !== id));
  };

  return (
    <>
      <form className="card" data-testid={T.adminForm} onSubmit={onSubmit}>
        <h2>{t.title}</h2>
        <p className="help">{t.help}</p>
        <h3>{t.formTitle}</h3>
        <p>
          <label>
            {t.noticeTitle}
            <br />
            <input
              data-testid={T.adminTitle}
              value={title}
              maxLength={FACILITY_NOTICE_TITLE_MAX}
              required
              style={WIDE}
              onInput={(e) => {
                setTitle(e.currentTarget.value);
              }}
            />
          </label>
        </p>
        <p>
          <label>
            {t.body}
            <br />
            <textarea
              data-testid={T.adminBody}
              value={body}
              maxLength={FACILITY_NOTICE_BODY_MAX}
              required
              rows={6}
              style={TEXTAREA}
              onInput={(e) => {
                setBody(e.currentTarget.value);
              }}
            />
          </label>
        </p>
        <fieldset data-testid={T.adminClasses}>
          <legend>{t.classes}</legend>
          <div className="row">
            {(roster?.classes ?? []).map((c) => (
              <label key={c.id}>
                <input
                  type="checkbox"
                  value={c.id}
                  checked={classIds.includes(c.id)}
                  onChange={(e) => {
                    toggleClass(c.id, e.currentTarget.checked);
                  }}
                />{' '}
                {c.name}
              </label>
            ))}
          </div>
          <p className="help">{t.classesHelp}</p>
        </fieldset>
        <div className="row">
          <button
            type="submit"
            className="primary"
            data-testid={T.adminPublish}
            disabled={busy || title.trim() === '' || body.trim() === ''}
          >
            {busy ? t.publishing : t.publish}
          </button>
          {status !== null && (
            <span className="ok" role="status">
              {status}
            </span>
          )}
        </div>
      </form>
      <section className="card">
        <h2>{t.listTitle}</h2>
        {list !== null && list.notices.length === 0 && <p className="help">{t.none}</p>}
        <ul style={LIST} data-testid="facility-notice-list">
          {(list?.notices ?? []).map((entry) => (
            <FacilityNoticeRow
              key={entry.notice.id}
              entry={entry}
              t={t}
              intlLocale={m.intlLocale}
              classNames={classNames}
              onWithdraw={onWithdraw}
            />
          ))}
        </ul>
      </section>
    </>
  );
}
