import { useEffect, useState } from 'react';
import { isUnauthorized, type ApiFailure } from './http.ts';
import { failureText, type Messages } from './messages.ts';
import { currentSubscription, disablePush, enablePush, pushSupported, resync } from './push.ts';

/**
 * お知らせを受け取る: Web Push of check-ins and check-outs on this device. Shown only where the browser
 * can receive pushes. On at start when this device already has a subscription, which is told to the
 * cloud again (idempotent) so that it follows a new sign-in.
 */
export function PushToggle(props: { m: Messages; onSessionEnded: () => void }) {
  const { m, onSessionEnded } = props;
  const supported = pushSupported();
  const [on, setOn] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiFailure | null>(null);

  useEffect(() => {
    if (!supported) return;
    // Unmounted meanwhile (signed out, the form opened): nothing more to show.
    const unmounted = new AbortController();
    const live = () => !unmounted.signal.aborted;
    void currentSubscription().then(async (subscription) => {
      if (!live()) return;
      setOn(subscription !== null);
      if (subscription !== null) {
        const r = await resync(subscription);
        if (live() && !r.ok && isUnauthorized(r.failure)) onSessionEnded();
      }
    });
    return () => {
      unmounted.abort();
    };
  }, [supported, onSessionEnded]);

  if (!supported) return null;
  return (
    <section className="push" aria-labelledby="push-label">
      <label className="switch">
        <input
          type="checkbox"
          role="switch"
          data-testid="push-toggle"
          data-state={on === null ? 'unknown' : on ? 'on' : 'off'}
          aria-describedby="push-hint"
          checked={on === true}
          disabled={busy || on === null}
          onChange={(e) => {
            const want = e.currentTarget.checked;
            setBusy(true);
            setFailure(null);
            void (async () => {
              const r = await (want ? enablePush() : disablePush());
              // The switch shows what the device has, whatever step failed.
              setOn((await currentSubscription()) !== null);
              setBusy(false);
              if (r.ok) return;
              if (isUnauthorized(r.failure)) onSessionEnded();
              else setFailure(r.failure);
            })();
          }}
        />
        <span id="push-label">{m.push.label}</span>
      </label>
      <p id="push-hint" className="hint">
        {m.push.hint}
      </p>
      {failure !== null && (
        <p className="error" role="alert" data-testid="push-error">
          {failureText(m, failure)}
        </p>
      )}
    </section>
  );
}
