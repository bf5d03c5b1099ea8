import { useCallback, useEffect, useRef, useState } from 'react';
import { ADMIN_TEST_IDS, type AdminSessionInfo } from '../../../protocol/admin.ts';
import { getSession, getSettings, signOut, type ApiFailure } from './api.ts';
import { MESSAGES, type Locale, type Messages, type Page } from './messages.ts';
import { MonthsPage } from './MonthsPage.tsx';
import { OpenDaysPage } from './OpenDaysPage.tsx';
import { AuditPage } from './AuditPage.tsx';
import { DevicesPage } from './DevicesPage.tsx';
import { FacilityNoticesPage } from './FacilityNoticesPage.tsx';
import { LedgerPage, OverviewPage } from './Pages.tsx';
import { RecordsPage } from './RecordsPage.tsx';
import { RosterPage } from './RosterPage.tsx';
import { SettingsPage } from './SettingsPage.tsx';
import { SignIn } from './SignIn.tsx';
import { StaffingReportPage } from './StaffingReportPage.tsx';

const PAGES: readonly Page[] = [
  'overview',
  'records',
  'open-days',
  'months',
  'roster',
  'settings',
  'devices',
  'audit',
  'ledger',
  'staffing',
  'notices',
];

/** Props every page gets: the texts, and what to do when the session turns out to be gone. */
export interface PageProps {
  m: Messages;
  onFailure: (failure: ApiFailure) => void;
}

function pageFromHash(hash: string): Page {
  const name = hash.replace(/^#/, '');
  return PAGES.find((p) => p === name) ?? 'overview';
}

export function App() {
  const [locale, setLocale] = useState<Locale>('ja');
  const [session, setSession] = useState<AdminSessionInfo | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | null>(null);
  const [page, setPage] = useState<Page>(() => pageFromHash(window.location.hash));
  /** The facility's display name for the header (never its id); a setting. */
  const [facilityName, setFacilityName] = useState<string | null>(null);
  const m = MESSAGES[locale];
  const signedIn = Boolean(session);

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  useEffect(() => {
    let cancelled = false;
    void getSession().then((r) => {
      if (!cancelled) setSession(r.ok ? r.value : null);
    });
    const onHash = () => {
      setPage(pageFromHash(window.location.hash));
    };
    window.addEventListener('hashchange', onHash);
    return () => {
      cancelled = true;
      window.removeEventListener('hashchange', onHash);
    };
  }, []);

  useEffect(() => {
    if (!signedIn) return;
    let cancelled = false;
    void getSettings().then((r) => {
      if (!cancelled && r.ok) setFacilityName(r.value.facilityName);
    });
    return () => {
      cancelled = true;
    };
  }, [signedIn]);

  // The texts through a ref: onFailure stays the same function when the language changes, so that the
  // pages (which reload when it changes) keep what was typed into them.
  const texts = useRef(m);
  useEffect(() => {
    texts.current = m;
  }, [m]);
  const onFailure = useCallback((failure: ApiFailure) => {
    const t = texts.current;
    if (failure.kind === 'http' && failure.status === 401) {
      setSession(null);
      setNotice(t.sessionEnded);
    } else {
      setNotice(failure.kind === 'http' ? t.error(failure.code, failure.params) : t.error(failure.kind));
    }
  }, []);

  const toggle = (
    <button
      type="button"
      className="lang"
      data-testid="lang-toggle"
      onClick={() => {
        setLocale(locale === 'ja' ? 'en' : 'ja');
      }}
    >
      {m.langToggle}
    </button>
  );

  let body;
  if (session === undefined) body = <p className="boot">{m.loading}</p>;
  else if (session === null)
    body = (
      <SignIn
        m={m}
        notice={notice}
        toggle={toggle}
        onSignedIn={(s) => {
          setNotice(null);
          setSession(s);
        }}
      />
    );
  else
    body = (
      <>
        <header className="top">
          <h1>
            <span className="facility" data-testid="facility-name">
              {facilityName ?? ''}
            </span>
            <span className="app-name">{m.appName}</span>
          </h1>
          <nav>
            {PAGES.map((p) => (
              <a key={p} href={`#${p}`} className={p === page ? 'active' : ''} data-testid={`nav-${p}`}>
                {m.pages[p]}
              </a>
            ))}
          </nav>
          <span className="who">{m.signedInAs(session.staff.name)}</span>
          {toggle}
          <button
            type="button"
            data-testid={ADMIN_TEST_IDS.signOut}
            onClick={() => {
              void signOut().then(() => {
                setSession(null);
              });
            }}
          >
            {m.signOut}
          </button>
        </header>
        {notice !== null && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <main className="page" data-page={page}>
          {page === 'overview' && <OverviewPage m={m} onFailure={onFailure} />}
          {page === 'records' && <RecordsPage m={m} onFailure={onFailure} />}
          {page === 'roster' && <RosterPage m={m} onFailure={onFailure} />}
          {page === 'settings' && (
            <SettingsPage
              m={m}
              onFailure={onFailure}
              onSaved={(s) => {
                setFacilityName(s.facilityName);
              }}
            />
          )}
          {page === 'devices' && <DevicesPage m={m} onFailure={onFailure} />}
          {page === 'audit' && <AuditPage m={m} onFailure={onFailure} />}
          {page === 'ledger' && <LedgerPage m={m} onFailure={onFailure} />}
          {page === 'open-days' && <OpenDaysPage m={m} onFailure={onFailure} />}
          {page === 'months' && <MonthsPage m={m} onFailure={onFailure} />}
          {page === 'staffing' && <StaffingReportPage m={m} onFailure={onFailure} />}
          {page === 'notices' && <FacilityNoticesPage m={m} onFailure={onFailure} />}
        </main>
      </>
    );

  return (
    <div
      className="app"
      data-testid={ADMIN_TEST_IDS.app}
      data-locale={locale}
      data-signed-in={session ? 'true' : 'false'}
    >
      {body}
    </div>
  );
}
