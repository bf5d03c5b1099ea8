import type { Dispatch, PointerEvent } from 'react';
import { UI_TEST_IDS } from '../../common/ui-api.ts';
import type { Messages } from '../messages.ts';
import type { Action } from '../state.ts';

/** The language button every screen has in its top bar. */
export function LangToggle({ m, dispatch }: { m: Messages; dispatch: Dispatch<Action> }) {
  return (
    <button
      type="button"
      className="btn btn--lang"
      data-testid={UI_TEST_IDS.langToggle}
      aria-label={m.langToggleLabel}
      // A touch on a refusal screen closes it; switching language must not.
      onPointerDown={(e: PointerEvent) => {
        e.stopPropagation();
      }}
      onClick={(e) => {
        e.stopPropagation();
        dispatch({ type: 'toggle_locale', now: Date.now() });
      }}
    >
      <span className="btn--lang__globe" aria-hidden="true">
        文A
      </span>
      {m.langToggle}
    </button>
  );
}
