import { useState, type Dispatch } from 'react';
import { UI_TEST_IDS, type ChildView, type GenkanKioskApi, type UiReply } from '../../common/ui-api.ts';
import type { Messages } from '../messages.ts';
import { tapDirection, type Action, type OkTap, type Screen } from '../state.ts';
import { useNow } from '../use-now.ts';
import { avatarColour, initialOf } from '../view.ts';
import { SwapIcon, UndoIcon } from './icons.tsx';
import { LangToggle } from './lang-toggle.tsx';

/** A recorded tap: the children, and undo / leave out / change direction until it confirms itself. */

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

function ChildEntry({
  child,
  many,
  m,
  disabled,
  onToggle,
}: {
  child: ChildView;
  many: boolean;
  m: Messages;
  disabled: boolean;
  onToggle: () => void;
}) {
  return (
    <li
      className={`child child--${child.direction}${child.included ? '' : ' child--out'}`}
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
        <p className="child__meta">
          <span className="child__class">{child.className}</span>
          <span className={`badge badge--${child.included ? child.direction : 'out'}`}>
            {child.included ? m.direction[child.direction] : m.leftOut}
          </span>
        </p>
      </div>
      {many && (
        <button
          type="button"
          className={`btn btn--toggle${child.included ? '' : ' btn--toggle-out'}`}
          data-testid={UI_TEST_IDS.childToggle}
          aria-pressed={!child.included}
          disabled={disabled}
          onClick={onToggle}
        >
          {child.included ? m.leaveOut : m.addBack}
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
  dispatch,
}: {
  tap: OkTap;
  screen: Extract<Screen, { kind: 'result' }>;
  durationMs: number;
  api: GenkanKioskApi;
  m: Messages;
  dispatch: Dispatch<Action>;
}) {
  // One command at a time: a double press of "change direction" must not flip it back.
  const [busy, setBusy] = useState(false);
  const direction = tapDirection(tap);
  const many = tap.children.length > 1;
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
      className={`result result--${direction}`}
      data-testid={UI_TEST_IDS.tapResult}
      data-result="ok"
      aria-live="assertive"
    >
      <header className="band">
        <span className={`band__badge badge badge--${direction}`}>{m.direction[direction]}</span>
        <h1 className="band__title" data-testid={UI_TEST_IDS.message}>
          {m.greeting[direction]}
        </h1>
        <LangToggle m={m} dispatch={dispatch} />
      </header>
      <ul className={`children children--${layout}`}>
        {tap.children.map((child) => (
          <ChildEntry
            key={child.childId}
            child={child}
            many={many}
            m={m}
            disabled={busy}
            onToggle={() => {
              run(Date.now(), () => api.setIncluded(tap.tapId, child.childId, !child.included));
            }}
          />
        ))}
      </ul>
      {screen.failed && (
        <p className="result__failed" role="alert">
          {m.commandFailed}
        </p>
      )}
      <footer className="actions">
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
          {m.confirm}
        </button>
      </footer>
    </section>
  );
}
