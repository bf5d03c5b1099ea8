import type { RelayHealth } from '../../protocol/admin.ts';
import type { BrokerStats } from '../mqtt/device-login.ts';

/**
 * The hub's metrics (GET /metrics, admin token) in the Prometheus text exposition format (version 0.0.4),
 * written by hand like the cloud's (cloud-relay/metrics.ts). Read from the store at scrape time, so they
 * survive restarts and agree with /healthz. Counts and times only: no ids, no names.
 */
export interface HubMetricsInput {
  relay: RelayHealth;
  /** Events stored at the hub (they are never deleted, so a counter). */
  events: number;
  /** Stored events a kiosk stamped while its clock was in doubt. */
  clockDoubtEvents: number;
  /** The broker's counters since the hub started (edge-hub/mqtt/device-login.ts). */
  broker?: BrokerStats;
}

/** The broker's counters as metrics: what abusive or broken clients cost, since the hub started. */
const BROKER_METRICS: readonly [keyof BrokerStats, string, string][] = [
  [
    'loginsLimited',
    'genkan_hub_mqtt_logins_limited_total',
    'Logins refused without a password check: their address failed too often lately.',
  ],
  [
    'loginsBusy',
    'genkan_hub_mqtt_logins_busy_total',
    'Logins refused without a password check: too many checks under way.',
  ],
  [
    'connectionsRefused',
    'genkan_hub_mqtt_connections_refused_total',
    'Connections closed before any TLS handshake: too many from their address not logged in yet.',
  ],
  [
    'keepaliveRefused',
    'genkan_hub_mqtt_keepalive_refused_total',
    'Logins refused for a keepalive of 0 or above 300 s.',
  ],
  [
    'slowClientsDropped',
    'genkan_hub_mqtt_slow_clients_dropped_total',
    'Logged-in devices dropped for not reading what the hub sends.',
  ],
];

const seconds = (iso: string | null): number => (iso === null ? 0 : Date.parse(iso) / 1000);

export function renderHubMetrics(input: HubMetricsInput): string {
  const out: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, value: number): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${String(value)}`);
  };
  metric('genkan_hub_events_total', 'counter', 'Events stored at the hub.', input.events);
  metric(
    'genkan_hub_clock_doubt_events_total',
    'counter',
    'Stored events a kiosk stamped while its clock was in doubt (unsynced or held back).',
    input.clockDoubtEvents,
  );
  if (input.broker !== undefined) {
    for (const [key, name, help] of BROKER_METRICS) metric(name, 'counter', help, input.broker[key]);
  }
  const { relay } = input;
  metric(
    'genkan_hub_relay_configured',
    'gauge',
    '1 when the hub relays to a cloud; without one the other relay metrics are absent.',
    relay.configured ? 1 : 0,
  );
  if (!relay.configured) return `${out.join('\n')}\n`;
  metric(
    'genkan_hub_relay_waiting_events',
    'gauge',
    'Stored events the cloud has not answered for yet.',
    relay.waiting,
  );
  metric(
    'genkan_hub_relay_oldest_waiting_seconds',
    'gauge',
    'Age of the oldest waiting event (since the hub received it); 0 when none waits.',
    relay.oldestAgeSeconds ?? 0,
  );
  metric(
    'genkan_hub_relay_rejected_events',
    'gauge',
    'Events the cloud refused for good (kept at the hub, never resent).',
    relay.rejected,
  );
  metric(
    'genkan_hub_relay_last_success_timestamp_seconds',
    'gauge',
    'Unix time of the last batch the cloud answered since the hub started; 0 if none.',
    seconds(relay.lastSuccessAt),
  );
  metric(
    'genkan_hub_relay_last_error_timestamp_seconds',
    'gauge',
    'Unix time of the last failed batch, cleared (0) by the next answered one.',
    seconds(relay.lastError?.at ?? null),
  );
  return `${out.join('\n')}\n`;
}
