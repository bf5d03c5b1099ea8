import { useEffect, useState, type Dispatch, type ReactNode } from 'react';
import { lockedOutSeconds } from '../../common/messages.ts';
import { UI_TEST_IDS, type GenkanKioskApi, type UiReply } from '../../common/ui-api.ts';
import type { Messages } from '../messages.ts';
import type { Action } from '../state.ts';
import { LockIcon } from './icons.tsx';

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

function pinError(reply: Extract<UiReply, { ok: false }>, m: Messages): string {
  switch (reply.code) {
    case 'bad_pin':
    case 'bad_command':
      return m.staff.badPin;
    case 'locked_out': {
      const seconds = lockedOutSeconds(reply.message);
      return m.staff.lockedOut(seconds === undefined ? undefined : Math.ceil(seconds / 60));
    }
    case 'no_pin':
      return m.staff.noPin;
    default:
      return m.staff.failed(reply.code);
  }
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
  useEffect(() => {
    const id = window.setTimeout(() => {
      dispatch({ type: 'close_pin_pad' });
    }, PIN_PAD_IDLE_MS);
    return () => {
      window.clearTimeout(id);
    };
  }, [dispatch, pin, error]);

  const type = (next: string): void => {
    setPin(next.replace(/[^0-9]/g, '').slice(0, PIN_MAX));
    setError(null);
  };
  const submit = (): void => {
    if (busy || pin.length < PIN_MIN) return;
    setBusy(true);
    void api.openMaintenance(pin).then((reply) => {
      setBusy(false);
      setPin('');
      // On success the maintenance event replaces this pad.
      if (!reply.ok) setError(pinError(reply, m));
    });
  };

  return (
    <section className="staff pin">
      {header}
      <form
        className="pin__body"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <div className="pin__head">
          <h1 className="pin__title">{m.staff.pinTitle}</h1>
          <p className="pin__sub">{m.staff.pinSub}</p>
        </div>
        <input
          className="pin__input"
          data-testid={UI_TEST_IDS.pinInput}
          type="password"
          inputMode="numeric"
          autoComplete="off"
          maxLength={PIN_MAX}
          aria-label={m.staff.pinTitle}
          value={pin}
          onChange={(e) => {
            type(e.target.value);
          }}
        />
        <p className="pin__error" role="alert">
          {error ?? ''}
        </p>
        <div className="pin__pad">
          {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => (
            <button
              key={d}
              type="button"
              className="btn btn--secondary pin__key"
              onClick={() => {
                type(pin + d);
              }}
            >
              {d}
            </button>
          ))}
          <button
            type="button"
            className="btn btn--secondary pin__key pin__key--small"
            onClick={() => {
              type('');
            }}
          >
            {m.staff.pinClear}
          </button>
          <button
            type="button"
            className="btn btn--secondary pin__key"
            onClick={() => {
              type(`${pin}0`);
            }}
          >
            0
          </button>
          <button
            type="button"
            className="btn btn--secondary pin__key"
            aria-label={m.staff.pinDelete}
            onClick={() => {
              type(pin.slice(0, -1));
            }}
          >
            ⌫
          </button>
        </div>
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
      </form>
    </section>
  );
}
