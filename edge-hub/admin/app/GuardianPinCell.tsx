import { useState } from 'react';
import { setGuardianPin } from './api.ts';
import type { PageProps } from './App.tsx';

const PIN_RE = /^[0-9]{4,8}$/;

/**
 * A guardian's kiosk PIN in the roster's guardian table: whether one is set, a field to set a new one
 * and a button to remove it. The PIN is sent once and never shown again (the hub keeps a hash only).
 * Hooks: `guardian-pin` (attribute `data-pin` true|false), `guardian-pin-new`, `guardian-pin-save`,
 * `guardian-pin-clear`, each with `data-guardian-id`.
 */
export function GuardianPinCell({
  guardianId,
  initial,
  m,
  onFailure,
}: { guardianId: string; initial: boolean } & PageProps) {
  const t = m.roster.guardianPin;
  const [isSet, setIsSet] = useState(initial);
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const change = async (next: string | null): Promise<void> => {
    if (next !== null && !PIN_RE.test(next)) {
      setError(t.badFormat);
      return;
    }
    setBusy(true);
    const result = await setGuardianPin(guardianId, next);
    setBusy(false);
    if (result.ok) {
      setIsSet(result.value.pin);
      setPin('');
      setError(null);
    } else onFailure(result.failure);
  };

  return (
    <span className="guardian-pin" data-testid="guardian-pin" data-guardian-id={guardianId} data-pin={isSet}>
      <span>{isSet ? t.set : t.unset}</span>{' '}
      <input
        type="password"
        inputMode="numeric"
        autoComplete="new-password"
        maxLength={8}
        size={8}
        aria-label={t.input}
        placeholder={t.input}
        data-testid="guardian-pin-new"
        data-guardian-id={guardianId}
        value={pin}
        onChange={(e) => {
          setPin(e.target.value.replace(/[^0-9]/g, ''));
          setError(null);
        }}
      />{' '}
      <button
        type="button"
        data-testid="guardian-pin-save"
        data-guardian-id={guardianId}
        disabled={busy || pin.length < 4}
        onClick={() => {
          void change(pin);
        }}
      >
        {t.save}
      </button>
      {isSet && (
        <button
          type="button"
          data-testid="guardian-pin-clear"
          data-guardian-id={guardianId}
          disabled={busy}
          onClick={() => {
            void change(null);
          }}
        >
          {t.clear}
        </button>
      )}
      {error !== null && <span role="alert"> {error}</span>}
    </span>
  );
}
