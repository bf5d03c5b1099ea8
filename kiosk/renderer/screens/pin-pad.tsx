import { useState, type Dispatch, type ReactNode } from 'react';
import { UI_TEST_IDS, type GenkanKioskApi } from '../../common/ui-api.ts';
import type { Messages } from '../messages.ts';
import type { Action } from '../state.ts';
import { useIdleClose } from '../use-idle-close.ts';
import { LockIcon } from './icons.tsx';
import { PinForm, PinInput, PinKeypad, pinDigits, pinErrorText } from './pin-keypad.tsx';

/** The way into the staff screens: the corner button and the PIN pad it opens. */

/** The PIN pad closes itself when left alone this long (a parent may have opened it by chance). */
const PIN_PAD_IDLE_MS = 30_000;
const PIN_MAX = 12;
const PIN_MIN = 4;

/** Small, in a corner, and labelled for staff: not something a parent presses to check in. */
export function StaffButton({ m, dispatch }: { m: Messages; dispatch: Dispatch<Action> }) {
  return (
    <button
      type="button"
      className="staff-button"
      data-testid={UI_TEST_IDS.maintenanceButton}
      aria-label={m.staff.buttonLabel}
      onClick={() => {
        dispatch({ type: 'open_pin_pad' });
      }}
    >
      <LockIcon />
      {m.staff.button}
    </button>
  );
}

export function PinPad({
  api,
  m,
  dispatch,
  header,
}: {
  api: GenkanKioskApi;
  m: Messages;
  dispatch: Dispatch<Action>;
  header: ReactNode;
}) {
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // Every change of the entry restarts the idle timer.
  useIdleClose(dispatch, 'close_pin_pad', PIN_PAD_IDLE_MS, `${pin}\n${error ?? ''}`);

  const type = (next: string): void => {
    setPin(pinDigits(next, PIN_MAX));
    setError(null);
  };
  const submit = (): void => {
    if (busy || pin.length < PIN_MIN) return;
    setBusy(true);
    void api.openMaintenance(pin).then((reply) => {
      setBusy(false);
      setPin('');
      // On success the maintenance event replaces this pad.
      if (!reply.ok) setError(pinErrorText(reply, m.staff));
    });
  };

  return (
    <section className="staff pin">
      {header}
      <PinForm title={m.staff.pinTitle} lines={[m.staff.pinSub]} onSubmit={submit}>
        <PinInput
          pin={pin}
          max={PIN_MAX}
          label={m.staff.pinTitle}
          testId={UI_TEST_IDS.pinInput}
          onType={type}
        />
        <p className="pin__error" role="alert">
          {error ?? ''}
        </p>
        <PinKeypad pin={pin} clearLabel={m.staff.pinClear} deleteLabel={m.staff.pinDelete} onType={type} />
        <div className="pin__actions">
          <button
            type="button"
            className="btn btn--secondary"
            onClick={() => {
              dispatch({ type: 'close_pin_pad' });
            }}
          >
            {m.staff.pinCancel}
          </button>
          <button
            type="submit"
            className="btn btn--primary"
            data-testid={UI_TEST_IDS.pinSubmit}
            disabled={busy || pin.length < PIN_MIN}
          >
            {m.staff.pinSubmit}
          </button>
        </div>
      </PinForm>
    </section>
  );
}
