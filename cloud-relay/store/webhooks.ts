import { checkWebhookSecret, checkWebhookUrl } from '../webhooks/settings.ts';
import { checkId, checkInstant } from './inputs.ts';
import type { ReceiptCursor } from './types.ts';

/*
 * Checks and conversions both backends share for the webhook store (WebhookStore), so that they refuse
 * the same input with the same codes before touching storage.
 */

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
export function throughOf(through: ReceiptCursor | Date): { at: string; id: string | null } {
  return through instanceof Date
    ? { at: through.toISOString(), id: null }
    : { at: checkInstant(through.receivedAt, 'through'), id: through.id };
}

/** A receipt position's instant as stored (UTC ISO 8601 with milliseconds). */
export function positionOf(cursor: ReceiptCursor): ReceiptCursor {
  return { receivedAt: checkInstant(cursor.receivedAt, 'cursor'), id: cursor.id };
}
