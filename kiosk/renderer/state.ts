import type {
  Direction,
  FamilyChoice,
  KioskView,
  Locale,
  MaintenanceView,
  PairingView,
  TapView,
  UiEvent,
} from '../common/ui-api.ts';
import type { TapChange } from '../common/tap-messages.ts';
import { MESSAGES } from './messages.ts';
import { changeOf, undoneChange } from './tap-change.ts';

/**
 * The kiosk screen as a pure reducer: UiEvents from the agent and the parent's touches go in, what to
 * show comes out. Time is passed in with each action (never read here), and timers are explicit
 * actions, so every screen transition can be tested without a DOM or a clock.
 */

/** A refusal (unknown card, refused QR…) stays this long unless touched. */
export const REFUSAL_MS = 5000;
/** The "cancelled" notice after an undo. */
export const CANCELLED_MS = 2000;
/** Used until the first state arrives (the agent always sends one first). */
export const DEFAULT_AUTO_CONFIRM_MS = 10_000;

export type OkTap = Extract<TapView, { result: 'ok' }>;

export type Screen =
  | { readonly kind: 'idle' }
  | {
      readonly kind: 'result';
      /** Identifies this showing of a screen: a timer for an older one must not close a newer one. */
      readonly seq: number;
      readonly tap: TapView;
      readonly shownAt: number;
      /** When the countdown (auto-confirm, or auto-dismiss for refusals) last (re)started. */
      readonly countdownFrom: number;
      /** A command on this tap was refused or timed out: tell the parent. */
      readonly failed: boolean;
      /** What the parent's last change did, said on screen; null before any. */
      readonly change?: TapChange | null;
    }
  | {
      readonly kind: 'cancelled';
      readonly seq: number;
      readonly tap: OkTap;
      readonly shownAt: number;
      /** Which children's events the undo cancelled, said on screen. */
      readonly change?: TapChange | null;
    };

/** `notice`: nothing went wrong but nothing new was recorded (a repeated tap). */
export type Sound = 'check_in' | 'check_out' | 'refusal' | 'notice';

/** One sound (and maybe a spoken greeting) to play; a new object each time something should sound. */
export interface Feedback {
  readonly id: number;
  readonly sound: Sound;
  readonly speech: { readonly text: string; readonly lang: string } | null;
}

export interface AppState {
  readonly kiosk: KioskView | null;
  /** Transport to the kiosk agent is up (browser mode: the WebSocket is open). */
  readonly connected: boolean;
  /** The parent pressed the language button; cleared when the next result screen closes. */
  readonly localeOverride: Locale | null;
  readonly screen: Screen;
  readonly seq: number;
  readonly feedback: Feedback | null;
  /** The staff maintenance screen's content while it is unlocked; null when locked. */
  readonly maintenance: MaintenanceView | null;
  /** The staff PIN pad is open (over the idle screen). */
  readonly pinPad: boolean;
  /** The latest pairing progress, shown while the kiosk's mode is `pairing`. */
  readonly pairing: PairingView | null;
  /** "No card, no phone": the family chooser is open (over the idle screen). */
  readonly familyOpen: boolean;
  /** The chooser's guardians, as last sent by the agent (asked for on every opening); null before. */
  readonly families: readonly FamilyChoice[] | null;
}

export type Action =
  | { readonly type: 'event'; readonly event: UiEvent; readonly now: number }
  | { readonly type: 'connection'; readonly connected: boolean }
  | { readonly type: 'toggle_locale'; readonly now: number }
  /** The parent touched a control that changes the tap (toggle, flip): restart the countdown. */
  | { readonly type: 'interaction'; readonly now: number }
  /** The agent accepted an undo of this tap (its tap_updated may come before or after). */
  | { readonly type: 'undone'; readonly tapId: string; readonly now: number }
  | { readonly type: 'command_failed'; readonly tapId: string }
  /** OK pressed, or a refusal touched: back to idle now. */
  | { readonly type: 'dismiss' }
  /** The timer of screen `seq` ran out (screenTimer says when). */
  | { readonly type: 'expire'; readonly seq: number }
  /** The staff button was pressed / the PIN pad was left (cancel, or untouched for a while). */
  | { readonly type: 'open_pin_pad' }
  | { readonly type: 'close_pin_pad' }
  /** The "no card" button was pressed / the family chooser was left (cancel, or untouched a while). */
  | { readonly type: 'open_family' }
  | { readonly type: 'close_family' };

export const initialState: AppState = {
  kiosk: null,
  connected: false,
  localeOverride: null,
  screen: { kind: 'idle' },
  seq: 0,
  feedback: null,
  maintenance: null,
  pinPad: false,
  pairing: null,
  familyOpen: false,
  families: null,
};

/** What the screen shows while no tap result is up (a result always comes first: the parent is waiting). */
export type Backdrop = 'out_of_order' | 'pairing' | 'maintenance' | 'pin' | 'family' | 'idle';

export function backdropOf(state: AppState): Backdrop {
  if (state.kiosk?.mode === 'out_of_order') return 'out_of_order';
  if (state.kiosk?.mode === 'pairing') return 'pairing';
  if (state.maintenance !== null) return 'maintenance';
  if (state.pinPad) return 'pin';
  if (state.familyOpen) return 'family';
  return 'idle';
}

export function localeOf(state: AppState): Locale {
  return state.localeOverride ?? state.kiosk?.defaultLocale ?? 'ja';
}

export function autoConfirmMsOf(state: AppState): number {
  return state.kiosk?.autoConfirmMs ?? DEFAULT_AUTO_CONFIRM_MS;
}

/** The timer the current screen runs: when it fires, and whether it confirms an open tap first. */
export interface ScreenTimer {
  readonly seq: number;
  readonly at: number;
  readonly durationMs: number;
  readonly confirmTapId: string | null;
}

export function screenTimer(state: AppState): ScreenTimer | null {
  const screen = state.screen;
  switch (screen.kind) {
    case 'idle':
      return null;
    case 'cancelled':
      return {
        seq: screen.seq,
        at: screen.shownAt + CANCELLED_MS,
        durationMs: CANCELLED_MS,
        confirmTapId: null,
      };
    case 'result': {
      const tap = screen.tap;
      if (tap.result === 'ok' && !tap.closed) {
        const durationMs = autoConfirmMsOf(state);
        return {
          seq: screen.seq,
          at: screen.countdownFrom + durationMs,
          durationMs,
          confirmTapId: tap.tapId,
        };
      }
      return {
        seq: screen.seq,
        at: screen.countdownFrom + REFUSAL_MS,
        durationMs: REFUSAL_MS,
        confirmTapId: null,
      };
    }
  }
}

/** The direction the tap as a whole announces: the agent's, else that of the first included child. */
export function tapDirection(tap: OkTap): Direction {
  if (tap.direction !== undefined) return tap.direction;
  const child = tap.children.find((c) => c.included) ?? tap.children[0];
  return child?.direction ?? 'check_in';
}

function toIdle(state: AppState): AppState {
  // Leaving a result screen ends the parent's language choice: the next parent starts in the default.
  const wasShowing = state.screen.kind !== 'idle';
  return {
    ...state,
    screen: { kind: 'idle' },
    localeOverride: wasShowing ? null : state.localeOverride,
  };
}

function toCancelled(state: AppState, tap: OkTap, now: number, change: TapChange | null = null): AppState {
  const seq = state.seq + 1;
  return { ...state, seq, screen: { kind: 'cancelled', seq, tap, shownAt: now, change } };
}

/** Held by the reversal guard with nothing recorded yet: the screen asks. */
export function isHeld(tap: OkTap): boolean {
  return tap.held === true && !tap.children.some((c) => c.included);
}

function feedbackFor(state: AppState, tap: TapView): Feedback {
  const id = (state.feedback?.id ?? 0) + 1;
  if (tap.result === 'debounced') return { id, sound: 'notice', speech: null };
  if (tap.result !== 'ok') return { id, sound: 'refusal', speech: null };
  // Nothing recorded yet: a question, not a greeting.
  if (isHeld(tap)) return { id, sound: 'notice', speech: null };
  const direction = tapDirection(tap);
  const locale = localeOf(state);
  const m = MESSAGES[locale];
  const speech =
    state.kiosk?.speak === true
      ? {
          text: m.speech(
            direction,
            tap.children
              .filter((c) => c.included)
              .map((c) => (locale === 'ja' && c.kana !== '' ? c.kana : c.name)),
          ),
          lang: m.speechLang,
        }
      : null;
  return { id, sound: direction, speech };
}

function showTap(state: AppState, tap: TapView, now: number): AppState {
  if (tap.result === 'ok' && tap.closed) {
    // A tap already finished (e.g. re-sent on reconnect): nothing left for the parent to do.
    return tap.undone ? toCancelled(state, tap, now) : toIdle(state);
  }
  const seq = state.seq + 1;
  return {
    ...state,
    seq,
    screen: { kind: 'result', seq, tap, shownAt: now, countdownFrom: now, failed: false },
    feedback: feedbackFor(state, tap),
    // A PIN tap's result replaces the family chooser: after it, the idle screen again.
    familyOpen: false,
  };
}

/** The ok tap on screen with this id, if any. */
function shownOkTap(state: AppState, tapId: string): OkTap | null {
  const screen = state.screen;
  if (screen.kind !== 'result' || screen.tap.result !== 'ok' || screen.tap.tapId !== tapId) return null;
  return screen.tap;
}

function updateTap(state: AppState, tap: OkTap, now: number): AppState {
  const screen = state.screen;
  const shown = shownOkTap(state, tap.tapId);
  if (screen.kind !== 'result' || shown === null) return state;
  if (tap.closed) return tap.undone ? toCancelled(state, tap, now, undoneChange(shown)) : toIdle(state);
  const turned = tapDirection(shown) !== tapDirection(tap) || (isHeld(shown) && !isHeld(tap));
  return {
    ...state,
    screen: {
      ...screen,
      tap,
      countdownFrom: now,
      failed: false,
      change: changeOf(shown, tap) ?? screen.change ?? null,
    },
    // A changed direction sounds again, so a parent who is not looking hears the change.
    feedback: turned ? feedbackFor(state, tap) : state.feedback,
  };
}

function onEvent(state: AppState, event: UiEvent, now: number): AppState {
  switch (event.type) {
    case 'state':
      return { ...state, kiosk: event.state, connected: true };
    case 'tap': {
      const tap = event.tap;
      // The agent re-sends the tap on screen after a reconnect: same tap, not a new one to announce.
      if (tap.result === 'ok' && shownOkTap(state, tap.tapId) !== null) return updateTap(state, tap, now);
      return showTap(state, tap, now);
    }
    case 'tap_updated':
      return event.tap.result === 'ok' ? updateTap(state, event.tap, now) : state;
    case 'maintenance':
      // Unlocked: the PIN pad has done its job. Locked: back to the idle screen.
      return { ...state, maintenance: event.view, pinPad: false };
    case 'pairing':
      return { ...state, pairing: event.view };
    case 'families':
      return { ...state, families: event.families };
  }
}

export function reduce(state: AppState, action: Action): AppState {
  switch (action.type) {
    case 'event':
      return onEvent(state, action.event, action.now);
    case 'connection':
      if (action.connected === state.connected) return state;
      // On reconnect the agent sends the state and the tap on screen again, so drop what may be stale.
      return action.connected
        ? { ...state, connected: true }
        : { ...toIdle(state), connected: false, maintenance: null, pinPad: false, familyOpen: false };
    case 'toggle_locale': {
      const next: Locale = localeOf(state) === 'ja' ? 'en' : 'ja';
      const screen = state.screen;
      return {
        ...state,
        localeOverride: next,
        // Switching language to read the screen takes time: give it back.
        screen: screen.kind === 'result' ? { ...screen, countdownFrom: action.now } : screen,
      };
    }
    case 'interaction': {
      const screen = state.screen;
      return screen.kind === 'result'
        ? { ...state, screen: { ...screen, countdownFrom: action.now } }
        : state;
    }
    case 'undone': {
      const tap = shownOkTap(state, action.tapId);
      return tap === null
        ? state
        : toCancelled(state, { ...tap, closed: true, undone: true }, action.now, undoneChange(tap));
    }
    case 'command_failed': {
      const screen = state.screen;
      return shownOkTap(state, action.tapId) !== null && screen.kind === 'result'
        ? { ...state, screen: { ...screen, failed: true } }
        : state;
    }
    case 'dismiss':
      return toIdle(state);
    case 'expire': {
      const screen = state.screen;
      return screen.kind !== 'idle' && screen.seq === action.seq ? toIdle(state) : state;
    }
    case 'open_pin_pad':
      return state.kiosk?.mode === 'kiosk' && state.maintenance === null ? { ...state, pinPad: true } : state;
    case 'close_pin_pad':
      return state.pinPad ? { ...state, pinPad: false } : state;
    case 'open_family':
      return state.kiosk?.mode === 'kiosk' && state.maintenance === null && !state.pinPad
        ? { ...state, familyOpen: true }
        : state;
    case 'close_family':
      // The list names every family: it does not stay in memory once the chooser is closed.
      return state.familyOpen ? { ...state, familyOpen: false, families: null } : state;
  }
}
