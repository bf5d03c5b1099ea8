import { useState, type Dispatch } from 'react';
import { UI_TEST_IDS, type FamilyChoice, type GenkanKioskApi, type UiReply } from '../../common/ui-api.ts';
import type { Messages } from '../messages.ts';
import type { Action } from '../state.ts';
import { FamilyActions } from './family-actions.tsx';
import { PinForm, PinInput, PinKeypad, pinDigits, pinErrorText } from './pin-keypad.tsx';

/** The family chooser's last step: the chosen guardian's PIN (4–8 digits), checked by the kiosk agent. */

const PIN_MIN = 4;
const PIN_MAX = 8;

function triesLeft(message: string): number | undefined {
  const m = /\((\d+) tries left/.exec(message);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

function pinError(reply: Extract<UiReply, { ok: false }>, m: Messages): string {
  const f = m.family;
  return pinErrorText(reply, { ...f, badPin: f.badPin(triesLeft(reply.message)) });
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
    setPin(pinDigits(next, PIN_MAX));
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
    <PinForm
      title={f.pinTitle(guardian.name)}
      lines={[f.childrenOf(guardian.children.map((c) => c.name)), f.pinSub]}
      onSubmit={submit}
    >
      <PinInput
        pin={pin}
        max={PIN_MAX}
        label={f.pinTitle(guardian.name)}
        testId={UI_TEST_IDS.guardianPinInput}
        disabled={locked}
        onType={type}
      />
      <p
        className="pin__error"
        role="alert"
        data-testid={UI_TEST_IDS.guardianPinMessage}
        data-code={error?.code ?? ''}
      >
        {error?.text ?? ''}
      </p>
      <PinKeypad pin={pin} clearLabel={f.clear} deleteLabel={f.deleteDigit} disabled={locked} onType={type} />
      <FamilyActions m={m} dispatch={dispatch} onBack={onBack}>
        <button
          type="submit"
          className="btn btn--primary"
          data-testid={UI_TEST_IDS.guardianPinSubmit}
          disabled={busy || locked || pin.length < PIN_MIN}
        >
          {f.submit}
        </button>
      </FamilyActions>
    </PinForm>
  );
}
