import { checkWebhookSecret, checkWebhookUrl } from '../webhooks/settings.ts';
import { checkId, checkInstant, pageLimit } from './inputs.ts';
import type { ReceiptCursor } from './types.ts';
import type { FacilityWebhook, WebhookLease } from './webhook-types.ts';

/*
 * Checks, conversions and row mappings both backends share for the webhook store (WebhookStore), so that
 * they refuse the same input with the same codes before touching storage and read rows back the same way.
 */

/** A facility_webhooks row as read with WEBHOOK_COLUMNS; times as `Time` (UTC ISO 8601 text by default). */
export interface WebhookRow<Time = string> {
  facility_id: string;
  url: string;
  secret: string;
  created_at: Time;
  since: Time;
  cursor_at: Time | null;
  cursor_id: string | null;
  batch_end_at: Time | null;
  batch_end_id: string | null;
  attempts: number;
  next_attempt_at: Time;
  last_attempt_at: Time | null;
  last_status: string | null;
  last_error: string | null;
}

export const WEBHOOK_COLUMNS = `facility_id, url, secret, created_at, since, cursor_at, cursor_id, batch_end_at,
  batch_end_id, attempts, next_attempt_at, last_attempt_at, last_status, last_error`;

/** The facility id, URL (normalised) and secret of WebhookStore.set, checked. */
export function webhookInput(
  facilityId: string,
  url: string,
  secret: string,
): { facilityId: string; url: string; secret: string } {
  return {
    facilityId: checkId(facilityId, 'facilityId'),
    url: checkWebhookUrl(url),
    secret: checkWebhookSecret(secret),
  };
}

/** A receipt position from its two nullable columns (both null or both set, by the table's CHECK). */
export function cursorOf(at: string | null, id: string | null): ReceiptCursor | null {
  return at === null || id === null ? null : { receivedAt: at, id };
}

/** The upper bound of WebhookStore.events as columns: an instant alone takes every id received then. */
function throughOf(through: ReceiptCursor | Date): { at: string; id: string | null } {
  return through instanceof Date
    ? { at: through.toISOString(), id: null }
    : { at: checkInstant(through.receivedAt, 'through'), id: through.id };
}

/** A receipt position's instant as stored (UTC ISO 8601 with milliseconds). */
export function positionOf(cursor: ReceiptCursor): ReceiptCursor {
  return { receivedAt: checkInstant(cursor.receivedAt, 'cursor'), id: cursor.id };
}

/** The most events one call of WebhookStore.events returns. */
const EVENTS_MAX = 1000;

/** The arguments of WebhookStore.events, checked: instants as stored, the bound as columns, the limit capped. */
export function eventsRange(
  since: string,
  after: ReceiptCursor | null,
  through: ReceiptCursor | Date,
  limit: number,
): { since: string; after: ReceiptCursor | null; through: { at: string; id: string | null }; limit: number } {
  const bound = throughOf(through);
  const from = after === null ? null : positionOf(after);
  return {
    since: checkInstant(since, 'since'),
    after: from,
    through: bound,
    limit: pageLimit(limit, EVENTS_MAX),
  };
}

/** A stored webhook as an operator sees it (no secret), with its count of pending events. */
export function webhookOf(row: WebhookRow, pending: number): FacilityWebhook {
  return {
    facilityId: row.facility_id,
    url: row.url,
    createdAt: row.created_at,
    since: row.since,
    cursor: cursorOf(row.cursor_at, row.cursor_id),
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastAttemptAt: row.last_attempt_at,
    lastStatus: row.last_status,
    lastError: row.last_error,
    pending,
  };
}

/** A webhook just leased to `owner`, with what its delivery needs. */
export function leaseOf(row: WebhookRow, owner: string): WebhookLease {
  return {
    facilityId: row.facility_id,
    url: row.url,
    secret: row.secret,
    since: row.since,
    cursor: cursorOf(row.cursor_at, row.cursor_id),
    batchEnd: cursorOf(row.batch_end_at, row.batch_end_id),
    attempts: row.attempts,
    owner,
  };
}
