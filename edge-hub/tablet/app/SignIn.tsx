import type { SessionInfo } from '../../../protocol/tablet.ts';
import { TABLET_TEST_IDS } from '../../../protocol/tablet.ts';
import { SignInForm } from '../../../ui/SignInForm.tsx';
import { signIn, type ApiFailure } from './api.ts';
import type { Messages } from './messages.ts';
import type { Setup, SignInError } from './state.ts';
import { LangToggle } from './widgets.tsx';

/** The tablet's sign-in: the shared form, with how setting this tablet up went above the fields. */
export function SignIn(props: {
  messages: Messages;
  error: SignInError | null;
  setup: Setup | null;
  onToggleLocale: () => void;
  onSignedIn: (session: SessionInfo) => void;
  onFailed: (failure: ApiFailure) => void;
}) {
  const { messages: m, error, setup } = props;
  return (
    <SignInForm
      texts={{
        appName: m.appName,
        title: m.signIn.title,
        sub: m.signIn.sub,
        staffId: m.signIn.staffId,
        pin: m.signIn.pin,
        submit: m.signIn.submit,
        working: m.signIn.working,
      }}
      testIds={TABLET_TEST_IDS}
      langToggle={<LangToggle messages={m} onToggle={props.onToggleLocale} />}
      notice={
        setup !== null && (
          <p
            className={`notice notice--${setup.status === 'failed' ? 'warn' : setup.status === 'done' ? 'ok' : 'info'}`}
            data-testid="setup-status"
            data-setup={setup.status}
            role="status"
          >
            {m.setup(setup)}
          </p>
        )
      }
      error={error === null ? null : m.signIn.error(error)}
      signIn={signIn}
      onSignedIn={props.onSignedIn}
      onFailed={props.onFailed}
    />
  );
}
