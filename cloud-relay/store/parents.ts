import { ValidationError } from '../../common/errors.ts';
import { decodeStoredJson, describeIssues } from '../../protocol/index.ts';
import { ParentGuardianUploadSchema, type ParentGuardianUpload } from '../../protocol/parents.ts';
import { z } from 'zod';
import { CloudErrorCodes } from '../errors.ts';
import { checkId } from './inputs.ts';

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
