import type { ReactNode } from 'react';
import { UI_TEST_IDS } from '../../common/ui-api.ts';
import type { Messages } from '../messages.ts';

/** The kiosk cannot record anything: say so plainly, and what staff are to do (never a tappable screen). */
export function OutOfOrderScreen({ m, toggle }: { m: Messages; toggle: ReactNode }) {
  return (
    <section className="pairing" data-testid={UI_TEST_IDS.outOfOrder} role="alert">
      <header className="topbar">
        <h1 className="topbar__facility">Genkan</h1>
        {toggle}
      </header>
      <div className="pairing__body">
        <div className="pairing__text">
          <h2 className="pairing__title">
            <span className="mark mark--failed" aria-hidden="true">
              !
            </span>{' '}
            {m.outOfOrder.title}
          </h2>
          <p className="pairing__instructions">{m.outOfOrder.body}</p>
          <p className="pairing__error">{m.outOfOrder.staff}</p>
        </div>
      </div>
    </section>
  );
}
