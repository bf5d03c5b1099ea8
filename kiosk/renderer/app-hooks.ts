import { useEffect, type Dispatch } from 'react';
import type { GenkanKioskApi, Locale } from '../common/ui-api.ts';
import type { KioskTransport } from './bridge-ws.ts';
import { playFeedback } from './feedback.ts';
import { screenTimer, type Action, type AppState, type Feedback, type ScreenTimer } from './state.ts';

/** The App's side effects: what goes into the reducer from outside, and what comes out of its state. */

/** Feeds the agent's events and the state of the link to it into the reducer. */
export function useAgentLink(transport: KioskTransport, dispatch: Dispatch<Action>): void {
  const { api } = transport;
  useEffect(
    () =>
      api.onEvent((event) => {
        dispatch({ type: 'event', event, now: Date.now() });
      }),
    [api, dispatch],
  );
  useEffect(
    () =>
      transport.onConnection((connected) => {
        dispatch({ type: 'connection', connected });
      }),
    [transport, dispatch],
  );
}

/** The page's `lang` follows the language on screen. */
export function useDocumentLang(locale: Locale): void {
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
}

/** Plays each new sound (and spoken greeting) once. */
export function useFeedback(feedback: Feedback | null): void {
  useEffect(() => {
    if (feedback !== null) playFeedback(feedback);
  }, [feedback]);
}

/**
 * Runs the current screen's timer (auto-confirm, auto-dismiss): confirms the open tap first when it
 * says so, then expires the screen it was set for. Returns the timer for the countdowns on screen.
 */
export function useScreenTimer(
  state: AppState,
  api: GenkanKioskApi,
  dispatch: Dispatch<Action>,
): ScreenTimer | null {
  const timer = screenTimer(state);
  const timerSeq = timer?.seq;
  const timerAt = timer?.at;
  const confirmTapId = timer?.confirmTapId ?? null;
  useEffect(() => {
    if (timerSeq === undefined || timerAt === undefined) return;
    const id = window.setTimeout(
      () => {
        if (confirmTapId !== null) void api.confirm(confirmTapId);
        dispatch({ type: 'expire', seq: timerSeq });
      },
      Math.max(0, timerAt - Date.now()),
    );
    return () => {
      window.clearTimeout(id);
    };
  }, [api, dispatch, timerSeq, timerAt, confirmTapId]);
  return timer;
}
