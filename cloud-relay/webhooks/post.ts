import { DELIVERY_HEADER, SIGNATURE_HEADER, signature, type WebhookDelivery } from './payload.ts';

/** How one POST of a delivery ended. */
export type PostOutcome =
  /** A 2xx answer: the receiver has the events. */
  | { kind: 'ok'; status: string }
  /** Any other answer, a timeout or a network error: `status` is the HTTP status, "timeout" or "network". */
  | { kind: 'failed'; status: string; error: string }
  /** Cut short by the worker stopping: neither a success nor the receiver's failure. */
  | { kind: 'stopped' };

export interface PostRequest {
  url: string;
  secret: string;
  delivery: WebhookDelivery;
  /** The signature's timestamp. */
  now: Date;
  timeoutMs: number;
  /** Aborted when the worker stops. */
  signal: AbortSignal;
}

/** The error code under a fetch failure (ECONNREFUSED, UND_ERR_SOCKET): never its message, which names the address. */
function networkCode(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  const source = cause ?? err;
  if (typeof source === 'object' && source !== null) {
    const code = (source as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code)) return code;
    const name = (source as { name?: unknown }).name;
    if (typeof name === 'string' && /^[A-Za-z]{1,40}$/.test(name)) return name;
  }
  return 'error';
}

/**
 * POSTs one signed delivery and reads the status only. Redirects are not followed (a 3xx is a failure): a
 * receiver moves by being set again, and a redirect must not send the events somewhere unchecked.
 */
export async function postDelivery(request: PostRequest): Promise<PostOutcome> {
  const body = JSON.stringify(request.delivery);
  const timeout = new AbortController();
  const timer = setTimeout(() => {
    timeout.abort();
  }, request.timeoutMs);
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Genkan-Webhook/1',
        [DELIVERY_HEADER]: request.delivery.id,
        [SIGNATURE_HEADER]: signature(request.secret, request.now.getTime() / 1000, body),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.any([request.signal, timeout.signal]),
    });
    // The body is not read: the status is the whole answer.
    await response.body?.cancel().catch(() => undefined);
    const status = String(response.status);
    return response.status >= 200 && response.status < 300
      ? { kind: 'ok', status }
      : { kind: 'failed', status, error: `HTTP ${status}` };
  } catch (err) {
    if (request.signal.aborted) return { kind: 'stopped' };
    if (timeout.signal.aborted) {
      return {
        kind: 'failed',
        status: 'timeout',
        error: `no answer within ${String(request.timeoutMs)} ms`,
      };
    }
    return { kind: 'failed', status: 'network', error: `network ${networkCode(err)}` };
  } finally {
    clearTimeout(timer);
  }
}
