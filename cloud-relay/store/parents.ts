import { ValidationError } from '../../common/errors.ts';
import { decodeStoredJson, describeIssues } from '../../protocol/index.ts';
import { ParentGuardianUploadSchema, type ParentGuardianUpload } from '../../protocol/parents.ts';
import { z } from 'zod';
import { CloudErrorCodes } from '../errors.ts';
import { checkId } from './inputs.ts';
import type { ParentCredential, ParentGuardian } from './parent-types.ts';

/*
 * Checks and encodings both backends share for the parent store (ParentStore), so that they refuse the
 * same input with the same codes before touching storage.
 */

const StringListSchema = z.array(z.string());

/** A guardian upload as stored: validated, with the invitation's expiry as UTC ISO 8601. */
export interface GuardianRecord {
  upload: ParentGuardianUpload;
  childIdsText: string;
  invitationHash: string | null;
  invitationExpires: string | null;
}

/** Checks the ids and the upload (typed callers could still build one by hand). */
export function guardianRecord(
  facilityId: string,
  guardianId: string,
  upload: ParentGuardianUpload,
): GuardianRecord {
  checkId(facilityId, 'facilityId');
  checkId(guardianId, 'guardianId');
  const parsed = ParentGuardianUploadSchema.safeParse(upload);
  if (!parsed.success) {
    throw new ValidationError(CloudErrorCodes.invalidParentUpload, describeIssues(parsed.error));
  }
  const { invitation } = parsed.data;
  return {
    upload: parsed.data,
    childIdsText: JSON.stringify(parsed.data.childIds),
    invitationHash: invitation?.tokenHash ?? null,
    invitationExpires: invitation === null ? null : new Date(invitation.expires).toISOString(),
  };
}

/** A stored JSON list of strings (child ids, transports); stored only after validation. */
export function stringList(text: string): string[] {
  return decodeStoredJson(StringListSchema, text);
}

/** Hex SHA-256, as invitations are named; anything else matches nothing. */
export function isTokenHash(value: string): boolean {
  return /^[0-9a-f]{64}$/.test(value);
}

/** A parent_guardians row as both backends return it (revoked: 0/1 on SQLite, a boolean on PostgreSQL). */
export interface GuardianRow {
  facility_id: string;
  guardian_id: string;
  version: number;
  name: string;
  child_ids: string;
  revoked: boolean | number;
}

/** A parent_credentials row as both backends return it (PostgreSQL answers its bigint counter as text). */
export interface CredentialRow {
  credential_id: string;
  facility_id: string;
  guardian_id: string;
  public_key: Buffer;
  counter: number | string;
  transports: string;
}

export const GUARDIAN_COLUMNS = 'facility_id, guardian_id, version, name, child_ids, revoked';
export const CREDENTIAL_COLUMNS = 'credential_id, facility_id, guardian_id, public_key, counter, transports';

export function guardianOf(row: GuardianRow): ParentGuardian {
  return {
    facilityId: row.facility_id,
    guardianId: row.guardian_id,
    version: row.version,
    name: row.name,
    childIds: stringList(row.child_ids),
    revoked: row.revoked === true || row.revoked === 1,
  };
}

export function credentialOf(row: CredentialRow): ParentCredential {
  return {
    credentialId: row.credential_id,
    facilityId: row.facility_id,
    guardianId: row.guardian_id,
    publicKey: new Uint8Array(row.public_key),
    counter: Number(row.counter),
    transports: stringList(row.transports),
  };
}
