import type { Dispatch, ReactNode } from 'react';
import { UI_TEST_IDS } from '../../common/ui-api.ts';
import type { Messages } from '../messages.ts';
import type { Action } from '../state.ts';

/** The family chooser's button row on every step: back (but on the first), cancel, then the step's own. */
export function FamilyActions({
  m,
  dispatch,
  onBack,
  children,
}: {
  m: Messages;
  dispatch: Dispatch<Action>;
  onBack?: (() => void) | undefined;
  children?: ReactNode;
}) {
  return (
    <div className="pin__actions">
      {onBack && (
        <button type="button" className="btn btn--secondary" onClick={onBack}>
          {m.family.back}
        </button>
      )}
      <button
        type="button"
        className="btn btn--secondary"
        data-testid={UI_TEST_IDS.familyCancel}
        onClick={() => {
          dispatch({ type: 'close_family' });
        }}
      >
        {m.family.cancel}
      </button>
      {children}
    </div>
  );
}
