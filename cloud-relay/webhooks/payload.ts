import { createHash, createHmac } from 'node:crypto';
import type { AttendanceEvent } from '../../protocol/index.ts';

/*
 * What a webhook delivery carries (docs/webhooks.md): the body, its id and its signature. The body is
 * part of the integrators' contract: fields are only ever added.
 */

/** An event as a receiver gets it: no sequence, actor or clock doubt (the hub's bookkeeping). */
export interface WebhookEvent {
  id: string;
  type: AttendanceEvent['type'];
  childId: string;
  occurredAt: string;
  method: AttendanceEvent['method'];
  deviceId: string;
  voids?: string;
  note?: string;
}

/** The JSON body of one delivery. */
export interface WebhookDelivery {
  id: string;
  facilityId: string;
  events: WebhookEvent[];
}

/** The request headers naming the delivery and carrying its signature. */
export const DELIVERY_HEADER = 'Genkan-Delivery';
export const SIGNATURE_HEADER = 'Genkan-Signature';

/**
 * A delivery's id, from its facility and its first and last event: a retry sends the same events, so it
 * carries the same id, and a receiver can tell a repeat from a new delivery.
 */
export function deliveryId(facilityId: string, firstEventId: string, lastEventId: string): string {
  return createHash('sha256')
    .update(`${facilityId}\n${firstEventId}\n${lastEventId}`)
    .digest('hex')
    .slice(0, 32);
}

function webhookEvent(event: AttendanceEvent): WebhookEvent {
  const out: WebhookEvent = {
    id: event.id,
    type: event.type,
    childId: event.childId,
    occurredAt: event.occurredAt,
    method: event.method,
    deviceId: event.deviceId,
  };
  if (event.voids !== undefined) out.voids = event.voids;
  if (event.note !== undefined) out.note = event.note;
  return out;
}

/** The delivery of `events` (at least one, in receipt order) of a facility. */
export function deliveryOf(facilityId: string, events: readonly AttendanceEvent[]): WebhookDelivery {
  const first = events[0];
  const last = events.at(-1);
  if (first === undefined || last === undefined) throw new Error('a delivery needs an event');
  return { id: deliveryId(facilityId, first.id, last.id), facilityId, events: events.map(webhookEvent) };
}

/**
 * The Genkan-Signature header value: `t=<unix seconds>,v1=<hex HMAC-SHA256>` of `<t>.<raw body>`, keyed
 * with the secret's text as UTF-8 (the scheme Stripe uses; a receiver checks t against its clock).
 */
export function signature(secret: string, unixSeconds: number, body: string): string {
  const t = String(Math.floor(unixSeconds));
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}
