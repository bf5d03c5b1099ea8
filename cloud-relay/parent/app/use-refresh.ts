import { useEffect, useRef } from 'react';

/** How often the home page asks for today's statuses while it is open. */
export const REFRESH_MS = 5_000;

/**
 * Calls `refresh` every REFRESH_MS while `active`, and at once when the page comes back to the front (a
 * phone unlocked, a tab switched back): a parent glancing at the app sees now, not 5 s ago. A refresh
 * still running is not started again.
 */
export function useRefresh(active: boolean, refresh: () => Promise<void>): void {
  const latest = useRef(refresh);
  useEffect(() => {
    latest.current = refresh;
  }, [refresh]);

  useEffect(() => {
    if (!active) return;
    let running = false;
    const run = () => {
      if (running) return;
      running = true;
      void latest.current().finally(() => {
        running = false;
      });
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') run();
    };
    const timer = window.setInterval(run, REFRESH_MS);
    window.addEventListener('focus', run);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener('focus', run);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [active]);
}
