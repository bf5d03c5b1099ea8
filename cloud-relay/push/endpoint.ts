import { createHash } from 'node:crypto';
import { ValidationError } from '../../common/errors.ts';

/**
 * Whether the cloud may send to a push endpoint: https to a named host (a push service), never to an
 * address literal or localhost: a first guard against a subscription aiming the cloud's requests at its
 * own network (a name may still resolve to a private address; docs/parents.md says to limit egress).
 * `allowInsecure` (genkan cloud --push-insecure-endpoints, tests and local development only) lets plain
 * http and local addresses through.
 */
export function endpointAllowed(endpoint: string, allowInsecure: boolean): boolean {
  if (!URL.canParse(endpoint)) return false;
  const url = new URL(endpoint);
  if (url.username !== '' || url.password !== '') return false;
  if (allowInsecure) return url.protocol === 'https:' || url.protocol === 'http:';
  const host = url.hostname.toLowerCase();
  const literal = /^[\d.]+$/.test(host) || host.startsWith('[');
  return url.protocol === 'https:' && !literal && host !== 'localhost' && !host.endsWith('.localhost');
}

/** POST /parent/api/push/subscriptions with an endpoint the cloud will not send to. */
export function pushEndpointInsecure(): ValidationError {
  return new ValidationError(
    'push_endpoint_insecure',
    'the push endpoint must be an https URL of a push service',
    'endpoint',
  );
}

/**
 * How logs name an endpoint: the first 12 hex digits of its SHA-256. An endpoint names one browser of one
 * parent, so it never goes into a log in full.
 */
export function endpointRef(endpoint: string): string {
  return createHash('sha256').update(endpoint).digest('hex').slice(0, 12);
}
