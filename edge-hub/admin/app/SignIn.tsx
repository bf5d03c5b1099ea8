import { useState, type ReactNode } from 'react';
import { ADMIN_TEST_IDS, type AdminSessionInfo } from '../../../protocol/admin.ts';
import { SignInForm } from '../../../ui/SignInForm.tsx';
import { signIn, type ApiFailure } from './api.ts';
import type { Messages } from './messages.ts';

/** What a failed admin sign-in tells the director. */
function failureText(m: Messages, f: ApiFailure): string {
  if (f.kind === 'network') return m.signIn.unreachable;
  if (f.kind === 'http' && f.status === 429) return m.signIn.tooMany(f.retryAfterSeconds);
  if (f.kind === 'http' && (f.status === 401 || f.status === 400)) return m.signIn.badCredentials;
  return m.error(f.kind === 'http' ? f.code : f.kind);
}

/** The admin app's sign-in: the shared form, with why the last session ended above the fields. */
export function SignIn(props: {
  m: Messages;
  notice: string | null;
  toggle: ReactNode;
  onSignedIn: (s: AdminSessionInfo) => void;
}) {
  const { m } = props;
  const [error, setError] = useState<string | null>(null);
  return (
    <SignInForm
      texts={{
        appName: m.appName,
        title: m.signIn.title,
        staffId: m.signIn.staffId,
        pin: m.signIn.pin,
        submit: m.signIn.submit,
      }}
      testIds={ADMIN_TEST_IDS}
      langToggle={props.toggle}
      notice={props.notice !== null && <p className="notice">{props.notice}</p>}
      error={error}
      signIn={signIn}
      onSignedIn={props.onSignedIn}
      onFailed={(f) => {
        setError(failureText(m, f));
      }}
    />
  );
}
