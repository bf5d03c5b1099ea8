import type { AttendanceEvent } from '../../protocol/index.ts';
import type { ReceiptCursor } from './types.ts';

/** A facility's outgoing webhook as an operator sees it (`genkan cloud webhook show`): never its secret. */
export interface FacilityWebhook {
  facilityId: string;
  url: string;
  /** When it was first set (UTC ISO 8601). */
  createdAt: string;
  /** Events received at or after this instant are delivered: when it was first set (UTC ISO 8601). */
  since: string;
  /** The receipt position of the last event a receiver acknowledged; null before the first. */
  cursor: ReceiptCursor | null;
  /** Failed attempts since the last success; 0 when nothing is failing. */
  attempts: number;
  /** When it is due (UTC ISO 8601): in the future only while backing off after a failure. */
  nextAttemptAt: string;
  lastAttemptAt: string | null;
  /** The last attempt's outcome: its HTTP status ("200", "500"), "timeout" or "network"; null before any. */
  lastStatus: string | null;
  /** Why the last attempt failed (never the URL); null after a success. */
  lastError: string | null;
  /** Events received (since `since`) and not delivered yet. */
  pending: number;
}

/** A webhook taken by one process for one delivery (WebhookStore.leaseDue), with what it needs. */
export interface WebhookLease {
  facilityId: string;
  url: string;
  secret: string;
  since: string;
  cursor: ReceiptCursor | null;
  /** The last event of the batch a failed attempt sent, which the retry sends again; null otherwise. */
  batchEnd: ReceiptCursor | null;
  attempts: number;
  /** The lease's own token: an outcome recorded under another one changes nothing. */
  owner: string;
}

/** The events of a delivery, and the receipt position of the last one (null when there are none). */
export interface WebhookEventsPage {
  events: AttendanceEvent[];
  last: ReceiptCursor | null;
}

/** A failed attempt as recorded. */
export interface WebhookFailure {
  /** The HTTP status as text, "timeout" or "network". */
  status: string;
  /** Why, without the URL (it may carry a secret in its query). */
  error: string;
  /** The last event of the batch sent: the retry sends the same events. */
  batchEnd: ReceiptCursor;
  nextAttemptAt: Date;
}

/**
 * The facilities' outgoing webhooks (docs/webhooks.md; table facility_webhooks, migration 12): where to
 * POST, the signing key, the receipt cursor of what receivers acknowledged, retries and the lease that
 * lets one process at a time deliver a facility's events. Every call is one transaction; both backends
 * pass test/contract/cloud-store-webhooks.ts.
 */
export interface WebhookStore {
  /**
   * Sets the facility's webhook (NotFoundError unknown_facility for an unknown facility). A new one
   * delivers the events received from `now` on. Setting it again replaces the URL and the secret and
   * keeps the cursor: delivery goes on where it stopped, tried at once (attempts back to 0). The URL must
   * be https (http only to localhost), the secret 16–256 characters without spaces
   * (cloud-relay/webhooks/settings.ts).
   */
  set(facilityId: string, url: string, secret: string, now: Date): Promise<void>;
  /** The facility's webhook with its count of pending events; undefined when it has none. */
  get(facilityId: string): Promise<FacilityWebhook | undefined>;
  /** Deletes the facility's webhook and its cursor: true when there was one. */
  remove(facilityId: string): Promise<boolean>;
  /**
   * Takes one webhook that is due at `now` (next attempt not later), not leased by anyone (or whose lease
   * has expired) and that has events received at or before `settled` still to deliver; the longest-due
   * first. Leased to `owner` until `leaseUntil`, atomically: two processes never take the same one.
   * undefined when none is.
   */
  leaseDue(owner: string, now: Date, leaseUntil: Date, settled: Date): Promise<WebhookLease | undefined>;
  /**
   * The facility's events received at or after `since`, after `after` (null: from the first), up to and
   * including `through` (a receipt position, or every event received at or before an instant), by
   * receipt time then id, at most `limit`.
   */
  events(
    facilityId: string,
    since: string,
    after: ReceiptCursor | null,
    through: ReceiptCursor | Date,
    limit: number,
  ): Promise<WebhookEventsPage>;
  /**
   * A receiver acknowledged the events through `last` (HTTP `status`): moves the cursor there, clears the
   * failure and the lease, due again at once. false (nothing changes) when `owner` no longer holds the lease.
   */
  delivered(
    facilityId: string,
    owner: string,
    last: ReceiptCursor,
    status: string,
    now: Date,
  ): Promise<boolean>;
  /**
   * An attempt failed: one more attempt counted, due again at `failure.nextAttemptAt`, the batch kept for
   * the retry, the lease cleared. false (nothing changes) when `owner` no longer holds the lease.
   */
  failed(facilityId: string, owner: string, failure: WebhookFailure, now: Date): Promise<boolean>;
  /** Gives the lease back without counting an attempt (a delivery stopped by shutdown, nothing to send). */
  release(facilityId: string, owner: string): Promise<void>;
}
