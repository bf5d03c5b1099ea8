import type { ReactNode } from 'react';
import { lockedOutSeconds } from '../../common/messages.ts';
import type { UiReply } from '../../common/ui-api.ts';

/**
 * What the two PIN pads share (the staff's, pin-pad.tsx; a guardian's, guardian-pin-pad.tsx): the form
 * and its heading, the masked field, the on-screen keypad, and the reading of a refused PIN. Each pad keeps its own limits, texts and
 * test ids.
 */

/** Digits only, at most `max` of them: what the field and the keypad both put in. */
export function pinDigits(raw: string, max: number): string {
  return raw.replace(/[^0-9]/g, '').slice(0, max);
}

/** The texts a pad shows for a refused PIN. */
export interface PinErrorTexts {
  readonly badPin: string;
  /** `minutes`: undefined when the kiosk did not say. */
  readonly lockedOut: (minutes: number | undefined) => string;
  readonly noPin: string;
  readonly failed: (code: string) => string;
}

export function pinErrorText(reply: Extract<UiReply, { ok: false }>, texts: PinErrorTexts): string {
  switch (reply.code) {
    case 'bad_pin':
    case 'bad_command':
      return texts.badPin;
    case 'locked_out': {
      const seconds = lockedOutSeconds(reply.message);
      return texts.lockedOut(seconds === undefined ? undefined : Math.ceil(seconds / 60));
    }
    case 'no_pin':
      return texts.noPin;
    default:
      return texts.failed(reply.code);
  }
}

/** The pad's form (Enter in the field submits too), headed by its title and lines of explanation. */
export function PinForm({
  title,
  lines,
  onSubmit,
  children,
}: {
  title: string;
  lines: readonly string[];
  onSubmit: () => void;
  children: ReactNode;
}) {
  return (
    <form
      className="pin__body"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <div className="pin__head">
        <h1 className="pin__title">{title}</h1>
        {lines.map((line, i) => (
          // Fixed lines in a fixed order: the index is their identity.
          <p key={i} className="pin__sub">
            {line}
          </p>
        ))}
      </div>
      {children}
    </form>
  );
}

export function PinInput({
  pin,
  max,
  label,
  testId,
  disabled = false,
  onType,
}: {
  pin: string;
  max: number;
  label: string;
  testId: string;
  disabled?: boolean;
  onType: (next: string) => void;
}) {
  return (
    <input
      className="pin__input"
      data-testid={testId}
      type="password"
      inputMode="numeric"
      autoComplete="off"
      maxLength={max}
      aria-label={label}
      value={pin}
      disabled={disabled}
      onChange={(e) => {
        onType(e.target.value);
      }}
    />
  );
}

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** 1–9, then clear, 0 and delete: each key hands the whole new entry to `onType`. */
export function PinKeypad({
  pin,
  clearLabel,
  deleteLabel,
  disabled = false,
  onType,
}: {
  pin: string;
  clearLabel: string;
  deleteLabel: string;
  disabled?: boolean;
  onType: (next: string) => void;
}) {
  return (
    <div className="pin__pad">
      {DIGITS.map((d) => (
        <button
          key={d}
          type="button"
          className="btn btn--secondary pin__key"
          disabled={disabled}
          onClick={() => {
            onType(pin + d);
          }}
        >
          {d}
        </button>
      ))}
      <button
        type="button"
        className="btn btn--secondary pin__key pin__key--small"
        disabled={disabled}
        onClick={() => {
          onType('');
        }}
      >
        {clearLabel}
      </button>
      <button
        type="button"
        className="btn btn--secondary pin__key"
        disabled={disabled}
        onClick={() => {
          onType(`${pin}0`);
        }}
      >
        0
      </button>
      <button
        type="button"
        className="btn btn--secondary pin__key"
        aria-label={deleteLabel}
        disabled={disabled}
        onClick={() => {
          onType(pin.slice(0, -1));
        }}
      >
        ⌫
      </button>
    </div>
  );
}
