import type { Messages } from './messages.ts';
import type { ChildEntry, RowAction } from './state.ts';

export function LangToggle(props: { messages: Messages; onToggle: () => void }) {
  return (
    <button
      type="button"
      className="btn btn--quiet"
      data-testid="lang-toggle"
      aria-label={props.messages.langToggleLabel}
      onClick={props.onToggle}
    >
      <span className="globe" aria-hidden="true">
        文A
      </span>
      {props.messages.langToggle}
    </button>
  );
}

/** A child's action buttons (state.ts rowActions), on its row in the full view and in its sheet. */
export function ActionButtons(props: {
  entry: ChildEntry;
  actions: readonly RowAction[];
  messages: Messages;
  onAction: (entry: ChildEntry, action: RowAction) => void;
}) {
  return (
    <>
      {props.actions.map((action) => (
        <button
          key={action}
          type="button"
          className={`btn btn--action btn--${action}`}
          data-testid={`action-${action}`}
          onClick={() => {
            props.onAction(props.entry, action);
          }}
        >
          {props.messages.action[action]}
        </button>
      ))}
    </>
  );
}
