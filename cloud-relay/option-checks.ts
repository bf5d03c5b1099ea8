import { ValidationError } from '../common/errors.ts';
import { ADMIN_TOKEN_MIN, BEARER_MAX } from './defaults.ts';
import { CloudErrorCodes } from './errors.ts';

/** Checks of the cloud's configured values (CLI flags, options): a bad one stops the start with a coded error. */

/** The parent origin as WebAuthn compares it (`scheme://host[:port]`); refused when it is no http(s) origin. */
export function checkedOrigin(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (
    url === undefined ||
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    (url.pathname !== '/' && url.pathname !== '') ||
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== ''
  ) {
    throw new ValidationError(
      CloudErrorCodes.invalidParentOrigin,
      'the parent origin must be an http(s) origin without a path, e.g. https://parents.example.jp',
      'parentOrigin',
    );
  }
  return url.origin;
}

/** The VAPID contact: a mailto: or https: URL, as push services require; refused otherwise. */
export function checkedPushContact(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const protocol = URL.canParse(value) ? new URL(value).protocol : '';
  if (protocol !== 'mailto:' && protocol !== 'https:') {
    throw new ValidationError(
      'invalid_push_contact',
      'the push contact must be a mailto: or https: URL, e.g. mailto:ops@example.jp',
      'pushContact',
    );
  }
  return value;
}

/** A configured secret: undefined when empty; refused when short, long or with spaces. */
export function checkedSecret(value: string | undefined, field: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.length < ADMIN_TOKEN_MIN || value.length > BEARER_MAX || /\s/.test(value)) {
    throw new ValidationError(
      field === 'adminToken' ? 'weak_admin_token' : 'weak_metrics_token',
      `the ${field === 'adminToken' ? 'admin' : 'metrics'} token must be ${ADMIN_TOKEN_MIN}–${BEARER_MAX} characters without spaces`,
      field,
    );
  }
  return value;
}
