import type { Messages } from './messages.ts';

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
