import type {
  ParentMessage,
  ParentNotice,
  ParentNoticeReads,
  ParentNoticeRequest,
  ParentSettingsUpload,
} from '../../protocol/parent-notices.ts';

/** What the cloud stores of a new parent notice (POST /parent/api/notices), its rules already checked. */
export interface NewParentNotice {
  guardianId: string;
  request: ParentNoticeRequest;
  /** When the cloud accepted it. */
  sentAt: Date;
}

/** One parent action at the cloud, audited (table parent_audit). No names, tokens or credential ids. */
export interface ParentAuditEntry {
  facilityId: string;
  guardianId: string;
  /** UTC ISO 8601. */
  at: string;
  /** What the parent did, e.g. `notice.sent`, `session.sign_in`: lower case words joined by `.` or `_`. */
  action: string;
  outcome: 'ok' | 'refused';
  /** Ids, counts, dates and codes only (JSON, at most 2 KiB). */
  detail: Readonly<Record<string, unknown>> | null;
}

/** How many rows purgeParentRecords deleted. */
export interface ParentPurgeCounts {
  notices: number;
  audit: number;
  /** Pickup plans (by their day). */
  pickups: number;
  /** Facility notices (by publication, with their reads). */
  facilityNotices: number;
}

/**
 * Parents' notices (issue 17, slice 2) at the cloud: the notices with the facility's message sequence the
 * hub fetches by, the facility's cut-offs the hub uploads, and the audit of parent actions. Every call is
 * one transaction; both backends pass test/contract/cloud-store-parent-notices.ts.
 */
export interface ParentNoticeStore {
  /**
   * Stores a notice under the next seq of its facility, idempotent by (facility, id): a resend of the same
   * content answers the stored notice (created false, no new seq); the id with other content (another
   * guardian, children, dates, reason…) is refused (ConflictError parent_notice_conflict). The seq is
   * taken inside the insert's transaction with the facility's counter row locked, so within a facility
   * seq order is commit order: a reader of `seq > after` never misses a notice committed later with a
   * lower seq. The facility must exist (NotFoundError unknown_facility).
   */
  insertNotice(
    facilityId: string,
    notice: NewParentNotice,
  ): Promise<{ notice: ParentNotice; created: boolean }>;
  getNotice(facilityId: string, id: string): Promise<ParentNotice | undefined>;
  /**
   * The guardian's notices whose last day (`until`) is `since` or later, newest first (by seq). Callers
   * pass today for "covering today or later", or 30 days back to add recent history.
   */
  noticesForGuardian(facilityId: string, guardianId: string, since: string): Promise<ParentNotice[]>;
  /**
   * The facility's messages with seq > afterSeq, by seq, at most `limit` (GET /v1/hub/parent-messages):
   * notices, pickup plans (ParentPickupStore) and facility-notice reads (FacilityNoticeStore), which all
   * take their seq from the one counter of insertNotice.
   */
  messagesAfter(facilityId: string, afterSeq: number, limit: number): Promise<ParentMessage[]>;
  /**
   * Marks notices (and pickup plans, by the same ids) read (staff confirmed them at the hub): returns how
   * many were newly read. One read before keeps its first readAt; unknown ids are skipped.
   */
  markRead(facilityId: string, reads: ParentNoticeReads['reads']): Promise<number>;
  /** Stores the facility's cut-offs when `version` is higher than the stored one: true when stored. */
  putSettings(facilityId: string, hubId: string, settings: ParentSettingsUpload): Promise<boolean>;
  settings(facilityId: string): Promise<ParentSettingsUpload | undefined>;
  /** Appends one audit entry (checked: an action word, ids and codes only). */
  appendAudit(entry: ParentAuditEntry): Promise<void>;
  /** The facility's audit entries, newest first, at most `limit`. */
  auditLog(facilityId: string, limit: number): Promise<ParentAuditEntry[]>;
  /**
   * Retention (cloud-relay/retention.ts): deletes the facility's notices whose last day is before
   * `cutoff` (YYYY-MM-DD), pickup plans of days before it, facility notices published before
   * `auditBefore` with their reads, and audit entries before `auditBefore`, in one transaction.
   */
  purgeParentRecords(facilityId: string, cutoff: string, auditBefore: Date): Promise<ParentPurgeCounts>;
}
