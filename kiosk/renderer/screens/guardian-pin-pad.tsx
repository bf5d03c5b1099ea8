import { useState, type Dispatch } from 'react';
import { lockedOutSeconds } from '../../common/messages.ts';
import { UI_TEST_IDS, type FamilyChoice, type GenkanKioskApi, type UiReply } from '../../common/ui-api.ts';
import type { Messages } from '../messages.ts';
import type { Action } from '../state.ts';

/** The family chooser's last step: the chosen guardian's PIN (4–8 digits), checked by the kiosk agent. */

const PIN_MIN = 4;
const PIN_MAX = 8;

function triesLeft(message: string): number | undefined {
  const m = /\((\d+) tries left/.exec(message);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

function pinError(reply: Extract<UiReply, { ok: false }>, m: Messages): string {
  const f = m.family;
  switch (reply.code) {
    case 'bad_pin':
    case 'bad_command':
      return f.badPin(triesLeft(reply.message));
    case 'locked_out': {
      const seconds = lockedOutSeconds(reply.message);
      return f.lockedOut(seconds === undefined ? undefined : Math.ceil(seconds / 60));
    }
    case 'no_pin':
      return f.noPin;
    default:
      return f.failed(reply.code);
  }
}

export function GuardianPinPad({
  guardian,
  api,
  m,
  dispatch,
  onBack,
  onActivity,
}: {
  guardian: FamilyChoice;
  api: GenkanKioskApi;
  m: Messages;
  dispatch: Dispatch<Action>;
  onBack: () => void;
  /** Every key press: the chooser's idle timer starts over. */
  onActivity: () => void;
}) {
  const f = m.family;
  const [pin, setPin] = useState('');
  const [error, setError] = useState<{ code: string; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const locked = error?.code === 'locked_out';

  const type = (next: string): void => {
    setPin(next.replace(/[^0-9]/g, '').slice(0, PIN_MAX));
    if (!locked) setError(null);
    onActivity();
  };
  const submit = (): void => {
    if (busy || locked || pin.length < PIN_MIN) return;
    setBusy(true);
    void api.submitGuardianPin(guardian.id, pin).then((reply) => {
      setBusy(false);
      setPin('');
      // Right: the tap's result screen replaces the chooser.
      if (!reply.ok) setError({ code: reply.code, text: pinError(reply, m) });
    });
  };

  return (
    <form
      className="pin__body"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <div className="pin__head">
        <h1 className="pin__title">{f.pinTitle(guardian.name)}</h1>
        <p className="pin__sub">{f.childrenOf(guardian.children.map((c) => c.name))}</p>
        <p className="pin__sub">{f.pinSub}</p>
      </div>
      <input
        className="pin__input"
        data-testid={UI_TEST_IDS.guardianPinInput}
        type="password"
        inputMode="numeric"
        autoComplete="off"
        maxLength={PIN_MAX}
        aria-label={f.pinTitle(guardian.name)}
        value={pin}
        disabled={locked}
        onChange={(e) => {
          type(e.target.value);
        }}
      />
      <p
        className="pin__error"
        role="alert"
        data-testid={UI_TEST_IDS.guardianPinMessage}
        data-code={error?.code ?? ''}
      >
        {error?.text ?? ''}
      </p>
      <div className="pin__pad">
        {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => (
          <button
            key={d}
            type="button"
            className="btn btn--secondary pin__key"
            disabled={locked}
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
          disabled={locked}
          onClick={() => {
            type('');
          }}
        >
          {f.clear}
        </button>
        <button
          type="button"
          className="btn btn--secondary pin__key"
          disabled={locked}
          onClick={() => {
            type(`${pin}0`);
          }}
        >
          0
        </button>
        <button
          type="button"
          className="btn btn--secondary pin__key"
          aria-label={f.deleteDigit}
          disabled={locked}
          onClick={() => {
            type(pin.slice(0, -1));
          }}
        >
          ⌫
        </button>
      </div>
      <div className="pin__actions">
        <button type="button" className="btn btn--secondary" onClick={onBack}>
          {f.back}
        </button>
        <button
          type="button"
          className="btn btn--secondary"
          data-testid={UI_TEST_IDS.familyCancel}
          onClick={() => {
            dispatch({ type: 'close_family' });
          }}
        >
          {f.cancel}
        </button>
        <button
          type="submit"
          className="btn btn--primary"
          data-testid={UI_TEST_IDS.guardianPinSubmit}
          disabled={busy || locked || pin.length < PIN_MIN}
        >
          {f.submit}
        </button>
      </div>
    </form>
  );
}
