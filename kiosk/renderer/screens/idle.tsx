import type { Dispatch } from 'react';
import { UI_TEST_IDS, type KioskView } from '../../common/ui-api.ts';
import type { Messages } from '../messages.ts';
import type { Action } from '../state.ts';
import { useNow } from '../use-now.ts';
import { clockText } from '../view.ts';
import { PromptIcon } from './icons.tsx';
import { LangToggle } from './lang-toggle.tsx';
import { NoCardButton } from './family-chooser.tsx';
import { StaffButton } from './pin-pad.tsx';

/** `offsetMs`: the agent's correction when this machine's clock is off from the hub's (else 0). */
function Clock({ m, timeZone, offsetMs }: { m: Messages; timeZone: string; offsetMs: number }) {
  const now = useNow(1000);
  const { time, date } = clockText(now + offsetMs, m.intlLocale, timeZone);
  return (
    <div className="clock" data-testid={UI_TEST_IDS.clock}>
      <div className="clock__time">{time}</div>
      <div className="clock__date">{date}</div>
    </div>
  );
}

/** Waiting for the next parent: the clock and what to hold up (or why the kiosk is not ready yet). */
export function IdleScreen({
  kiosk,
  m,
  dispatch,
}: {
  kiosk: KioskView | null;
  m: Messages;
  dispatch: Dispatch<Action>;
}) {
  let prompt: { title: string; sub: string; waiting: boolean };
  if (kiosk === null) prompt = { title: m.connecting, sub: m.startingSub, waiting: true };
  else if (!kiosk.ready) prompt = { title: m.starting, sub: m.startingSub, waiting: true };
  else prompt = { title: m.prompt, sub: m.promptSub, waiting: false };
  return (
    <section className="idle" data-testid={UI_TEST_IDS.idle}>
      <header className="topbar">
        <h1 className="topbar__facility" data-testid={UI_TEST_IDS.facilityName}>
          {kiosk?.facilityName ?? ''}
        </h1>
        <LangToggle m={m} dispatch={dispatch} />
      </header>
      <div className="idle__center">
        <Clock m={m} timeZone={kiosk?.timeZone ?? 'Asia/Tokyo'} offsetMs={kiosk?.clockOffsetMs ?? 0} />
        <div className={`prompt${prompt.waiting ? ' prompt--waiting' : ''}`} role="status">
          {prompt.waiting ? <span className="spinner" aria-hidden="true" /> : <PromptIcon />}
          <div className="prompt__text">
            <p className="prompt__title">{prompt.title}</p>
            <p className="prompt__sub">{prompt.sub}</p>
          </div>
        </div>
      </div>
      {kiosk?.ready === true && <NoCardButton m={m} dispatch={dispatch} />}
      {kiosk !== null && <StaffButton m={m} dispatch={dispatch} />}
    </section>
  );
}
