import { useCallback, useEffect, useRef, useState, type ReactNode, type SyntheticEvent } from 'react';
import { ADMIN_TEST_IDS, type AdminSessionInfo } from '../../protocol/admin.ts';
import { getSession, signIn, signOut, type ApiFailure } from './api.ts';
import { MESSAGES, type Locale, type Messages, type Page } from './messages.ts';
import { AuditPage, DevicesPage, LedgerPage, OverviewPage } from './Pages.tsx';
import { RecordsPage } from './RecordsPage.tsx';
import { RosterPage } from './RosterPage.tsx';
import { SettingsPage } from './SettingsPage.tsx';

const PAGES: readonly Page[] = ['overview', 'records', 'roster', 'settings', 'devices', 'audit', 'ledger'];

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
  const m = MESSAGES[locale];

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
      setNotice(failure.kind === 'http' ? t.error(failure.code) : t.error(failure.kind));
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
          <h1>{m.appName}</h1>
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
          {page === 'settings' && <SettingsPage m={m} onFailure={onFailure} />}
          {page === 'devices' && <DevicesPage m={m} onFailure={onFailure} />}
          {page === 'audit' && <AuditPage m={m} onFailure={onFailure} />}
          {page === 'ledger' && <LedgerPage m={m} onFailure={onFailure} />}
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

function SignIn(props: {
  m: Messages;
  notice: string | null;
  toggle: ReactNode;
  onSignedIn: (s: AdminSessionInfo) => void;
}) {
  const { m } = props;
  const [staffId, setStaffId] = useState('');
  const [pin, setPin] = useState('');
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (): Promise<void> => {
    setWorking(true);
    const r = await signIn({ staffId: staffId.trim(), pin });
    setWorking(false);
    setPin('');
    if (r.ok) {
      props.onSignedIn(r.value);
      return;
    }
    const f = r.failure;
    if (f.kind === 'network') setError(m.signIn.unreachable);
    else if (f.kind === 'http' && f.status === 429) setError(m.signIn.tooMany(f.retryAfterSeconds));
    else if (f.kind === 'http' && (f.status === 401 || f.status === 400)) setError(m.signIn.badCredentials);
    else setError(m.error(f.kind === 'http' ? f.code : f.kind));
  };

  const onSubmit = (e: SyntheticEvent): void => {
    e.preventDefault();
    if (working || staffId.trim() === '' || pin === '') return;
    void submit();
  };

  return (
    <main className="signin">
      <div className="signin__top">
        <h1>{m.appName}</h1>
        {props.toggle}
      </div>
      <form onSubmit={onSubmit} className="card">
        <h2>{m.signIn.title}</h2>
        {props.notice !== null && <p className="notice">{props.notice}</p>}
        <label>
          {m.signIn.staffId}
          <input
            data-testid={ADMIN_TEST_IDS.staffId}
            value={staffId}
            autoComplete="username"
            onChange={(e) => {
              setStaffId(e.target.value);
            }}
          />
        </label>
        <label>
          {m.signIn.pin}
          <input
            data-testid={ADMIN_TEST_IDS.staffPin}
            type="password"
            inputMode="numeric"
            autoComplete="current-password"
            value={pin}
            onChange={(e) => {
              setPin(e.target.value);
            }}
          />
        </label>
        {error !== null && (
          <p className="error" role="alert" data-testid={ADMIN_TEST_IDS.signInError}>
            {error}
          </p>
        )}
        <button type="submit" className="primary" data-testid={ADMIN_TEST_IDS.signIn} disabled={working}>
          {m.signIn.submit}
        </button>
      </form>
    </main>
  );
}
