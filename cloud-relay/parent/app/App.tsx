import { useCallback, useEffect, useRef, useState } from 'react';
import type { ParentNotice } from '../../../protocol/parent-notices.ts';
import { PARENT_TEST_IDS, type ParentMe } from '../../../protocol/parents.ts';
import { getMe, isUnauthorized, registerPasskey, signInWithPasskey, signOut, type ApiResult } from './api.ts';
import { FacilityNotices } from './FacilityNotices.tsx';
import { Home, type Sent } from './Home.tsx';
import { forgetInvitation, invitationFromHash } from './invite-link.ts';
import { savedLocale, saveLocale } from './locale.ts';
import { failureText, MESSAGES, type Locale } from './messages.ts';
import { NoticeForm } from './NoticeForm.tsx';
import { dropHash, isNoticesLink, NOTICES_HASH, openedHash } from './notices-link.ts';
import { getNotices } from './notices-api.ts';
import { PasskeyScreen } from './PasskeyScreen.tsx';
import { PickupForm } from './PickupForm.tsx';
import { useFacilityNotices } from './use-facility-notices.ts';
import { useRefresh } from './use-refresh.ts';

type Screen =
  | { readonly kind: 'loading' }
  | { readonly kind: 'invite'; readonly token: string }
  | { readonly kind: 'signed-out' }
  | { readonly kind: 'home'; readonly me: ParentMe; readonly updatedAt: Date }
  /** The notice form, over today's page (`me`: the children to choose from). */
  | { readonly kind: 'compose'; readonly me: ParentMe; readonly preselect: string | null }
  /** Today's pickup form, over today's page. */
  | { readonly kind: 'pickup'; readonly me: ParentMe; readonly preselect: string | null }
  /** The facility's notices (園からのお知らせ; `/parent/#notices`). */
  | { readonly kind: 'notices'; readonly me: ParentMe };

/** Today's page, and the parent's notices when they were fetched too (null: not this time). */
type Page = readonly [ApiResult<ParentMe>, ApiResult<readonly ParentNotice[]> | null];

/** The notices list is fetched again at least this often, and whenever today's page shows a change. */
const LIST_REFRESH_MS = 60_000;

/** What today's page says of the notices: a new notice or a read changes it. */
const noticesKey = (me: ParentMe): string =>
  me.children
    .flatMap((c) => c.notices.map((n) => `${n.id}:${n.status}`))
    .sort()
    .join(',');

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
  /** The parent's notices as last fetched; null until they are (or where the cloud has none to give). */
  const [notices, setNotices] = useState<readonly ParentNotice[] | null>(null);
  const [sent, setSent] = useState<Sent | null>(null);
  const facility = useFacilityNotices();
  const { load: loadFacilityNotices, forget: forgetFacilityNotices } = facility;
  /** The app was opened at `#notices` (a notice's push): the list shows once signed in. */
  const wantsNotices = useRef(isNoticesLink(window.location.hash));
  /** When the list was fetched, and what today's page said of the notices then. */
  const listSeen = useRef({ key: '', atMs: 0 });
  const m = MESSAGES[locale];
  const say = (s: Say | null) => (s === null ? null : 'key' in s ? MESSAGES[locale][s.key] : s.text(locale));

  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = m.appName;
  }, [locale, m.appName]);

  /** Signed out: the next parent's list is fetched afresh. */
  const forgetNotices = useCallback(() => {
    setNotices(null);
    listSeen.current = { key: '', atMs: 0 };
    forgetFacilityNotices();
  }, [forgetFacilityNotices]);

  /** Shows today's page; a 401 (expired, signed out elsewhere, access revoked) shows the sign-in screen. */
  const show = useCallback(
    (r: ApiResult<ParentMe>, after: 'start' | 'refresh' | 'signed-in') => {
      if (r.ok) {
        const me = r.value;
        const home: Screen = { kind: 'home', me, updatedAt: new Date() };
        const notices = after !== 'refresh' && wantsNotices.current;
        if (notices) {
          wantsNotices.current = false;
          dropHash();
        }
        // A refresh that ends while the parent is on another screen (a form, the notices) leaves it alone.
        setScreen((now) =>
          notices ? { kind: 'notices', me } : after === 'refresh' && now.kind !== 'home' ? now : home,
        );
        setError(null);
        setNotice(null);
      } else if (isUnauthorized(r.failure)) {
        forgetNotices();
        setScreen({ kind: 'signed-out' });
        setNotice(after === 'refresh' ? { key: 'sessionEnded' } : null);
      } else {
        const failure = r.failure;
        setError({ text: (l) => failureText(MESSAGES[l], failure) });
        // A failed first load still needs a screen; a failed refresh keeps the last page shown.
        if (after === 'start') setScreen({ kind: 'signed-out' });
      }
    },
    [forgetNotices],
  );

  /**
   * Today's page, every time (5 s); the notices list only when that page shows a new notice or a read,
   * or a minute went by: each parent's phone asks the cloud once per refresh, not twice.
   */
  const fetchPage = useCallback(async (): Promise<Page> => {
    const me = await getMe();
    if (!me.ok) return [me, null];
    const key = noticesKey(me.value);
    const nowMs = Date.now();
    const seen = listSeen.current;
    if (key === seen.key && nowMs - seen.atMs < LIST_REFRESH_MS) return [me, null];
    const list = await getNotices();
    if (list.ok) listSeen.current = { key, atMs: nowMs };
    return [me, list];
  }, []);

  /** The facility's notices ride along a page fetch (at most once a minute): the home badge counts them. */
  const fetchAll = useCallback(async (): Promise<Page> => {
    const page = await fetchPage();
    if (page[0].ok) await loadFacilityNotices(false);
    return page;
  }, [fetchPage, loadFacilityNotices]);

  /** Shows a fetched page; a failed notices list keeps the last one (today's page says what went wrong). */
  const showPage = useCallback(
    ([me, list]: Page, after: 'start' | 'refresh' | 'signed-in') => {
      if (list?.ok === true) setNotices(list.value);
      show(me, after);
    },
    [show],
  );

  const startsLoading = screen.kind === 'loading';
  useEffect(() => {
    if (startsLoading) {
      void fetchAll().then((page) => {
        showPage(page, 'start');
      });
    }
  }, [startsLoading, fetchAll, showPage]);

  useEffect(() => {
    // An invitation opened while the app is already open (a second link, a pasted address).
    const onHash = () => {
      const token = invitationFromHash(window.location.hash);
      if (token !== null) {
        setError(null);
        setScreen({ kind: 'invite', token });
      }
      if (isNoticesLink(window.location.hash)) {
        dropHash();
        // Signed in: the list now; otherwise once signed in.
        setScreen((now) => {
          if ('me' in now) return { kind: 'notices', me: now.me };
          wantsNotices.current = true;
          return now;
        });
      }
    };
    // A notification tapped while the app is open: the service worker tells this window where to go.
    const onMessage = (e: MessageEvent) => {
      if (openedHash(e.data, window.location.href) === NOTICES_HASH) window.location.hash = NOTICES_HASH;
    };
    const worker = 'serviceWorker' in navigator ? navigator.serviceWorker : null;
    worker?.addEventListener('message', onMessage);
    window.addEventListener('hashchange', onHash);
    return () => {
      window.removeEventListener('hashchange', onHash);
      worker?.removeEventListener('message', onMessage);
    };
  }, []);

  const refresh = useCallback(async () => {
    showPage(await fetchAll(), 'refresh');
  }, [fetchAll, showPage]);

  const onNoticesScreen = screen.kind === 'notices';
  useEffect(() => {
    if (onNoticesScreen) void loadFacilityNotices(true);
  }, [onNoticesScreen, loadFacilityNotices]);

  const sessionEnded = useCallback(() => {
    setError(null);
    setNotice({ key: 'sessionEnded' });
    forgetNotices();
    setScreen({ kind: 'signed-out' });
  }, [forgetNotices]);
  const sentShown = useCallback(() => {
    setSent(null);
  }, []);
  useRefresh(screen.kind === 'home', refresh);

  const afterCeremony = (result: ApiResult<null>) => {
    if (result.ok) {
      forgetInvitation();
      void fetchAll().then((page) => {
        showPage(page, 'signed-in');
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
          notices={notices}
          facilityNotices={facility.notices}
          updatedAt={screen.updatedAt}
          m={m}
          locale={locale}
          error={say(error)}
          sent={sent}
          onSentShown={sentShown}
          onCompose={(preselect) => {
            setSent(null);
            setScreen({ kind: 'compose', me: screen.me, preselect });
            window.scrollTo(0, 0);
          }}
          onPickup={(preselect) => {
            setSent(null);
            setScreen({ kind: 'pickup', me: screen.me, preselect });
            window.scrollTo(0, 0);
          }}
          onFacilityNotices={() => {
            setScreen({ kind: 'notices', me: screen.me });
            window.scrollTo(0, 0);
          }}
          onSessionEnded={sessionEnded}
          onSignOut={() => {
            void signOut().then(() => {
              // Signed out here whatever the answer: the cookie is the cloud's to drop, the screen ours.
              setError(null);
              setNotice(null);
              forgetNotices();
              setScreen({ kind: 'signed-out' });
            });
          }}
        />
      );
      break;
    case 'compose': {
      const me = screen.me;
      const back = () => {
        setScreen({ kind: 'home', me, updatedAt: new Date() });
        window.scrollTo(0, 0);
      };
      body = (
        <NoticeForm
          me={me}
          preselect={screen.preselect}
          m={m}
          onSent={(stored) => {
            setNotices((list) => [stored, ...(list ?? []).filter((n) => n.id !== stored.id)]);
            setSent('notice');
            back();
            // Today's page again at once: the cards show the new notice without waiting for the timer.
            void refresh();
          }}
          onSessionEnded={sessionEnded}
          onCancel={back}
        />
      );
      break;
    }
    case 'pickup':
    case 'notices': {
      const me = screen.me;
      const back = () => {
        setScreen({ kind: 'home', me, updatedAt: new Date() });
        window.scrollTo(0, 0);
      };
      body =
        screen.kind === 'pickup' ? (
          <PickupForm
            me={me}
            preselect={screen.preselect}
            m={m}
            locale={locale}
            onSent={() => {
              setSent('pickup');
              back();
              // Today's page again at once: the cards show the new plan without waiting for the timer.
              void refresh();
            }}
            onSessionEnded={sessionEnded}
            onCancel={back}
          />
        ) : (
          <FacilityNotices
            notices={facility.notices}
            m={m}
            locale={locale}
            onRead={async (id) => {
              facility.markRead(id, new Date().toISOString());
              await loadFacilityNotices(true);
            }}
            onSessionEnded={sessionEnded}
            onBack={back}
          />
        );
      break;
    }
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
