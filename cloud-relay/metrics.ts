import { ErrorCodes } from '../protocol/index.ts';

/**
 * The cloud relay's metrics in the Prometheus text exposition format (version 0.0.4), kept by hand: a few
 * counters, one histogram and two gauges do not justify a client library. Labels carry ids and routes
 * only, never names: hub ids are operator-chosen identifiers, not personal data.
 */

/** Upper bounds (seconds) of the batch latency histogram: a durable commit takes milliseconds to seconds. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export type EventOutcome = 'accepted' | 'duplicate' | 'rejected';

/**
 * Rejection codes always reported, also at 0, so that an alert on store_error has a series to watch:
 * invalid_event (schema), bad_text and implausible_time (the validity rule), store_error (the database).
 */
export const REJECTION_CODES = [
  ErrorCodes.invalidEvent,
  ErrorCodes.badText,
  ErrorCodes.implausibleTime,
  ErrorCodes.storeError,
] as const;

function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

function labels(pairs: Record<string, string>): string {
  const body = Object.entries(pairs)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(',');
  return body === '' ? '' : `{${body}}`;
}

export class CloudMetrics {
  private readonly events: Record<EventOutcome, number> = { accepted: 0, duplicate: 0, rejected: 0 };
  /** Rejected events by code; bounded, the codes are ours (REJECTION_CODES and a few more). */
  private readonly rejections = new Map<string, number>(REJECTION_CODES.map((code) => [code, 0]));
  private readonly latencyCounts: number[] = LATENCY_BUCKETS.map(() => 0);
  private latencyCount = 0;
  private latencySum = 0;
  /** Keyed by method, route pattern and status (bounded: patterns, not URLs). */
  private readonly requests = new Map<string, { method: string; route: string; status: string; n: number }>();
  private readonly backpressure = new Map<string, number>();
  private readonly hubLastSeen = new Map<string, number>();
  private snapshots = 0;
  private amendments = 0;
  private readonly webhookDeliveries = { ok: 0, failed: 0 };
  /** Read at render time: the server's in-flight count. */
  private readonly inFlight: () => number;

  constructor(inFlight: () => number = () => 0) {
    this.inFlight = inFlight;
  }

  countEvents(outcome: EventOutcome, n: number): void {
    this.events[outcome] += n;
  }

  /** Counts rejected events, in all and by code. */
  countRejections(rejected: readonly { code: string }[]): void {
    this.events.rejected += rejected.length;
    for (const { code } of rejected) this.rejections.set(code, (this.rejections.get(code) ?? 0) + 1);
  }

  observeBatchSeconds(seconds: number): void {
    this.latencyCount += 1;
    this.latencySum += seconds;
    LATENCY_BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) this.latencyCounts[i] = (this.latencyCounts[i] ?? 0) + 1;
    });
  }

  countRequest(method: string, route: string, status: number): void {
    const key = `${method} ${route} ${String(status)}`;
    const entry = this.requests.get(key);
    if (entry === undefined) this.requests.set(key, { method, route, status: String(status), n: 1 });
    else entry.n += 1;
    if (status === 429 || status === 503) {
      const s = String(status);
      this.backpressure.set(s, (this.backpressure.get(s) ?? 0) + 1);
    }
  }

  hubSeen(hubId: string, atMs: number): void {
    this.hubLastSeen.set(hubId, atMs / 1000);
  }

  countSnapshot(): void {
    this.snapshots += 1;
  }

  countAmendment(): void {
    this.amendments += 1;
  }

  /** One webhook POST (cloud-relay/webhooks/): answered 2xx, or not (status, timeout, network). */
  countWebhookDelivery(outcome: 'ok' | 'failed'): void {
    this.webhookDeliveries[outcome] += 1;
  }

  render(): string {
    const out: string[] = [];
    const family = (name: string, type: string, help: string): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    };
    family('genkan_cloud_events_total', 'counter', 'Events received in batches, by outcome.');
    for (const outcome of ['accepted', 'duplicate', 'rejected'] as const) {
      out.push(`genkan_cloud_events_total${labels({ outcome })} ${String(this.events[outcome])}`);
    }
    family(
      'genkan_cloud_events_rejected_total',
      'counter',
      'Events rejected in batches, by code (store_error: refused by the database, the rest of the batch stored).',
    );
    for (const [code, n] of [...this.rejections].sort(([a], [b]) => (a < b ? -1 : 1))) {
      out.push(`genkan_cloud_events_rejected_total${labels({ code })} ${String(n)}`);
    }
    family(
      'genkan_cloud_batch_duration_seconds',
      'histogram',
      'Time to answer a successful POST /v1/batches.',
    );
    LATENCY_BUCKETS.forEach((bound, i) => {
      out.push(
        `genkan_cloud_batch_duration_seconds_bucket${labels({ le: String(bound) })} ${String(this.latencyCounts[i] ?? 0)}`,
      );
    });
    out.push(`genkan_cloud_batch_duration_seconds_bucket{le="+Inf"} ${String(this.latencyCount)}`);
    out.push(`genkan_cloud_batch_duration_seconds_sum ${String(this.latencySum)}`);
    out.push(`genkan_cloud_batch_duration_seconds_count ${String(this.latencyCount)}`);
    family('genkan_cloud_http_requests_total', 'counter', 'HTTP requests by method, route and status.');
    for (const r of [...this.requests.values()].sort((a, b) =>
      a.route + a.status < b.route + b.status ? -1 : 1,
    )) {
      out.push(
        `genkan_cloud_http_requests_total${labels({ method: r.method, route: r.route, status: r.status })} ${String(r.n)}`,
      );
    }
    family(
      'genkan_cloud_backpressure_total',
      'counter',
      'Requests refused by backpressure: 429 rate limit, 503 overload.',
    );
    for (const status of ['429', '503']) {
      out.push(
        `genkan_cloud_backpressure_total${labels({ status })} ${String(this.backpressure.get(status) ?? 0)}`,
      );
    }
    family(
      'genkan_cloud_snapshots_total',
      'counter',
      'Facility snapshot versions stored (PUT /v1/snapshots/V; also the deprecated PUT /v1/snapshot).',
    );
    out.push(`genkan_cloud_snapshots_total ${String(this.snapshots)}`);
    family('genkan_cloud_amendments_total', 'counter', 'Amendments stored (PUT /v1/amendments/ID).');
    out.push(`genkan_cloud_amendments_total ${String(this.amendments)}`);
    family(
      'genkan_cloud_webhook_deliveries_total',
      'counter',
      'Webhook deliveries this process attempted, by outcome (ok: a 2xx answer).',
    );
    for (const outcome of ['ok', 'failed'] as const) {
      out.push(
        `genkan_cloud_webhook_deliveries_total${labels({ outcome })} ${String(this.webhookDeliveries[outcome])}`,
      );
    }
    family(
      'genkan_cloud_requests_in_flight',
      'gauge',
      'Requests being served now (health and metrics excluded).',
    );
    out.push(`genkan_cloud_requests_in_flight ${String(this.inFlight())}`);
    family(
      'genkan_cloud_hub_last_seen_timestamp_seconds',
      'gauge',
      'Unix time of the last batch or snapshot this process received from each hub.',
    );
    for (const [hub, at] of [...this.hubLastSeen].sort(([a], [b]) => (a < b ? -1 : 1))) {
      out.push(`genkan_cloud_hub_last_seen_timestamp_seconds${labels({ hub })} ${String(at)}`);
    }
    return `${out.join('\n')}\n`;
  }
}
