import { randomBytes } from 'node:crypto';
import { ValidationError } from '../../common/errors.ts';

/*
 * What an operator sets for a facility's webhook (genkan cloud webhook set): its URL and signing secret,
 * checked the same way by the CLI and by both store backends.
 */

export const WEBHOOK_URL_MAX = 2048;
export const WEBHOOK_SECRET_MIN = 16;
export const WEBHOOK_SECRET_MAX = 256;

/** Plain http is allowed only to this machine, for development: elsewhere the events would travel in clear. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** A webhook URL as stored: absolute https, or http to localhost; refused with a coded error otherwise. */
export function checkWebhookUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = value.length <= WEBHOOK_URL_MAX ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.hostname === '') {
    throw new ValidationError(
      'invalid_webhook_url',
      `the webhook URL must be an absolute https:// URL of at most ${String(WEBHOOK_URL_MAX)} characters`,
      'url',
    );
  }
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new ValidationError(
      'webhook_url_insecure',
      'the webhook URL must use https (plain http only to localhost or 127.0.0.1, for development)',
      'url',
    );
  }
  return url.href;
}

/** A signing secret: 16–256 printable characters without spaces. */
export function checkWebhookSecret(value: string): string {
  if (
    value.length < WEBHOOK_SECRET_MIN ||
    value.length > WEBHOOK_SECRET_MAX ||
    // eslint-disable-next-line no-control-regex -- control characters are what is refused
    /[\s\u0000-\u001f\u007f]/.test(value)
  ) {
    throw new ValidationError(
      'weak_webhook_secret',
      `the webhook secret must be ${String(WEBHOOK_SECRET_MIN)}–${String(WEBHOOK_SECRET_MAX)} characters without spaces`,
      'secret',
    );
  }
  return value;
}

/** A new secret: 32 random bytes, base64url (43 characters). */
export function newWebhookSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** What logs may name of a webhook URL: its origin (a path or query may carry a receiver's token). */
export function webhookOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid-url';
  }
}
