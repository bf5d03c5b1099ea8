import { memo, useEffect, useRef } from 'react';
import { ChildFacts } from './ChildFacts.tsx';
import { childItemHooks, sameChildItem, type ChildItemProps } from './child-item.ts';
import { tileFlag, tileStatus, tileTime } from './facts.ts';
import type { Messages } from './messages.ts';
import { PickupMarker } from './Pickup.tsx';
import { rowActions, type ChildEntry, type RowAction } from './state.ts';
import { ActionButtons, NoticeBadge } from './widgets.tsx';

/**
 * The compact view: one dense line per child (status colour, name, status or flag, time), so that a class
 * of twenty fits one tablet screen and a phone shows one line per child. One touch opens the child's
 * sheet with the full record and the actions.
 */

interface TileProps extends ChildItemProps {
  /** Must keep its identity across renders (memoised tiles keep the first one). */
  onOpen: (entry: ChildEntry) => void;
}

export const CompactTile = memo(CompactTileView, sameChildItem);

function CompactTileView(props: TileProps) {
  const { entry, messages: m } = props;
  const c = entry.child;
  const flag = tileFlag(c);
  const time = tileTime(c, props.timeZone);
  return (
    <li
      className={`tile tile--${c.status}${flag === null ? '' : ' tile--alert'}`}
      {...childItemHooks(c)}
      data-flag={flag ?? 'none'}
    >
      <button
        type="button"
        className="tile__btn"
        data-testid="tile-open"
        aria-label={m.compact.open(c.name)}
        onClick={() => {
          props.onOpen(entry);
        }}
      >
        {flag !== null && (
          <span className="tile__flag" aria-hidden="true">
            !
          </span>
        )}
        <span className="tile__name">{c.name}</span>
        {props.showClass && <span className="tile__class">{entry.className}</span>}
        <span className="tile__status">{tileStatus(c, m)}</span>
        {time !== null && <span className="tile__time">{time}</span>}
        {c.parentNotice !== null && <NoticeBadge notice={c.parentNotice} messages={m} short />}
        {c.pickupPlan !== null && <PickupMarker plan={c.pickupPlan} messages={m} />}
        {c.corrections.length > 0 && (
          <span className="tile__corrected" title={m.corrected}>
            ✎
          </span>
        )}
      </button>
    </li>
  );
}

/** A child's full record and actions, opened from its tile. */
export function ChildSheet(props: {
  entry: ChildEntry;
  timeZone: string;
  messages: Messages;
  onAction: (entry: ChildEntry, action: RowAction) => void;
  onClose: () => void;
}) {
  const { entry, messages: m } = props;
  const c = entry.child;
  const actions = rowActions(c);
  const flag = tileFlag(c);
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const d = dialog.current;
    if (d !== null && !d.open) d.showModal();
  }, []);

  return (
    <dialog
      ref={dialog}
      className="dialog sheet"
      data-testid="child-sheet"
      data-child-id={c.id}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      <div className="dialog__form">
        <p className="dialog__child">
          <span className="dialog__kana">{c.kana}</span>
          <span className="dialog__name">{c.name}</span>
          <span className="dialog__class">{entry.className}</span>
        </p>
        <p className="sheet__status">
          <span className={`badge badge--${c.status}`}>{m.status[c.status]}</span>
          {flag !== null && <span className="badge badge--alert">{m.why[flag]}</span>}
        </p>
        <ChildFacts child={c} timeZone={props.timeZone} messages={m} pickupOpen />
        <div className="sheet__actions">
          {actions.length === 0 && <p className="sheet__none">{m.compact.noActions}</p>}
          <ActionButtons entry={entry} actions={actions} messages={m} onAction={props.onAction} />
        </div>
        <div className="dialog__buttons">
          <button
            type="button"
            className="btn btn--secondary"
            data-testid="sheet-close"
            onClick={props.onClose}
          >
            {m.compact.close}
          </button>
        </div>
      </div>
    </dialog>
  );
}
