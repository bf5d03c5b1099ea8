import { useCallback, useEffect, useState } from 'react';
import { PARENT_TEST_IDS, type ParentMe } from '../../../protocol/parents.ts';
import { getMe, isUnauthorized, registerPasskey, signInWithPasskey, signOut, type ApiResult } from './api.ts';
import { Home } from './Home.tsx';
import { forgetInvitation, invitationFromHash } from './invite-link.ts';
import { savedLocale, saveLocale } from './locale.ts';
import { failureText, MESSAGES, type Locale } from './messages.ts';
import { PasskeyScreen } from './PasskeyScreen.tsx';
import { useRefresh } from './use-refresh.ts';

type Screen =
  | { readonly kind: 'loading' }
  | { readonly kind: 'invite'; readonly token: string }
  | { readonly kind: 'signed-out' }
  | { readonly kind: 'home'; readonly me: ParentMe; readonly updatedAt: Date };

/** Messages are kept as what to say, not as text: they follow a change of language. */
type Say = { readonly key: 'sessionEnded' } | { readonly text: (locale: Locale) => string };

export function App() {
  const [locale, setLocale] = useState<Locale>(savedLocale);
  const [screen, setScreen] = useState<Screen>(() => {
    const token = invitationFromHash(window.location.hash);
    return token === null ? { kind: 'loading' } : { kind: 'invite', token };
  });
  const [notice, setNotice] = useState<Say | null>(null);
  const [error, setError] = useState<Say | null>(null);
  const m = MESSAGES[locale];
  const say = (s: Say | null) => (s === null ? null : 'key' in s ? MESSAGES[locale][s.key] : s.text(locale));

  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = m.appName;
  }, [locale, m.appName]);

  /** Shows today's page; a 401 (expired, signed out elsewhere, access revoked) shows the sign-in screen. */
  const show = useCallback((r: ApiResult<ParentMe>, after: 'start' | 'refresh' | 'signed-in') => {
    if (r.ok) {
      setScreen({ kind: 'home', me: r.value, updatedAt: new Date() });
      setError(null);
      setNotice(null);
    } else if (isUnauthorized(r.failure)) {
      setScreen({ kind: 'signed-out' });
      setNotice(after === 'refresh' ? { key: 'sessionEnded' } : null);
    } else {
      const failure = r.failure;
      setError({ text: (l) => failureText(MESSAGES[l], failure) });
      // A failed first load still needs a screen; a failed refresh keeps the last page shown.
      if (after === 'start') setScreen({ kind: 'signed-out' });
    }
  }, []);

  const startsLoading = screen.kind === 'loading';
  useEffect(() => {
    if (startsLoading) {
      void getMe().then((r) => {
        show(r, 'start');
      });
    }
  }, [startsLoading, show]);

  useEffect(() => {
    // An invitation opened while the app is already open (a second link, a pasted address).
    const onHash = () => {
      const token = invitationFromHash(window.location.hash);
      if (token !== null) {
        setError(null);
        setScreen({ kind: 'invite', token });
      }
    };
    window.addEventListener('hashchange', onHash);
    return () => {
      window.removeEventListener('hashchange', onHash);
    };
  }, []);

  const refresh = useCallback(async () => {
    show(await getMe(), 'refresh');
  }, [show]);
  useRefresh(screen.kind === 'home', refresh);

  const afterCeremony = (result: ApiResult<null>) => {
    if (result.ok) {
      forgetInvitation();
      void getMe().then((r) => {
        show(r, 'signed-in');
      });
      return;
    }
    const failure = result.failure;
    setError({ text: (l) => failureText(MESSAGES[l], failure) });
  };

  let body;
  switch (screen.kind) {
    case 'loading':
      body = <p className="boot">{m.loading}</p>;
      break;
    case 'invite': {
      const token = screen.token;
      body = (
        <PasskeyScreen
          testId={undefined}
          title={m.invite.title}
          lead={m.invite.lead}
          button={m.invite.register}
          buttonTestId={PARENT_TEST_IDS.passkeyRegister}
          working={m.invite.working}
          notice={null}
          error={say(error)}
          run={() => registerPasskey(token)}
          onDone={afterCeremony}
        />
      );
      break;
    }
    case 'signed-out':
      body = (
        <PasskeyScreen
          testId={PARENT_TEST_IDS.signedOut}
          title={m.signedOut.title}
          lead={m.signedOut.lead}
          button={m.signedOut.signIn}
          buttonTestId={PARENT_TEST_IDS.passkeySignIn}
          working={m.signedOut.working}
          notice={say(notice)}
          error={say(error)}
          footer={<p className="hint">{m.signedOut.firstTime}</p>}
          run={signInWithPasskey}
          onDone={afterCeremony}
        />
      );
      break;
    case 'home':
      body = (
        <Home
          me={screen.me}
          updatedAt={screen.updatedAt}
          m={m}
          locale={locale}
          error={say(error)}
          onSignOut={() => {
            void signOut().then(() => {
              // Signed out here whatever the answer: the cookie is the cloud's to drop, the screen ours.
              setError(null);
              setNotice(null);
              setScreen({ kind: 'signed-out' });
            });
          }}
        />
      );
      break;
  }

  return (
    <div className="app" data-testid="parent-app" data-locale={locale} data-screen={screen.kind}>
      <header className="top">
        <h1>{m.appName}</h1>
        <button
          type="button"
          className="lang"
          data-testid="lang-toggle"
          onClick={() => {
            const next = locale === 'ja' ? 'en' : 'ja';
            saveLocale(next);
            setLocale(next);
          }}
        >
          {m.langToggle}
        </button>
      </header>
      <main>{body}</main>
    </div>
  );
}
