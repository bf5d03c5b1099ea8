import {
  startAuthentication,
  startRegistration,
  browserSupportsWebAuthn,
  WebAuthnError,
  type PublicKeyCredentialCreationOptionsJSON,
} from '@simplewebauthn/browser';
import { z } from 'zod';
import { ParentMeSchema, type ParentMe } from '../../../protocol/parents.ts';
import { done, parsed, request, type ApiResult } from './http.ts';

export type { ApiFailure, ApiResult } from './http.ts';
export { isUnauthorized } from './http.ts';

/**
 * WebAuthn options as @simplewebauthn/server generates them. Only the challenge is checked here: the
 * browser validates the rest, and a malformed answer fails the ceremony with a coded error.
 */
const OptionsSchema = z.looseObject({ challenge: z.string().min(1) });

export async function getMe(): Promise<ApiResult<ParentMe>> {
  return parsed(await request('GET', '/parent/api/me'), ParentMeSchema);
}

export async function signOut(): Promise<ApiResult<null>> {
  return done(await request('POST', '/parent/api/logout'));
}

/** What a thrown passkey ceremony means to the parent (cancelled, timed out, not registered here…). */
function ceremonyFailed(err: unknown): ApiResult<never> {
  const code =
    err instanceof WebAuthnError ? err.code : err instanceof Error && err.name !== '' ? err.name : 'unknown';
  return { ok: false, failure: { kind: 'passkey', code } };
}

/**
 * The invitation link's ceremony: the cloud's options for this invitation, a new passkey on this device,
 * and the cloud's answer (a session cookie). `invitation` is the token from the link's fragment.
 */
export async function registerPasskey(invitation: string): Promise<ApiResult<null>> {
  if (!browserSupportsWebAuthn()) return { ok: false, failure: { kind: 'unsupported' } };
  const options = await parsed(
    await request('POST', '/parent/api/register/options', { invitation }),
    OptionsSchema,
  );
  if (!options.ok) return options;
  let response;
  try {
    response = await startRegistration({
      optionsJSON: options.value as unknown as PublicKeyCredentialCreationOptionsJSON,
    });
  } catch (err) {
    return ceremonyFailed(err);
  }
  return done(await request('POST', '/parent/api/register', { invitation, response }));
}

/** Sign-in with a passkey registered earlier (a discoverable credential: no user name to type). */
export async function signInWithPasskey(): Promise<ApiResult<null>> {
  if (!browserSupportsWebAuthn()) return { ok: false, failure: { kind: 'unsupported' } };
  const options = await parsed(await request('POST', '/parent/api/login/options', {}), OptionsSchema);
  if (!options.ok) return options;
  let response;
  try {
    response = await startAuthentication({
      optionsJSON: options.value,
    });
  } catch (err) {
    return ceremonyFailed(err);
  }
  return done(await request('POST', '/parent/api/login', { response }));
}
