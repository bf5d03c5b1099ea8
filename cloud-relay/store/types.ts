import type { AttendanceEvent } from '../../protocol/index.ts';
import type { FacilitySnapshot } from '../../protocol/ledger.ts';

/** Who a hub token belongs to. */
export interface HubIdentity {
  hubId: string;
  facilityId: string;
}

export interface Facility {
  facilityId: string;
  /** IANA zone, canonical spelling (e.g. Asia/Tokyo); business dates of the facility's events use it. */
  timeZone: string;
}

export interface BatchInsertResult {
  /** Ids stored by this call, in input order. */
  accepted: string[];
  /**
   * Ids already stored for the facility (by an earlier call or earlier in this batch), left unchanged, in
   * input order. Every input event lands in exactly one of the two lists, so a repeated id can appear twice.
   */
  duplicates: string[];
}

/**
 * Storage of the cloud relay: facilities, hub credentials and the event log of every facility.
 * Backend-neutral (SQLite now, PostgreSQL later; both pass store/contract.ts), so: async throughout, and
 * each call is one round trip / one transaction. Event ids are unique per facility: the same id from two
 * facilities is two events, so that one facility can never make another's event look stored.
 *
 * Errors are GenkanError subclasses with codes from CloudErrorCodes (cloud-relay/errors.ts):
 * ValidationError for malformed ids, zones or dates, ConflictError for a hub or time zone that contradicts
 * what is stored, NotFoundError for an unknown facility on insert.
 */
export interface CloudStore {
  /**
   * Creates the facility if needed (time zone defaults to Asia/Tokyo) and the hub, or rotates the token of
   * an existing hub: the old token stops working at once. Returns the token `HUBID.SECRET`, shown once and
   * stored only as a hash. Refuses a hub already registered under another facility, and a time zone
   * other than the facility's.
   */
  addHub(hubId: string, facilityId: string, timeZone?: string): Promise<string>;
  /** The hub a token belongs to; undefined for a malformed, unknown or rotated-out token. */
  authenticateHub(token: string): Promise<HubIdentity | undefined>;
  /** Creates the facility if missing; when it exists, a given time zone must match its own. */
  ensureFacility(facilityId: string, timeZone?: string): Promise<Facility>;
  getFacility(facilityId: string): Promise<Facility | undefined>;
  /**
   * Stores validated events idempotently by id in one durable transaction (the first copy of an id wins);
   * resolves only once committed. `hubId` is recorded as the uploader. The facility must exist.
   */
  insertBatch(
    facilityId: string,
    hubId: string,
    events: readonly AttendanceEvent[],
  ): Promise<BatchInsertResult>;
  /** Events whose business date in the facility's time zone is `date` (YYYY-MM-DD), by occurredAt, deviceId, seq. */
  eventsOn(facilityId: string, date: string): Promise<AttendanceEvent[]>;
  /**
   * Events for the ledgers of [from, to] (YYYY-MM-DD, inclusive): those whose business date is in the
   * range, plus void events of any date that void one of them (a correction made days later still
   * changes the ledger). One query; ordered as eventsOn. A range that ends before it starts is refused.
   */
  ledgerEvents(facilityId: string, from: string, to: string): Promise<AttendanceEvent[]>;
  /**
   * Stores the facility's roster and care rules as a hub relayed them, replacing any earlier one (the
   * latest upload wins), with the uploading hub and the time. The facility must exist, `snapshot` must
   * name it, and its time zone must be the facility's (ConflictError time_zone_mismatch otherwise).
   */
  putSnapshot(facilityId: string, hubId: string, snapshot: FacilitySnapshot): Promise<void>;
  /** The latest snapshot of the facility; undefined when no hub has sent one. */
  getSnapshot(facilityId: string): Promise<FacilitySnapshot | undefined>;
  /** Events of one facility, or of all facilities. */
  countEvents(facilityId?: string): Promise<number>;
  close(): Promise<void>;
}
