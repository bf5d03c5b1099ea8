import { ConflictError, NotFoundError } from '../../common/errors.ts';
import { CloudErrorCodes } from '../errors.ts';

/* The refusals both backends throw, built in one place so that their codes and messages agree. */

export function unknownFacility(facilityId: string): NotFoundError {
  return new NotFoundError(CloudErrorCodes.unknownFacility, `unknown facility ${facilityId}`);
}

export function unknownHub(hubId: string): NotFoundError {
  return new NotFoundError(CloudErrorCodes.unknownHub, `unknown hub ${hubId}`);
}

export function unknownOrg(orgId: string): NotFoundError {
  return new NotFoundError(CloudErrorCodes.unknownOrganisation, `unknown organisation ${orgId}`);
}

/** A zone other than the facility's `stored` one (a facility's zone never changes). */
export function timeZoneMismatch(facilityId: string, stored: string, zone: string): ConflictError {
  return new ConflictError(
    CloudErrorCodes.timeZoneMismatch,
    `facility ${facilityId} uses time zone ${stored}, not ${zone}`,
  );
}

/** A hub registered under another facility; `owner` when known. */
export function hubMismatch(hubId: string, facilityId: string, owner?: string): ConflictError {
  return new ConflictError(
    CloudErrorCodes.hubFacilityMismatch,
    `hub ${hubId} belongs to ${owner === undefined ? 'another facility' : `facility ${owner}`}, not ${facilityId}`,
  );
}

export function orgMismatch(facilityId: string, owner: string, orgId: string): ConflictError {
  return new ConflictError(
    CloudErrorCodes.facilityOrgMismatch,
    `facility ${facilityId} belongs to organisation ${owner}, not ${orgId}`,
  );
}

/** Another content under a snapshot version the facility holds (versions never change). */
export function snapshotVersionConflict(facilityId: string, version: number): ConflictError {
  return new ConflictError(
    CloudErrorCodes.snapshotVersionConflict,
    `facility ${facilityId} already holds snapshot version ${version} with other content`,
  );
}

/** Another content under an amendment's correction id the facility holds. */
export function amendmentConflict(facilityId: string, correctionId: string): ConflictError {
  return new ConflictError(
    CloudErrorCodes.amendmentConflict,
    `facility ${facilityId} already holds amendment ${correctionId} with other content`,
  );
}
