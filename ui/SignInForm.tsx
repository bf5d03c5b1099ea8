import { useState, type ReactNode, type SyntheticEvent } from 'react';
import './SignInForm.css';

/** The form's texts, in the app's current language. */
export interface SignInTexts {
  readonly appName: string;
  readonly title: string;
  /** A line under the title. */
  readonly sub?: string;
  readonly staffId: string;
  readonly pin: string;
  readonly submit: string;
  /** The button's text while the hub checks; the submit text when absent. */
  readonly working?: string;
}

/** The form's public test hooks: each app has its own (TABLET_TEST_IDS, ADMIN_TEST_IDS). */
export interface SignInTestIds {
  readonly staffId: string;
  readonly staffPin: string;
  readonly signIn: string;
  readonly signInError: string;
}

/** A sign-in's answer: the session, or the failure (the shape of the apps' ApiResult). */
export type SignInOutcome<S, F> =
  { readonly ok: true; readonly value: S } | { readonly ok: false; readonly failure: F };

export interface SignInFormProps<S, F> {
  texts: SignInTexts;
  testIds: SignInTestIds;
  /** The language button, top right. */
  langToggle: ReactNode;
  /** Above the fields: how setting the device up went, why the session ended. */
  notice?: ReactNode;
  /** Why the last attempt failed, in words; null when it did not. */
  error: string | null;
  signIn: (credentials: { staffId: string; pin: string }) => Promise<SignInOutcome<S, F>>;
  onSignedIn: (session: S) => void;
  onFailed: (failure: F) => void;
}

/**
 * Staff ID and PIN, for the staff tablet and the director's admin app. PINs are 4–12 digits (the
 * protocol's PinSchema): the field takes digits only, and the button waits for four.
 */
export function SignInForm<S, F>(props: SignInFormProps<S, F>) {
  const { texts: t, testIds, error } = props;
  const [staffId, setStaffId] = useState('');
  const [pin, setPin] = useState('');
  const [working, setWorking] = useState(false);

  const submit = async (): Promise<void> => {
    setWorking(true);
    const result = await props.signIn({ staffId: staffId.trim(), pin });
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
        <span className="signin__app">{t.appName}</span>
        {props.langToggle}
      </div>
      <form className="signin__card" onSubmit={onSubmit} noValidate>
        <h1 className="signin__title">{t.title}</h1>
        {t.sub !== undefined && <p className="signin__sub">{t.sub}</p>}
        {props.notice}
        <label className="field">
          <span className="field__label">{t.staffId}</span>
          <input
            className="field__input"
            data-testid={testIds.staffId}
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
          <span className="field__label">{t.pin}</span>
          <input
            className="field__input field__input--pin"
            data-testid={testIds.staffPin}
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
          <p className="signin__error" data-testid={testIds.signInError} role="alert">
            {error}
          </p>
        )}
        <button
          className="btn btn--primary btn--block"
          type="submit"
          data-testid={testIds.signIn}
          disabled={working || staffId.trim() === '' || pin.length < 4}
        >
          {working ? (t.working ?? t.submit) : t.submit}
        </button>
      </form>
    </main>
  );
}
