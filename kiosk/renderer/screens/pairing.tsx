import type { ReactNode } from 'react';
import { UI_TEST_IDS, type PairingView } from '../../common/ui-api.ts';
import type { Messages } from '../messages.ts';

/** A kiosk without a hub yet: scan the hub's pairing code with the camera. */
export function PairingScreen({
  view,
  m,
  camera,
  toggle,
}: {
  view: PairingView | null;
  m: Messages;
  /** The camera preview, large; null without a camera. */
  camera: ReactNode;
  toggle: ReactNode;
}) {
  const status = view?.status ?? 'waiting';
  return (
    <section className="pairing" data-testid={UI_TEST_IDS.pairing} data-status={status}>
      <header className="topbar">
        <h1 className="topbar__facility">Genkan</h1>
        {toggle}
      </header>
      <div className="pairing__body">
        <div className="pairing__text">
          <h2 className="pairing__title">{m.pairing.title}</h2>
          <p className="pairing__instructions">{m.pairing.body}</p>
          <div className={`pairing__status pairing__status--${status}`} role="status" aria-live="polite">
            {status === 'working' && <span className="spinner spinner--small" aria-hidden="true" />}
            {status === 'failed' && (
              <span className="mark mark--failed" aria-hidden="true">
                !
              </span>
            )}
            <div>
              <strong>{m.pairing[status]}</strong>
              {status === 'failed' && (
                <p className="pairing__error">{m.pairing.error(view?.code ?? 'error')}</p>
              )}
              {view?.hub !== undefined && <p className="pairing__hub">{view.hub}</p>}
            </div>
          </div>
        </div>
        <div className="pairing__camera">
          {camera ?? <p className="panel__empty">{m.pairing.noCamera}</p>}
        </div>
      </div>
    </section>
  );
}
