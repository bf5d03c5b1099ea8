import { memo } from 'react';
import { ChildFacts } from './ChildFacts.tsx';
import { childItemHooks, sameChildItem, type ChildItemProps } from './child-item.ts';
import { tileFlag } from './facts.ts';
import { rowActions, type ChildEntry, type RowAction } from './state.ts';
import { ActionButtons } from './widgets.tsx';

interface ChildRowProps extends ChildItemProps {
  /** Must keep its identity across renders: a memoised row keeps the one it first got. */
  onAction: (entry: ChildEntry, action: RowAction) => void;
}

/** A child's line in the full view: status, name, facts and actions; re-rendered only when it changed. */
export const ChildRow = memo(ChildRowView, sameChildItem);

function ChildRowView(props: ChildRowProps) {
  const { entry, timeZone, messages: m } = props;
  const c = entry.child;
  const flag = tileFlag(c);

  return (
    <li className={`row row--${c.status}${flag === null ? '' : ' row--alert'}`} {...childItemHooks(c)}>
      <div className="row__status">
        <span className={`badge badge--${c.status}`}>{m.status[c.status]}</span>
        {flag !== null && <span className="badge badge--alert">{m.why[flag]}</span>}
      </div>
      <div className="row__who">
        <span className="row__kana">{c.kana}</span>
        <span className="row__name">{c.name}</span>
        {props.showClass && <span className="row__class">{entry.className}</span>}
      </div>
      <ChildFacts child={c} timeZone={timeZone} messages={m} />
      <div className="row__actions">
        <ActionButtons entry={entry} actions={rowActions(c)} messages={m} onAction={props.onAction} />
      </div>
    </li>
  );
}
