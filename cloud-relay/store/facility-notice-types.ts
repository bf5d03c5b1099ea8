import type {
  FacilityNotice,
  FacilityNoticeRead,
  FacilityNoticeUpload,
  ParentFacilityNotices,
} from '../../protocol/facility-notices.ts';

/** A stored facility notice with its recipients and whether its Web Push was claimed. */
export interface StoredFacilityNotice {
  version: number;
  notice: FacilityNotice;
  guardianIds: string[];
  pushed: boolean;
}

/** One guardian's view of a notice for them (GET /parent/api/facility-notices). */
export type GuardianFacilityNotice = ParentFacilityNotices['notices'][number];

/**
 * The facility's notices to parents (issue 17, slice 3) at the cloud: the notices the hub uploads with
 * their recipients, and the guardians' reads, each read numbered from the facility's parent-message
 * counter (shared with notices and pickup plans) so that the hub fetches it as a parent message. Every
 * call is one transaction; both backends pass test/contract/cloud-store-parent-pickups.ts.
 */
export interface FacilityNoticeStore {
  /**
   * Stores the notice when `version` is higher than the stored one: true when stored. NotFoundError
   * unknown_facility for an unknown facility.
   */
  putFacilityNotice(facilityId: string, hubId: string, upload: FacilityNoticeUpload): Promise<boolean>;
  getFacilityNotice(facilityId: string, id: string): Promise<StoredFacilityNotice | undefined>;
  /**
   * Claims the notice's Web Push: true exactly once, for the first caller that finds it stored, not
   * withdrawn and not pushed yet (whichever process or upload that is).
   */
  claimPush(facilityId: string, id: string): Promise<boolean>;
  /** The notices whose recipients include the guardian, not withdrawn, newest first, with its readAt. */
  noticesForGuardian(facilityId: string, guardianId: string): Promise<GuardianFacilityNotice[]>;
  /**
   * Records the guardian's read of a notice for them (not withdrawn) under the facility's next seq: the
   * first read is kept (created false and no new seq for a repeat). undefined when the notice is unknown,
   * withdrawn or not for this guardian.
   */
  markNoticeRead(
    facilityId: string,
    noticeId: string,
    guardianId: string,
    readAt: Date,
  ): Promise<{ read: FacilityNoticeRead; created: boolean } | undefined>;
}
