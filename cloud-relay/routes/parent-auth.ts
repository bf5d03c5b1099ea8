import { randomBytes } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { AuthError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { hashToken } from '../../common/secrets.ts';
import { localDate, type Clock } from '../../common/time.ts';
import { CloudErrorCodes } from '../errors.ts';
import type { ParentIdentity } from '../store/parent-types.ts';
import type { CloudStore } from '../store/types.ts';
import { ParentAudit } from './parent-audit.ts';

/** A parent session lasts this long after its last use (sliding). */
export const PARENT_SESSION_TTL_MS = 30 * 24 * 3_600_000;
/** Sliding moves the expiry in steps of this, so that a busy parent costs one write an hour, not one a request. */
const SLIDE_STEP_MS = 3_600_000;
/** A WebAuthn ceremony's time limit in the browser; its challenge is kept a little longer. */
const CEREMONY_TIMEOUT_MS = 120_000;
const CHALLENGE_TTL_MS = 5 * 60_000;

/** Where parents reach the app: what WebAuthn binds a passkey to. */
export interface ParentSite {
  /** `https://parents.example.jp` (no path): the origin the browser reports. */
  origin: string;
  /** The origin's host name: the relying party id. */
  rpID: string;
}

export function parentSite(origin: string): ParentSite {
  const url = new URL(origin);
  return { origin: url.origin, rpID: url.hostname };
}

/** A new session: its cookie value (shown once to the browser, stored only hashed) and its expiry. */
export interface NewParentSession {
  token: string;
  expires: Date;
}

export const invitationInvalid = (): AuthError =>
  new AuthError(
    CloudErrorCodes.invitationInvalid,
    'the invitation link is not valid (used, replaced, expired or revoked); ask the facility for a new one',
  );

export const notSignedIn = (): AuthError =>
  new AuthError(CloudErrorCodes.notSignedIn, 'not signed in, or the session ended');

const passkeyFailed = (): AuthError =>
  new AuthError(CloudErrorCodes.passkeyFailed, 'the passkey could not be verified; try again');

/**
 * Why a ceremony failed, for the log: a category, never the library's message (it may quote ids). An
 * origin or RP ID mismatch usually means a proxy in front of the cloud without --parent-origin.
 */
function failureReason(err: unknown): string {
  const message = err instanceof Error ? err.message : '';
  if (/origin/i.test(message)) return 'origin_mismatch';
  if (/rp ?id/i.test(message)) return 'rp_id_mismatch';
  if (/challenge/i.test(message)) return 'challenge';
  if (/user verif|user present/i.test(message)) return 'user_presence';
  return 'invalid_response';
}

/** The audit's names of the ceremonies (ParentAudit). */
const AUDIT_ACTIONS = { register: 'passkey.register', login: 'session.sign_in' } as const;

/** Hex SHA-256 of an invitation token, as the hub sends it (protocol/parents.ts ParentInvitationSchema). */
function invitationHash(token: string): string {
  return hashToken(token).toString('hex');
}

/**
 * The parent app's WebAuthn ceremonies (@simplewebauthn/server) and sessions. Registration needs an open
 * invitation and uses it up; sign-in takes a discoverable passkey (no user name). Challenges are kept in
 * the store (single use), so that any cloud process can finish a ceremony another began. A failed
 * ceremony throws an AuthError; its cause stays out of the answer and the log (it may quote ids).
 */
export class ParentAuth {
  private readonly store: CloudStore;
  private readonly clock: Clock;
  private readonly log: Logger;
  /** Registrations, sign-ins (also refused ones of a known guardian) and sign-outs. */
  private readonly audit: ParentAudit;

  constructor(store: CloudStore, clock: Clock, logger: Logger) {
    this.store = store;
    this.clock = clock;
    this.log = logger;
    this.audit = new ParentAudit(store, clock, logger);
  }

  private failed(ceremony: 'register' | 'login', err: unknown): AuthError {
    this.log.info({ ceremony, reason: failureReason(err) }, 'passkey ceremony failed');
    return passkeyFailed();
  }

  /** A failed ceremony of a known guardian: audited (the reason's category only), then as failed(). */
  private async refused(
    ceremony: 'register' | 'login',
    who: ParentIdentity,
    err: unknown,
  ): Promise<AuthError> {
    await this.audit.record(who.facilityId, who.guardianId, AUDIT_ACTIONS[ceremony], 'refused', {
      reason: failureReason(err),
    });
    return this.failed(ceremony, err);
  }

  async registrationOptions(
    invitation: string,
    site: ParentSite,
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const now = this.clock.now();
    const guardian = await this.store.parents.guardianByInvitation(invitationHash(invitation), now);
    if (guardian === undefined) throw invitationInvalid();
    const facility = await this.store.getFacility(guardian.facilityId);
    const snapshot =
      facility === undefined
        ? undefined
        : await this.store.getSnapshot(facility.facilityId, localDate(now, facility.timeZone));
    const existing = await this.store.parents.credentialsOf(guardian.facilityId, guardian.guardianId);
    const options = await generateRegistrationOptions({
      rpName:
        snapshot?.facilityName !== undefined && snapshot.facilityName !== ''
          ? snapshot.facilityName
          : 'Genkan',
      rpID: site.rpID,
      // Shown by the phone's passkey manager, on the parent's own device only.
      userName: guardian.name,
      userDisplayName: guardian.name,
      attestationType: 'none',
      // The same device twice would only make a second passkey for the same parent.
      excludeCredentials: existing.map((c) => ({ id: c.credentialId, transports: c.transports })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
      timeout: CEREMONY_TIMEOUT_MS,
    });
    await this.store.parents.putChallenge(
      options.challenge,
      'register',
      { facilityId: guardian.facilityId, guardianId: guardian.guardianId },
      new Date(now.getTime() + CHALLENGE_TTL_MS),
    );
    return options;
  }

  /** Verifies a new passkey made for the invitation, stores it and starts a session. */
  async register(
    invitation: string,
    response: RegistrationResponseJSON,
    site: ParentSite,
  ): Promise<NewParentSession & ParentIdentity> {
    const now = this.clock.now();
    const hash = invitationHash(invitation);
    const guardian = await this.store.parents.guardianByInvitation(hash, now);
    if (guardian === undefined) throw invitationInvalid();
    let verified;
    try {
      verified = await verifyRegistrationResponse({
        response,
        // The challenge must be one issued for this guardian, unused and unexpired.
        expectedChallenge: async (challenge) => {
          const taken = await this.store.parents.takeChallenge(challenge, 'register', now);
          return (
            taken?.who?.facilityId === guardian.facilityId && taken.who.guardianId === guardian.guardianId
          );
        },
        expectedOrigin: site.origin,
        expectedRPID: site.rpID,
        requireUserVerification: false,
      });
    } catch (err) {
      throw await this.refused('register', guardian, err);
    }
    if (!verified.verified) throw await this.refused('register', guardian, undefined);
    const { credential } = verified.registrationInfo;
    const who = { facilityId: guardian.facilityId, guardianId: guardian.guardianId };
    const added = await this.store.parents.addCredential(
      {
        credentialId: credential.id,
        ...who,
        publicKey: credential.publicKey,
        counter: credential.counter,
        transports: credential.transports ?? [],
      },
      hash,
      now,
    );
    // Used by another registration meanwhile, replaced or revoked.
    if (!added) {
      await this.audit.record(who.facilityId, who.guardianId, AUDIT_ACTIONS.register, 'refused', {
        code: CloudErrorCodes.invitationInvalid,
      });
      throw invitationInvalid();
    }
    await this.audit.record(who.facilityId, who.guardianId, AUDIT_ACTIONS.register, 'ok');
    return { ...who, ...(await this.startSession(who, now)) };
  }

  async loginOptions(site: ParentSite): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const now = this.clock.now();
    // No allowCredentials: the browser offers the passkeys it holds for this site.
    const options = await generateAuthenticationOptions({
      rpID: site.rpID,
      userVerification: 'preferred',
      timeout: CEREMONY_TIMEOUT_MS,
    });
    await this.store.parents.putChallenge(
      options.challenge,
      'login',
      null,
      new Date(now.getTime() + CHALLENGE_TTL_MS),
    );
    return options;
  }

  /** Verifies a sign-in with a stored passkey and starts a session. */
  async login(
    response: AuthenticationResponseJSON,
    site: ParentSite,
  ): Promise<NewParentSession & ParentIdentity> {
    const now = this.clock.now();
    const stored = await this.store.parents.getCredential(response.id);
    if (stored === undefined) {
      throw new AuthError(
        CloudErrorCodes.passkeyUnknown,
        'this passkey is not registered here (or access was revoked); ask the facility for an invitation',
      );
    }
    let verified;
    try {
      verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge: async (challenge) =>
          (await this.store.parents.takeChallenge(challenge, 'login', now)) !== undefined,
        expectedOrigin: site.origin,
        expectedRPID: site.rpID,
        credential: {
          id: stored.credentialId,
          publicKey: new Uint8Array(stored.publicKey),
          counter: stored.counter,
          transports: stored.transports,
        },
        requireUserVerification: false,
      });
    } catch (err) {
      throw await this.refused('login', stored, err);
    }
    if (!verified.verified) throw await this.refused('login', stored, undefined);
    await this.store.parents.credentialUsed(stored.credentialId, verified.authenticationInfo.newCounter, now);
    const who = { facilityId: stored.facilityId, guardianId: stored.guardianId };
    await this.audit.record(who.facilityId, who.guardianId, AUDIT_ACTIONS.login, 'ok');
    return { ...who, ...(await this.startSession(who, now)) };
  }

  /** The guardian of a session cookie, the session slid forward; undefined when not signed in. */
  async session(token: string): Promise<(ParentIdentity & { expires: Date }) | undefined> {
    // A real token is 43 characters; anything much longer is not looked up.
    if (token === '' || token.length > 128) return undefined;
    const now = this.clock.now();
    const extendTo = Math.floor((now.getTime() + PARENT_SESSION_TTL_MS) / SLIDE_STEP_MS) * SLIDE_STEP_MS;
    return this.store.parents.touchSession(hashToken(token), now, new Date(extendTo));
  }

  async logout(token: string): Promise<void> {
    if (token === '' || token.length > 128) return;
    const hash = hashToken(token);
    const now = this.clock.now();
    // Whose session it was, for the audit (extending it to now changes nothing).
    const who = await this.store.parents.touchSession(hash, now, now);
    await this.store.parents.deleteSession(hash);
    if (who !== undefined) await this.audit.record(who.facilityId, who.guardianId, 'session.sign_out', 'ok');
  }

  private async startSession(who: ParentIdentity, now: Date): Promise<NewParentSession> {
    const token = randomBytes(32).toString('base64url');
    const expires = new Date(now.getTime() + PARENT_SESSION_TTL_MS);
    await this.store.parents.createSession(hashToken(token), who, now, expires);
    return { token, expires };
  }
}
