import {
  RELAY_STALLED_SECONDS,
  type ConfiguredRelayHealth,
  type HealthWarning,
  type RelayHealth,
} from '../../protocol/admin.ts';

/** What a hub without a cloud reports. */
export const RELAY_NOT_CONFIGURED: RelayHealth = { configured: false };

/** The warnings a relay's health calls for (/healthz, admin app). */
export function relayWarnings(health: RelayHealth): HealthWarning[] {
  return health.configured && (health.oldestAgeSeconds ?? 0) > RELAY_STALLED_SECONDS ? ['relay_stalled'] : [];
}

/**
 * The relay's health with the fetch of parents' messages folded in: when the relay itself reports no
 * error, a failing fetch (notices from parents do not arrive) is the error to show, named as such.
 */
export function withParentFetch(
  health: ConfiguredRelayHealth,
  fetchError: { reason: string; at: Date } | null,
): ConfiguredRelayHealth {
  if (health.lastError !== null || fetchError === null) return health;
  return {
    ...health,
    lastError: { reason: `parent_messages: ${fetchError.reason}`, at: fetchError.at.toISOString() },
  };
}
