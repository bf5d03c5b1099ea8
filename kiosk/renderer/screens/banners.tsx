import { UI_TEST_IDS } from '../../common/ui-api.ts';
import type { Messages } from '../messages.ts';

/** The hub is unreachable: taps are still recorded, and wait in the outbox. */
export function OfflineBanner({ outbox, m }: { outbox: number; m: Messages }) {
  return (
    <aside className="offline" data-testid={UI_TEST_IDS.offlineBanner} data-outbox={outbox} role="status">
      <span className="offline__icon" aria-hidden="true" />
      <div className="offline__text">
        <strong className="offline__title">{m.offlineTitle}</strong>
        <span className="offline__body">{m.offlineBody}</span>
      </div>
      <span className="offline__count">{m.outbox(outbox)}</span>
    </aside>
  );
}

/** The screen lost its kiosk agent (browser mode: the socket is down until it reconnects). */
export function AgentBar({ m }: { m: Messages }) {
  return (
    <div className="agent-bar" role="status">
      <span className="spinner spinner--small" aria-hidden="true" />
      {m.agentUnreachable}
    </div>
  );
}
