import { useEffect, type Dispatch } from 'react';
import type { Action } from './state.ts';

/**
 * Closes a screen a parent may have opened by chance or walked away from (the staff PIN pad, the family
 * chooser): dispatches `close` once `ms` pass without `activity` changing.
 */
export function useIdleClose(
  dispatch: Dispatch<Action>,
  close: 'close_pin_pad' | 'close_family',
  ms: number,
  activity: string | number,
): void {
  useEffect(() => {
    const id = window.setTimeout(() => {
      dispatch({ type: close });
    }, ms);
    return () => {
      window.clearTimeout(id);
    };
  }, [dispatch, close, ms, activity]);
}
