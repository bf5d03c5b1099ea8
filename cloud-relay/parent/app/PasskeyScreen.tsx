import { useState, type ReactNode } from 'react';
import type { ApiResult } from './api.ts';
import { ErrorLine } from './Field.tsx';

/**
 * One passkey ceremony behind one button: registering from an invitation, or signing in. The button is
 * disabled while the browser's passkey dialog is open, so a double tap never starts two ceremonies.
 */
export function PasskeyScreen(props: {
  testId: string | undefined;
  title: string;
  lead: string;
  button: string;
  buttonTestId: string;
  working: string;
  notice: string | null;
  error: string | null;
  footer?: ReactNode;
  run: () => Promise<ApiResult<null>>;
  onDone: (result: ApiResult<null>) => void;
}) {
  const [busy, setBusy] = useState(false);
  return (
    <section className="passkey" data-testid={props.testId}>
      <h2>{props.title}</h2>
      {props.notice !== null && <p className="notice">{props.notice}</p>}
      <p className="lead">{props.lead}</p>
      <button
        type="button"
        className="primary"
        data-testid={props.buttonTestId}
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void props.run().then((result) => {
            setBusy(false);
            props.onDone(result);
          });
        }}
      >
        {busy ? props.working : props.button}
      </button>
      <ErrorLine text={props.error} />
      {props.footer}
    </section>
  );
}
