import { TABLET_TEST_IDS, type TabletChild } from '../../../protocol/tablet.ts';
import type { Messages } from './messages.ts';
import type { ChildEntry } from './state.ts';

/** What a child's row (full view) and its tile (compact view) both render from. */
export interface ChildItemProps {
  entry: ChildEntry;
  showClass: boolean;
  timeZone: string;
  messages: Messages;
}

/**
 * Rows and tiles re-render only when their child changed: a push carries the whole roll-call, and the state
 * keeps the previous object of every child that reads the same (state.ts shareUnchanged), so one tap
 * re-renders one row instead of a hundred. Their callbacks are left out: they must keep their identity.
 */
export function sameChildItem(a: ChildItemProps, b: ChildItemProps): boolean {
  return (
    a.entry.child === b.entry.child &&
    a.entry.className === b.entry.className &&
    a.showClass === b.showClass &&
    a.timeZone === b.timeZone &&
    a.messages === b.messages
  );
}

/** The hooks tests find a child by: the same on a row and on a tile, whichever view is on. */
export function childItemHooks(c: TabletChild) {
  return {
    'data-testid': TABLET_TEST_IDS.childRow,
    'data-child-id': c.id,
    'data-status': c.status,
    'data-unaccounted': c.unaccounted ? 'true' : 'false',
  } as const;
}
