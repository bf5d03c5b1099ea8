import { useState, type SyntheticEvent } from 'react';
import type { SessionInfo } from '../../protocol/tablet.ts';
import { TABLET_TEST_IDS } from '../../protocol/tablet.ts';
import { signIn, type ApiFailure } from './api.ts';
import type { Messages } from './messages.ts';
import type { Setup, SignInError } from './state.ts';
import { LangToggle } from './widgets.tsx';

export function SignIn(props: {
  messages: Messages;
  error: SignInError | null;
  setup: Setup | null;
  onToggleLocale: () => void;
  onSignedIn: (session: SessionInfo) => void;
  onFailed: (failure: ApiFailure) => void;
}) {
  const { messages: m, error, setup } = props;
  const [staffId, setStaffId] = useState('');
  const [pin, setPin] = useState('');
  const [working, setWorking] = useState(false);

  const submit = async (): Promise<void> => {
    setWorking(true);
    const result = await signIn({ staffId: staffId.trim(), pin });
    setWorking(false);
    // A PIN is never kept on screen after an attempt.
    setPin('');
    if (result.ok) props.onSignedIn(result.value);
    else props.onFailed(result.failure);
  };

  const onSubmit = (e: SyntheticEvent): void => {
    e.preventDefault();
    if (working || staffId.trim() === '' || pin === '') return;
    void submit();
  };

  return (
    <main className="signin">
      <div className="signin__top">
        <span className="signin__app">{m.appName}</span>
        <LangToggle messages={m} onToggle={props.onToggleLocale} />
      </div>
      <form className="signin__card" onSubmit={onSubmit} noValidate>
        <h1 className="signin__title">{m.signIn.title}</h1>
        <p className="signin__sub">{m.signIn.sub}</p>
        {setup !== null && (
          <p
            className={`notice notice--${setup.status === 'failed' ? 'warn' : setup.status === 'done' ? 'ok' : 'info'}`}
            data-testid="setup-status"
            data-setup={setup.status}
            role="status"
          >
            {m.setup(setup)}
          </p>
        )}
        <label className="field">
          <span className="field__label">{m.signIn.staffId}</span>
          <input
            className="field__input"
            data-testid={TABLET_TEST_IDS.staffId}
            name="staffId"
            autoComplete="username"
            autoCapitalize="none"
            autoCorrect="off"
            spellCheck={false}
            value={staffId}
            onChange={(e) => {
              setStaffId(e.target.value);
            }}
          />
        </label>
        <label className="field">
          <span className="field__label">{m.signIn.pin}</span>
          <input
            className="field__input field__input--pin"
            data-testid={TABLET_TEST_IDS.staffPin}
            name="pin"
            type="password"
            inputMode="numeric"
            pattern="[0-9]*"
            autoComplete="current-password"
            maxLength={12}
            value={pin}
            onChange={(e) => {
              setPin(e.target.value.replace(/[^0-9]/g, ''));
            }}
          />
        </label>
        {error !== null && (
          <p className="notice notice--warn" data-testid={TABLET_TEST_IDS.signInError} role="alert">
            {m.signIn.error(error)}
          </p>
        )}
        <button
          className="btn btn--primary btn--block"
          type="submit"
          data-testid={TABLET_TEST_IDS.signIn}
          disabled={working || staffId.trim() === '' || pin.length < 4}
        >
          {working ? m.signIn.working : m.signIn.submit}
        </button>
      </form>
    </main>
  );
}
