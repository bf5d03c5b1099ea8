import { memo } from 'react';
import { TABLET_TEST_IDS } from '../../../protocol/tablet.ts';
import { ChildFacts } from './ChildFacts.tsx';
import type { Messages } from './messages.ts';
import { rowActions, type ChildEntry, type RowAction } from './state.ts';

interface ChildRowProps {
  entry: ChildEntry;
  showClass: boolean;
  timeZone: string;
  messages: Messages;
  /** Must keep its identity across renders: a memoised row keeps the one it first got. */
  onAction: (entry: ChildEntry, action: RowAction) => void;
}

/**
 * Rows re-render only when their child changed: a push carries the whole roll-call, and the state keeps
 * the previous object of every child that reads the same (state.ts shareUnchanged), so one tap re-renders
 * one row instead of a hundred.
 */
export const ChildRow = memo(
  ChildRowView,
  (a, b) =>
    a.entry.child === b.entry.child &&
    a.entry.className === b.entry.className &&
    a.showClass === b.showClass &&
    a.timeZone === b.timeZone &&
    a.messages === b.messages,
);

function ChildRowView(props: ChildRowProps) {
  const { entry, timeZone, messages: m } = props;
  const c = entry.child;
  const flag = c.unaccounted ? 'unaccounted' : c.stillPresentAtClosing ? 'still-present' : null;
  const actions = rowActions(c);

  return (
    <li
      className={`row row--${c.status}${flag === null ? '' : ` row--${flag}`}`}
      data-testid={TABLET_TEST_IDS.childRow}
      data-child-id={c.id}
      data-status={c.status}
      data-unaccounted={c.unaccounted ? 'true' : 'false'}
    >
      <div className="row__status">
        <span className={`badge badge--${c.status}`}>{m.status[c.status]}</span>
        {flag !== null && (
          <span className="badge badge--alert">{c.unaccounted ? m.unaccounted : m.stillPresent}</span>
        )}
      </div>
      <div className="row__who">
        <span className="row__kana">{c.kana}</span>
        <span className="row__name">{c.name}</span>
        {props.showClass && <span className="row__class">{entry.className}</span>}
      </div>
      <ChildFacts child={c} timeZone={timeZone} messages={m} />
      <div className="row__actions">
        {actions.map((action) => (
          <button
            key={action}
            type="button"
            className={`btn btn--action btn--${action}`}
            data-testid={`action-${action}`}
            onClick={() => {
              props.onAction(props.entry, action);
            }}
          >
            {m.action[action]}
          </button>
        ))}
      </div>
    </li>
  );
}
