import { RELAY_STALLED_SECONDS, type HealthWarning, type RelayHealth } from '../../protocol/admin.ts';

/** What a hub without a cloud reports. */
export const RELAY_NOT_CONFIGURED: RelayHealth = { configured: false };

/** The warnings a relay's health calls for (/healthz, admin app). */
export function relayWarnings(health: RelayHealth): HealthWarning[] {
  return health.configured && (health.oldestAgeSeconds ?? 0) > RELAY_STALLED_SECONDS ? ['relay_stalled'] : [];
}
