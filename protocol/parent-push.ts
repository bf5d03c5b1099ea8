import { z } from 'zod';

/*
 * Web Push of the parent app (issue 17; docs/protocol.md "Parent app: Web Push"): the routes under
 * /parent/api/push/ (parent session) and the payload the cloud sends to a subscribed browser, which the
 * app's service worker shows as a notification.
 */

/** A push service's endpoint URL at most this long (browsers' are a few hundred characters). */
export const PUSH_ENDPOINT_MAX = 2048;
/** A guardian keeps at most this many subscriptions (browsers, devices); a new one replaces the oldest. */
export const PUSH_SUBSCRIPTIONS_MAX = 10;

/** The bytes of base64url text (padding tolerated), with atob: this module also runs in browsers. */
function base64urlBytes(text: string): Uint8Array {
  const std = text.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  try {
    return Uint8Array.from(atob(std + '='.repeat((4 - (std.length % 4)) % 4)), (c) => c.charCodeAt(0));
  } catch {
    return new Uint8Array(0);
  }
}

/** Base64url (padding tolerated) of exactly `bytes` bytes. */
function base64urlOf(bytes: number, what: string) {
  return z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, `${what} must be base64url`)
    .refine((s) => base64urlBytes(s).length === bytes, `${what} must be ${String(bytes)} bytes`);
}

const EndpointSchema = z
  .string()
  .min(1)
  .max(PUSH_ENDPOINT_MAX)
  .refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), 'endpoint must be an http(s) URL');

/**
 * POST /parent/api/push/subscriptions: the browser's PushSubscription as its toJSON() gives it. p256dh is
 * the browser's P-256 public key (65 bytes, uncompressed), auth its 16-byte secret. Whether the endpoint
 * may be plain http is the cloud's choice (push_endpoint_insecure).
 */
export const PushSubscriptionRequestSchema = z.object({
  endpoint: EndpointSchema,
  expirationTime: z.number().nullable().optional(),
  keys: z.object({
    p256dh: base64urlOf(65, 'keys.p256dh').refine(
      (s) => base64urlBytes(s)[0] === 0x04,
      'keys.p256dh must be an uncompressed P-256 point',
    ),
    auth: base64urlOf(16, 'keys.auth'),
  }),
});
export type PushSubscriptionRequest = z.infer<typeof PushSubscriptionRequestSchema>;

/** DELETE /parent/api/push/subscriptions: the endpoint the browser unsubscribed. */
export const PushUnsubscribeRequestSchema = z.object({ endpoint: z.string().min(1).max(PUSH_ENDPOINT_MAX) });
export type PushUnsubscribeRequest = z.infer<typeof PushUnsubscribeRequestSchema>;

/** GET /parent/api/push/key: the cloud's VAPID public key (65 bytes, base64url): applicationServerKey. */
export const PushKeySchema = z.object({ publicKey: z.string().regex(/^[A-Za-z0-9_-]{87}$/) });
export type PushKey = z.infer<typeof PushKeySchema>;

/**
 * What the cloud sends to a subscription (JSON, encrypted aes128gcm): the notification's title (the
 * facility's name) and body (e.g. 「山田 花子さんが登園しました 8:05」), the page a click opens, and a tag
 * (the child's id: a newer notification of the same child replaces the older one).
 */
export const ParentPushPayloadSchema = z.object({
  title: z.string(),
  body: z.string(),
  url: z.string(),
  tag: z.string(),
});
export type ParentPushPayload = z.infer<typeof ParentPushPayloadSchema>;
