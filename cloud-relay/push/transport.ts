import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import webpush from 'web-push';
import type { PushSubscriptionKeys, VapidKeyPair } from '../store/push-types.ts';

/** How a message is sent: its lifetime at the push service, urgency, and our wait for the service. */
export interface PushSendOptions {
  vapid: VapidKeyPair;
  /** Seconds the push service keeps the message for an offline phone. */
  ttlSeconds: number;
  urgency: 'very-low' | 'low' | 'normal' | 'high';
  /** The whole request, connection to answer. */
  timeoutMs: number;
}

/** What became of a send: the push service's status, or why no answer came (a code, no URL). */
export type PushOutcome = { status: number } | { error: string };

/** Sends encrypted pushes: what the notifier calls (tests may give another). */
export type PushTransport = (
  target: PushSubscriptionKeys,
  payload: string,
  options: PushSendOptions,
) => Promise<PushOutcome>;

/**
 * One push over HTTP(S): web-push makes the request (aes128gcm encryption for the subscription's keys,
 * the VAPID JWT for the endpoint's origin, TTL and Urgency headers) and this sends it. web-push's own
 * sender speaks only https; plain http is for the local push service of tests (--push-insecure-endpoints),
 * and the caller has already checked the endpoint against that option. Redirects are not followed.
 */
export const sendPush: PushTransport = (target, payload, options) => {
  let details: ReturnType<typeof webpush.generateRequestDetails>;
  try {
    details = webpush.generateRequestDetails(
      { endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } },
      payload,
      {
        vapidDetails: options.vapid,
        TTL: options.ttlSeconds,
        urgency: options.urgency,
        contentEncoding: 'aes128gcm',
      },
    );
  } catch {
    // Keys the library cannot encrypt for (stored before a stricter check) or unusable VAPID details.
    return Promise.resolve({ error: 'encrypt_failed' });
  }
  const url = new URL(details.endpoint);
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve) => {
    const request = send(
      url,
      { method: 'POST', headers: details.headers, signal: AbortSignal.timeout(options.timeoutMs) },
      (response: IncomingMessage) => {
        // The answer's body (an error text at most) is not needed; the status says it all.
        response.resume();
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0 });
        });
        response.on('error', () => {
          resolve({ status: response.statusCode ?? 0 });
        });
      },
    );
    request.on('error', (err: NodeJS.ErrnoException) => {
      resolve({ error: err.name === 'AbortError' ? 'timeout' : (err.code ?? 'network_error') });
    });
    request.end(details.body ?? undefined);
  });
};
