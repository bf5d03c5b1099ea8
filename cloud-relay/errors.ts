import { AuthError, ForbiddenError } from '../common/errors.ts';
import { ErrorCodes } from '../protocol/index.ts';

/**
 * Codes the cloud relay needs beyond protocol/errors.ts. They are kept here, not in protocol/, until the
 * protocol owner adopts them; the wire values must not change once adopted.
 */
export const CloudErrorCodes = {
  unsupportedMediaType: ErrorCodes.unsupportedMediaType,
  /** A facility's time zone is fixed when it is created: stored business dates depend on it. */
  timeZoneMismatch: 'time_zone_mismatch',
  /** A hub belongs to exactly one facility; re-adding it under another facility is refused. */
  hubFacilityMismatch: 'hub_facility_mismatch',
  unknownFacility: 'unknown_facility',
  unknownHub: 'unknown_hub',
  unknownOrganisation: 'unknown_organisation',
  /** A facility belongs to at most one organisation; attaching it to another is refused. */
  facilityOrgMismatch: 'facility_org_mismatch',
  /** Per-hub upload rate exceeded (429); retry after Retry-After. */
  rateLimited: 'rate_limited',
  /** The server is saturated (503); retry after Retry-After. */
  overloaded: 'overloaded',
  /** GET /readyz: the database is unreachable. */
  notReady: 'not_ready',
  invalidId: 'invalid_id',
  invalidTimeZone: 'invalid_time_zone',
  invalidName: 'invalid_name',
  invalidDate: 'invalid_date',
  /** A facility snapshot that fails FacilitySnapshotSchema, or names another facility than it is stored for. */
  invalidSnapshot: 'invalid_snapshot',
  /**
   * A snapshot version (PUT /v1/snapshots/V) whose number the facility already holds with other content:
   * versions never change once issued (the same content again is a no-op).
   */
  snapshotVersionConflict: 'snapshot_version_conflict',
  /** An amendment (PUT /v1/amendments/ID) whose correction id the facility already holds with other content. */
  amendmentConflict: 'amendment_conflict',
  /** An amendment that fails AmendmentSchema, or whose date is not a calendar date. */
  invalidAmendment: 'invalid_amendment',
  /** Ledgers need the roster and care rules, which the facility's hub has not relayed (yet). */
  noSnapshot: 'no_snapshot',
  /** A PDF ledger was asked for, but the Japanese font it needs is not installed on the server. */
  pdfFontMissing: 'pdf_font_missing',
  /** `--db` is neither a postgres:// URL nor absent. */
  invalidDatabaseUrl: 'invalid_database_url',
  /** PUT /v1/hub/parents/G: a body that fails ParentGuardianUploadSchema. */
  invalidParentUpload: 'invalid_parent_upload',
  /** The parent app's invitation link is unknown, expired, already used, replaced or revoked. */
  invitationInvalid: 'invitation_invalid',
  /** A passkey registration or sign-in that did not verify (or whose challenge expired). */
  passkeyFailed: 'passkey_failed',
  /** A sign-in with a passkey the cloud does not know (never registered, or access revoked). */
  passkeyUnknown: 'passkey_unknown',
  /** The parent app's request without a valid session cookie. */
  notSignedIn: 'not_signed_in',
  /** `--parent-origin` is not an http(s) origin without a path. */
  invalidParentOrigin: 'invalid_parent_origin',
  /** The parent app was not built into this cloud (npm run build). */
  parentAppUnavailable: 'parent_app_unavailable',
  /** A parent notice names a child that is not the guardian's own (403; whether it exists is not said). */
  notOwnChild: 'not_own_child',
  /** A parent notice starting before today (the facility's business day). */
  noticeInPast: 'notice_in_past',
  /** A parent notice over NOTICE_MAX_DAYS days. */
  noticeTooLong: 'notice_too_long',
  /** A parent notice reaching beyond NOTICE_MAX_DAYS_AHEAD days from today (params: max). */
  noticeTooFar: 'notice_too_far',
  /** A parent notice covering today sent at or after a child's class cut-off (params: cutoff). */
  noticeAfterCutoff: 'notice_after_cutoff',
  /** A parent notice id the facility already holds with other content. */
  parentNoticeConflict: 'parent_notice_conflict',
  /** A pickup plan for another day than today (the facility's business day). */
  pickupNotToday: 'pickup_not_today',
  /** A pickup plan's personId that is not on every one of its children's lists. */
  unknownPickupPerson: 'unknown_pickup_person',
  /** A pickup plan id the facility already holds with other content. */
  parentPickupConflict: 'parent_pickup_conflict',
  /** A facility notice that is unknown, withdrawn or not for this guardian (404). */
  unknownFacilityNotice: 'unknown_facility_notice',
} as const;

/** No valid token; the caller should come back with a bearer token. */
export const unauthorized = (message = 'a valid bearer token is required'): AuthError =>
  new AuthError(ErrorCodes.unauthorized, message, 'Bearer');

/** A valid token that may not do this. */
export const forbidden = (message: string): ForbiddenError =>
  new ForbiddenError(ErrorCodes.forbidden, message);
