import { useState, type Dispatch } from 'react';
import { PICKUP_TEST_IDS } from '../../../protocol/parent-pickups.ts';
import { changeText, heldText } from '../../common/tap-messages.ts';
import {
  UI_TEST_IDS,
  type ChildView,
  type GenkanKioskApi,
  type Locale,
  type UiReply,
} from '../../common/ui-api.ts';
import type { Messages } from '../messages.ts';
import { isHeld, tapDirection, type Action, type OkTap, type Screen } from '../state.ts';
import { useNow } from '../use-now.ts';
import { avatarColour, initialOf } from '../view.ts';
import { SwapIcon, UndoIcon } from './icons.tsx';
import { LangToggle } from './lang-toggle.tsx';

/**
 * A recorded tap: the children, and undo / leave out / change direction until it confirms itself. A
 * sibling whose own next step differs is shown apart with its own direction, recorded only if touched;
 * a tap held by the reversal guard records nothing and asks (a touch on a child records it).
 */

function Countdown({ from, durationMs, m }: { from: number; durationMs: number; m: Messages }) {
  const now = useNow(200);
  const remaining = Math.max(0, from + durationMs - now);
  const seconds = Math.ceil(remaining / 1000);
  return (
    <div className="countdown" data-testid={UI_TEST_IDS.countdown} data-seconds={seconds}>
      <div className="countdown__track" aria-hidden="true">
        <div className="countdown__fill" style={{ transform: `scaleX(${remaining / durationMs})` }} />
      </div>
      <span className="countdown__text">{m.countdown(seconds)}</span>
    </div>
  );
}

/** How a child's card offers its one touch. */
type ChildRole =
  /** Recorded with the tap (or left out by the parent): leave out / add back. */
  | 'member'
  /** A sibling whose own next step differs, or any child of a held tap: touching records it. */
  | 'apart';

function ChildEntry({
  child,
  role,
  showButton,
  m,
  disabled,
  onToggle,
}: {
  child: ChildView;
  role: ChildRole;
  showButton: boolean;
  m: Messages;
  disabled: boolean;
  onToggle: () => void;
}) {
  const apart = role === 'apart';
  const out = !child.included;
  return (
    <li
      className={`child child--${child.direction}${out ? ' child--out' : ''}${apart ? ' child--apart' : ''}`}
      data-child-id={child.childId}
      data-direction={child.direction}
      data-included={String(child.included)}
    >
      <div className="avatar" style={{ backgroundColor: avatarColour(child.classId) }} aria-hidden="true">
        {initialOf(child.name)}
      </div>
      <div className="child__text">
        {child.kana !== '' && <p className="child__kana">{child.kana}</p>}
        <p className="child__name">{child.name}</p>
        {apart && (
          // Its own direction in large type: never a small label that reads like the tap's.
          <p className={`child__own badge badge--${child.direction}`}>{m.direction[child.direction]}</p>
        )}
        <p className="child__meta">
          <span className="child__class">{child.className}</span>
          {apart ? (
            out && <span className="badge badge--out">{m.tap.apart}</span>
          ) : (
            <span className={`badge badge--${child.included ? child.direction : 'out'}`}>
              {child.included ? m.direction[child.direction] : m.leftOut}
            </span>
          )}
        </p>
        {child.pickup !== undefined && (
          <p
            className={`child__pickup${child.pickup.someoneElse ? ' child__pickup--other' : ''}`}
            data-testid={PICKUP_TEST_IDS.kioskPlan}
            data-someone-else={String(child.pickup.someoneElse)}
          >
            <span className="child__pickup-label">{m.tap.pickupLabel}</span>
            <span className="child__pickup-text">{m.tap.pickup(child.pickup)}</span>
          </p>
        )}
      </div>
      {showButton && (
        <button
          type="button"
          className={`btn btn--toggle${out ? ' btn--toggle-out' : ''}`}
          data-testid={UI_TEST_IDS.childToggle}
          aria-pressed={out}
          disabled={disabled}
          onClick={onToggle}
        >
          {apart ? (out ? m.tap.record(child.direction) : m.leaveOut) : out ? m.addBack : m.leaveOut}
        </button>
      )}
    </li>
  );
}

export function OkResult({
  tap,
  screen,
  durationMs,
  api,
  m,
  locale,
  timeZone,
  dispatch,
}: {
  tap: OkTap;
  screen: Extract<Screen, { kind: 'result' }>;
  durationMs: number;
  api: GenkanKioskApi;
  m: Messages;
  locale: Locale;
  timeZone: string;
  dispatch: Dispatch<Action>;
}) {
  // One command at a time: a double press of "change direction" must not flip it back.
  const [busy, setBusy] = useState(false);
  const direction = tapDirection(tap);
  const held = isHeld(tap);
  const many = tap.children.length > 1;
  const earlier = tap.children.flatMap((c) =>
    c.reversal === true && c.last ? [{ name: c.name, type: c.last.type, at: c.last.at }] : [],
  );
  // One child: one big card; two: side by side; more: compact cards in a grid.
  const layout = many ? (tap.children.length === 2 ? 'pair' : 'grid') : 'single';

  /** Runs a command from a touch at time `now`; the touch restarts the countdown. */
  const run = (now: number, command: () => Promise<UiReply>, onOk?: () => void): void => {
    if (busy) return;
    setBusy(true);
    dispatch({ type: 'interaction', now });
    void command().then((reply) => {
      setBusy(false);
      if (reply.ok) onOk?.();
      else dispatch({ type: 'command_failed', tapId: tap.tapId });
    });
  };

  return (
    <section
      className={`result result--${held ? 'held' : direction}`}
      data-testid={UI_TEST_IDS.tapResult}
      data-result={held ? 'needs_confirm' : 'ok'}
      aria-live="assertive"
    >
      <header className="band">
        <span className={`band__badge badge badge--${direction}`}>{m.direction[direction]}</span>
        <h1 className="band__title" data-testid={UI_TEST_IDS.message}>
          {held ? m.tap.heldTitle : m.greeting[direction]}
        </h1>
        <LangToggle m={m} dispatch={dispatch} />
      </header>
      {held && earlier.length > 0 && (
        <p className="result__note" role="alert">
          {heldText(earlier, direction, timeZone, locale)}
        </p>
      )}
      {!held && screen.change && (
        <p className="result__note" role="status">
          {changeText(screen.change, locale)}
        </p>
      )}
      <ul className={`children children--${layout}`}>
        {tap.children.map((child) => {
          const role: ChildRole = held || child.direction !== direction ? 'apart' : 'member';
          return (
            <ChildEntry
              key={child.childId}
              child={child}
              role={role}
              showButton={many || role === 'apart'}
              m={m}
              disabled={busy}
              onToggle={() => {
                run(Date.now(), () => api.setIncluded(tap.tapId, child.childId, !child.included));
              }}
            />
          );
        })}
      </ul>
      {screen.failed && (
        <p className="result__failed" role="alert">
          {m.commandFailed}
        </p>
      )}
      <footer className="actions">
        {!held && (
          <>
            <button
              type="button"
              className="btn btn--secondary"
              data-testid={UI_TEST_IDS.undo}
              disabled={busy}
              onClick={() => {
                run(
                  Date.now(),
                  () => api.undo(tap.tapId),
                  () => {
                    dispatch({ type: 'undone', tapId: tap.tapId, now: Date.now() });
                  },
                );
              }}
            >
              <UndoIcon />
              {m.undo}
            </button>
            <button
              type="button"
              className="btn btn--secondary"
              data-testid={UI_TEST_IDS.flip}
              disabled={busy}
              onClick={() => {
                run(Date.now(), () => api.flip(tap.tapId));
              }}
            >
              <SwapIcon />
              {m.flip}
            </button>
          </>
        )}
        <Countdown key={screen.countdownFrom} from={screen.countdownFrom} durationMs={durationMs} m={m} />
        <button
          type="button"
          className="btn btn--primary"
          data-testid={UI_TEST_IDS.confirm}
          onClick={() => {
            // Back to idle at once: the next parent is waiting; a refused confirm changes nothing.
            void api.confirm(tap.tapId);
            dispatch({ type: 'dismiss' });
          }}
        >
          {held ? m.tap.dontRecord : m.confirm}
        </button>
      </footer>
    </section>
  );
}
