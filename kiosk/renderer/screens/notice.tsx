import type { Dispatch } from 'react';
import { UI_TEST_IDS } from '../../common/ui-api.ts';
import type { Messages } from '../messages.ts';
import type { Action } from '../state.ts';
import { UndoIcon } from './icons.tsx';
import { LangToggle } from './lang-toggle.tsx';

/** A tap that recorded nothing new (refused, repeated) or was undone: a message, closed by a touch. */
export function NoticeResult({
  result,
  tone,
  title,
  body,
  timer,
  m,
  dispatch,
}: {
  result: string;
  tone: 'refusal' | 'info' | 'cancelled';
  title: string;
  body: string;
  timer: { from: number; durationMs: number };
  m: Messages;
  dispatch: Dispatch<Action>;
}) {
  return (
    <section
      className={`result result--${tone}`}
      data-testid={UI_TEST_IDS.tapResult}
      data-result={result}
      aria-live="assertive"
      onPointerDown={() => {
        dispatch({ type: 'dismiss' });
      }}
    >
      <header className="band">
        <span className={`mark band__icon band__icon--${tone}`} aria-hidden="true">
          {tone === 'refusal' ? '!' : tone === 'info' ? '✓' : <UndoIcon />}
        </span>
        <h1 className="band__title band__title--notice" data-testid={UI_TEST_IDS.message}>
          {title}
        </h1>
        <LangToggle m={m} dispatch={dispatch} />
      </header>
      <div className="notice">
        <p className="notice__body">{body}</p>
      </div>
      <footer className="notice__footer">
        <div className="notice__timer" aria-hidden="true">
          <div
            key={timer.from}
            className="notice__timer-fill"
            style={{ animationDuration: `${timer.durationMs}ms` }}
          />
        </div>
        <p className="notice__hint">{m.touchToClose}</p>
      </footer>
    </section>
  );
}
