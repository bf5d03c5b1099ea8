import { memo, useEffect, useRef } from 'react';
import { TABLET_TEST_IDS } from '../../../protocol/tablet.ts';
import { ChildFacts } from './ChildFacts.tsx';
import { tileFlag, tileStatus, tileTime } from './facts.ts';
import type { Messages } from './messages.ts';
import { rowActions, type AttentionEntry, type ChildEntry, type RowAction } from './state.ts';

/**
 * The compact view: one dense line per child (status colour, name, status or flag, time), so that a class
 * of twenty fits one tablet screen and a phone shows one line per child. One touch opens the child's
 * sheet with the full record and the actions.
 */

interface TileProps {
  entry: ChildEntry;
  showClass: boolean;
  timeZone: string;
  messages: Messages;
  /** Must keep its identity across renders (memoised tiles keep the first one). */
  onOpen: (entry: ChildEntry) => void;
}

export const CompactTile = memo(
  CompactTileView,
  (a, b) =>
    a.entry.child === b.entry.child &&
    a.entry.className === b.entry.className &&
    a.showClass === b.showClass &&
    a.timeZone === b.timeZone &&
    a.messages === b.messages,
);

function CompactTileView(props: TileProps) {
  const { entry, messages: m } = props;
  const c = entry.child;
  const flag = tileFlag(c);
  const time = tileTime(c, props.timeZone);
  return (
    <li
      className={`tile tile--${c.status}${flag === null ? '' : ' tile--alert'}`}
      data-testid={TABLET_TEST_IDS.childRow}
      data-child-id={c.id}
      data-status={c.status}
      data-unaccounted={c.unaccounted ? 'true' : 'false'}
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
        {c.corrections.length > 0 && (
          <span className="tile__corrected" title={m.corrected}>
            ✎
          </span>
        )}
      </button>
    </li>
  );
}

/** The compact view's attention line: how many to find, and their names, on one line. */
export function CompactAttention(props: { attention: AttentionEntry[]; messages: Messages }) {
  const { attention, messages: m } = props;
  return (
    <section
      className={`attention attention--line${attention.length > 0 ? ' attention--alert' : ''}`}
      data-testid={TABLET_TEST_IDS.attention}
      data-count={attention.length}
      aria-live="polite"
    >
      {attention.length === 0 ? (
        <p className="attention__none">
          <span className="mark mark--ok" aria-hidden="true">
            ✓
          </span>
          {m.attentionNone}
        </p>
      ) : (
        <p className="attention__line">
          <span className="mark mark--alert" aria-hidden="true">
            !
          </span>
          <strong>{m.attentionTitle(attention.length)}</strong>
          <span className="attention__names">
            {attention.map((a) => `${a.child.name}（${m.why[a.why]}）`).join('、')}
          </span>
        </p>
      )}
    </section>
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
        <ChildFacts child={c} timeZone={props.timeZone} messages={m} />
        <div className="sheet__actions">
          {actions.length === 0 && <p className="sheet__none">{m.compact.noActions}</p>}
          {actions.map((action) => (
            <button
              key={action}
              type="button"
              className={`btn btn--action btn--${action}`}
              data-testid={`action-${action}`}
              onClick={() => {
                props.onAction(entry, action);
              }}
            >
              {m.action[action]}
            </button>
          ))}
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
