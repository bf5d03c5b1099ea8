import { ADMIN_PEOPLE_TEST_IDS as T } from '../../../protocol/admin-dashboard.ts';
import type { Messages } from './messages.ts';
import { relativeTime } from './relative-time.ts';

/**
 * 「3分前」 with the absolute time as its tooltip. `nowMs`: the hub's clock, so that the PC's own does not
 * matter; null (not read yet): the absolute time.
 */
export function RelativeTime({ at, nowMs, m }: { at: string; nowMs: number | null; m: Messages }) {
  const absolute = new Date(at).toLocaleString(m.intlLocale);
  return (
    <time dateTime={at} title={absolute} data-testid={T.relativeTime} data-at={at}>
      {nowMs === null ? absolute : relativeTime(at, nowMs, m.devices.ago)}
    </time>
  );
}
