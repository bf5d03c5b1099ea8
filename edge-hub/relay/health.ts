import { formatRfc3339 } from '../../common/time.ts';
import {
  PARENT_MESSAGES_STALLED_SECONDS,
  RELAY_STALLED_SECONDS,
  type ConfiguredRelayHealth,
  type HealthWarning,
  type RelayHealth,
} from '../../protocol/admin.ts';
import type { FetchFailure } from '../parents/message-fetcher.ts';

/**
 * The failing fetch of parents' messages that is worth telling anyone about: none while no guardian has
 * access to the parent app, since a facility that does not use it has no notices to miss.
 */
export function parentFetchFailure(
  fetcher: { lastError(): FetchFailure | null } | undefined,
  access: { all(): readonly { revoked: boolean }[] },
): FetchFailure | null {
  const failure = fetcher?.lastError() ?? null;
  if (failure === null) return null;
  return access.all().some((r) => !r.revoked) ? failure : null;
}

/** What a hub without a cloud reports. */
export const RELAY_NOT_CONFIGURED: RelayHealth = { configured: false };

/** Whether a run of failed fetches of parents' messages that began at `since` is older than `seconds`. */
export function parentMessagesStalled(
  since: Date,
  now: Date,
  seconds: number = PARENT_MESSAGES_STALLED_SECONDS,
): boolean {
  return now.getTime() - since.getTime() > seconds * 1000;
}

/**
 * The warnings a relay's health calls for at `now` (/healthz, admin app); `parentStalledSeconds`: how long
 * the fetch of parents' messages may fail first (tests make it short).
 */
export function relayWarnings(
  health: RelayHealth,
  now: Date,
  parentStalledSeconds: number = PARENT_MESSAGES_STALLED_SECONDS,
): HealthWarning[] {
  if (!health.configured) return [];
  const warnings: HealthWarning[] = [];
  if ((health.oldestAgeSeconds ?? 0) > RELAY_STALLED_SECONDS) warnings.push('relay_stalled');
  const parents = health.parentMessages;
  if (parents && parentMessagesStalled(new Date(parents.failingSince), now, parentStalledSeconds)) {
    warnings.push('parent_messages_stalled');
  }
  return warnings;
}

/**
 * The relay's health with the fetch of parents' messages folded in: while it fails, `parentMessages` says
 * since when (in the facility's zone `timeZone`) and why; and when the relay itself reports no error, the
 * failing fetch (notices from parents do not arrive) is the error to show, named as such.
 */
export function withParentFetch(
  health: ConfiguredRelayHealth,
  fetchError: FetchFailure | null,
  timeZone: string,
): ConfiguredRelayHealth {
  if (fetchError === null) return health;
  const parentMessages = {
    failingSince: formatRfc3339(fetchError.since, timeZone),
    reason: fetchError.reason,
  };
  if (health.lastError !== null) return { ...health, parentMessages };
  return {
    ...health,
    lastError: { reason: `parent_messages: ${fetchError.reason}`, at: fetchError.at.toISOString() },
    parentMessages,
  };
}
