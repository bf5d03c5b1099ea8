import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { getRollcall, getSession, isUnauthorized, setUpDevice, signOut, type ApiFailure } from './api.ts';
import { MESSAGES } from './messages.ts';
import { pairingFromHash } from './pairing.ts';
import { openPush, pushSocketUrl } from './push.ts';
import { Rollcall } from './Rollcall.tsx';
import { SignIn } from './SignIn.tsx';
import { initialState, reduce, staleAt, type SignInError } from './state.ts';
import { loadView, pageStorage, saveView } from './view-pref.ts';

/** How often the app checks whether the roll-call needs a fetch (the hub may push only on change). */
const REFRESH_CHECK_MS = 5_000;
/** Fetch when no roll-call came for this long (heartbeats say the hub lives, not that a push was missed). */
const REFRESH_AFTER_MS = 15_000;

/** What a failed GET /api/session or sign-in means for the sign-in screen. */
export function signInErrorOf(failure: ApiFailure): SignInError {
  switch (failure.kind) {
    case 'network':
      return { kind: 'unreachable' };
    case 'invalid':
      return { kind: 'other', code: 'invalid_answer' };
    case 'http':
      if (failure.status === 429) return { kind: 'too_many', retryAfterSeconds: failure.retryAfterSeconds };
      // Signing in needs a set-up tablet: the hub refuses a browser without the device cookie.
      if (failure.status === 403 || failure.code.includes('device')) return { kind: 'device_not_set_up' };
      if (failure.status === 401) return { kind: 'bad_credentials' };
      return { kind: 'other', code: failure.code };
  }
}

/** A fresh GET /api/session answer is news only when it is not the plain "nobody signed in" 401. */
function loadError(failure: ApiFailure): SignInError | null {
  if (failure.kind === 'http' && failure.status === 401 && !failure.code.includes('device')) return null;
  return signInErrorOf(failure);
}

export function App() {
  const [state, dispatch] = useReducer(reduce, undefined, () => initialState('ja', loadView(pageStorage())));
  const [now, setNow] = useState(() => Date.now());
  const messages = MESSAGES[state.locale];
  const freshAt = useRef<number | null>(null);

  // The refresh timer reads the latest value without restarting the push channel on each change.
  useEffect(() => {
    freshAt.current = state.freshAt;
  }, [state.freshAt]);

  useEffect(() => {
    document.documentElement.lang = state.locale;
  }, [state.locale]);

  useEffect(() => {
    saveView(pageStorage(), state.view);
  }, [state.view]);

  // Turn stale the moment the hub has been silent for too long, not at the next clock tick.
  const turnsStaleAt = staleAt(state);
  useEffect(() => {
    if (turnsStaleAt === null) return;
    const timer = window.setTimeout(
      () => {
        setNow(Date.now());
      },
      Math.max(0, turnsStaleAt - Date.now()),
    );
    return () => {
      window.clearTimeout(timer);
    };
  }, [turnsStaleAt]);

  useEffect(() => {
    const timer = window.setInterval(() => {
      setNow(Date.now());
    }, 1000);
    return () => {
      window.clearInterval(timer);
    };
  }, []);

  // Start: set the tablet up from a pairing link if there is one, then find out who is signed in.
  useEffect(() => {
    let cancelled = false;
    const start = async (): Promise<void> => {
      const pairing = pairingFromHash(window.location.hash);
      if (pairing !== null) {
        // The one-time code must not stay in the address bar or the history.
        window.history.replaceState(null, '', window.location.pathname + window.location.search);
        if (pairing === 'invalid') {
          dispatch({ type: 'setup', setup: { status: 'failed', reason: 'invalid_link' } });
        } else {
          dispatch({ type: 'setup', setup: { status: 'working', deviceId: pairing.device } });
          const result = await setUpDevice({ deviceId: pairing.device, code: pairing.code });
          if (cancelled) return;
          if (result.ok) dispatch({ type: 'setup', setup: { status: 'done', deviceId: pairing.device } });
          else {
            const f = result.failure;
            const reason =
              f.kind === 'network'
                ? 'unreachable'
                : f.kind === 'http' &&
                    (f.status === 400 || f.status === 401 || f.status === 403 || f.status === 404)
                  ? 'code_refused'
                  : 'other';
            dispatch({ type: 'setup', setup: { status: 'failed', reason } });
          }
        }
      }
      const session = await getSession();
      if (cancelled) return;
      if (session.ok) dispatch({ type: 'signed_in', session: session.value });
      else dispatch({ type: 'signed_out', error: loadError(session.failure) });
    };
    void start();
    return () => {
      cancelled = true;
    };
  }, []);

  const signedIn = state.phase === 'signed_in';

  /** Fetches the roll-call; a 401 means the session is gone. */
  const refresh = useCallback(async (): Promise<void> => {
    const result = await getRollcall();
    if (result.ok) dispatch({ type: 'rollcall', rollcall: result.value, now: Date.now() });
    else if (isUnauthorized(result.failure))
      dispatch({ type: 'signed_out', error: { kind: 'session_ended' } });
  }, []);

  // While signed in: the push channel, a fetch as a fallback, and a fetch whenever pushes go quiet.
  useEffect(() => {
    if (!signedIn) return;
    let active = true;
    const close = openPush(pushSocketUrl(window.location.href), {
      onPush: (push) => {
        dispatch({ type: 'push', push, now: Date.now() });
      },
      onConnection: (connected) => {
        dispatch({ type: 'connection', connected });
        if (connected) {
          void refresh();
          return;
        }
        // A refused upgrade looks like any closed socket: ask whether the session is still there.
        void getSession().then((s) => {
          if (active && !s.ok && isUnauthorized(s.failure)) {
            dispatch({ type: 'signed_out', error: { kind: 'session_ended' } });
          }
        });
      },
    });
    void refresh();
    const timer = window.setInterval(() => {
      const at = freshAt.current;
      if (at === null || Date.now() - at > REFRESH_AFTER_MS) void refresh();
    }, REFRESH_CHECK_MS);
    return () => {
      active = false;
      window.clearInterval(timer);
      close();
    };
  }, [signedIn, refresh]);

  const onSignOut = useCallback(async (): Promise<void> => {
    await signOut();
    dispatch({ type: 'signed_out', error: null });
  }, []);

  return (
    <div className="app" data-testid="tablet-app" data-locale={state.locale} data-phase={state.phase}>
      {state.phase === 'loading' && <p className="boot">{messages.loading}</p>}
      {state.phase === 'signed_out' && (
        <SignIn
          messages={messages}
          error={state.signInError}
          setup={state.setup}
          onToggleLocale={() => {
            dispatch({ type: 'toggle_locale' });
          }}
          onSignedIn={(session) => {
            dispatch({ type: 'signed_in', session });
          }}
          onFailed={(failure) => {
            dispatch({ type: 'sign_in_failed', error: signInErrorOf(failure) });
          }}
        />
      )}
      {state.phase === 'signed_in' && state.session !== null && (
        <Rollcall
          state={state}
          now={now}
          messages={messages}
          dispatch={dispatch}
          onSignOut={() => {
            void onSignOut();
          }}
          onUnauthorized={() => {
            dispatch({ type: 'signed_out', error: { kind: 'session_ended' } });
          }}
        />
      )}
    </div>
  );
}
