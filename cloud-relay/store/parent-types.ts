import type { ParentGuardianUpload } from '../../protocol/parents.ts';

/** A guardian with parent access as the cloud keeps it (PUT /v1/hub/parents/G). */
export interface ParentGuardian {
  facilityId: string;
  guardianId: string;
  version: number;
  name: string;
  childIds: string[];
  revoked: boolean;
}

/** A guardian's passkey (a WebAuthn credential). */
export interface ParentCredential {
  /** The credential id, base64url. */
  credentialId: string;
  facilityId: string;
  guardianId: string;
  /** COSE public key. */
  publicKey: Uint8Array;
  /** The authenticator's signature counter (0 for passkeys that keep none). */
  counter: number;
  transports: string[];
}

/** Whose a parent session or a registration challenge is. */
export interface ParentIdentity {
  facilityId: string;
  guardianId: string;
}

export type ParentChallengePurpose = 'register' | 'login';

/**
 * What the parent app needs kept at the cloud (issue 17): the guardians a facility's hub uploads, their
 * invitations, passkeys, sessions and the WebAuthn challenges in flight. Session and invitation secrets
 * are kept only as SHA-256. Every call is one transaction; both backends pass
 * test/contract/cloud-store-parents.ts.
 */
export interface ParentStore {
  /**
   * Stores the hub's record of a guardian (the facility must exist): true when stored, false when the
   * stored version is the same or higher (nothing changes). A new invitation (another token hash)
   * replaces the old one; the same one keeps whether it was used. `revoked` deletes the guardian's
   * passkeys, sessions and push subscriptions in the same transaction.
   */
  putGuardian(
    facilityId: string,
    hubId: string,
    guardianId: string,
    upload: ParentGuardianUpload,
  ): Promise<boolean>;
  getGuardian(facilityId: string, guardianId: string): Promise<ParentGuardian | undefined>;
  /**
   * The guardian whose open invitation has this token hash (hex SHA-256): not expired at `now`, not used,
   * not revoked; undefined otherwise.
   */
  guardianByInvitation(tokenHash: string, now: Date): Promise<ParentGuardian | undefined>;
  /**
   * Stores a passkey registered with the invitation `tokenHash`, and marks the invitation used, in one
   * transaction: false (nothing stored) when the invitation is no longer open at `now` (used meanwhile,
   * replaced, revoked, expired).
   */
  addCredential(credential: ParentCredential, tokenHash: string, now: Date): Promise<boolean>;
  getCredential(credentialId: string): Promise<ParentCredential | undefined>;
  /** The guardian's passkeys, oldest first. */
  credentialsOf(facilityId: string, guardianId: string): Promise<ParentCredential[]>;
  /** Records a sign-in with the passkey: its new counter and the time. */
  credentialUsed(credentialId: string, counter: number, now: Date): Promise<void>;
  /** A new session (SHA-256 of its cookie) of the guardian, valid until `expires`. */
  createSession(sessionHash: Uint8Array, who: ParentIdentity, now: Date, expires: Date): Promise<void>;
  /**
   * The guardian of a session valid at `now` (not revoked), its expiry moved to `extendTo` when that is
   * later (sliding sessions); undefined for an unknown or expired session (an expired one is deleted).
   */
  touchSession(
    sessionHash: Uint8Array,
    now: Date,
    extendTo: Date,
  ): Promise<(ParentIdentity & { expires: Date }) | undefined>;
  deleteSession(sessionHash: Uint8Array): Promise<void>;
  /** Keeps a challenge until `expires`, for a registration (naming the guardian) or a sign-in (null). */
  putChallenge(
    challenge: string,
    purpose: ParentChallengePurpose,
    who: ParentIdentity | null,
    expires: Date,
  ): Promise<void>;
  /**
   * Takes (deletes) a challenge of this purpose: found and unexpired at `now` → its guardian (null for a
   * sign-in); undefined otherwise. Single use: a second take finds nothing. Expired challenges are swept.
   */
  takeChallenge(
    challenge: string,
    purpose: ParentChallengePurpose,
    now: Date,
  ): Promise<{ who: ParentIdentity | null } | undefined>;
}
