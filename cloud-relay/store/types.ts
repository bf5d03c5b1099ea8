import type { AttendanceEvent, Rejection } from '../../protocol/index.ts';
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

/** An organisation (a city, a chain): owns facilities; its admin tokens read only those. */
export interface Organisation {
  orgId: string;
  name: string;
}

/** A hub of an organisation's facility, as the org listing shows it. */
export interface OrgHub {
  hubId: string;
  /** Last batch or snapshot received from the hub (ISO 8601); null when it never relayed. */
  lastRelayAt: string | null;
}

/** A facility of an organisation, with what its hubs last relayed. */
export interface OrgFacility {
  facilityId: string;
  /** The facility name from its latest snapshot; null before a hub sent one. */
  name: string | null;
  timeZone: string;
  hubs: OrgHub[];
  /** Latest lastRelayAt of its hubs; null when none relayed. */
  lastRelayAt: string | null;
}

/** What the daily rollup of one facility is computed from. */
export interface RollupInput {
  facilityId: string;
  snapshot: FacilitySnapshot | undefined;
  /** The facility's events of the date plus later voids naming one of them (as ledgerEvents). */
  events: AttendanceEvent[];
  lastRelayAt: string | null;
}

export interface BatchInsertResult {
  /** Ids stored by this call, in input order. */
  accepted: string[];
  /**
   * Ids already stored for the facility (by an earlier call or earlier in this batch), left unchanged, in
   * input order. Every input event lands in exactly one of the three lists, so a repeated id can appear
   * twice.
   */
  duplicates: string[];
  /**
   * Events the database refused as data (code `store_error`, in input order): a constraint or a value it
   * cannot hold, or a row that cannot be derived from the event. The rest of the batch is stored. The
   * message names the database's error code only, never the event's contents.
   */
  rejected: Rejection[];
}

/**
 * Storage of the cloud relay: facilities, hub credentials and the event log of every facility.
 * Backend-neutral (SQLite and PostgreSQL; both pass test/contract/cloud-store.ts), so: async throughout, and
 * each call is one round trip / one transaction. Event ids are unique per facility: the same id from two
 * facilities is two events, so that one facility can never make another's event look stored.
 *
 * Errors are GenkanError subclasses with codes from CloudErrorCodes (cloud-relay/errors.ts):
 * ValidationError for malformed ids, zones or dates, ConflictError for a hub or time zone that contradicts
 * what is stored, NotFoundError for an unknown facility on insert.
 */
export interface CloudStore {
  /**
   * Creates the facility if needed (time zone defaults to Asia/Tokyo) and the hub, or replaces the token of
   * an existing hub: every earlier token stops working at once (also lifting a revocation). Returns the token `HUBID.SECRET`, shown once and
   * stored only as a hash. Refuses a hub already registered under another facility, and a time zone
   * other than the facility's.
   */
  addHub(hubId: string, facilityId: string, timeZone?: string): Promise<string>;
  /**
   * The hub a token belongs to; undefined for a malformed, unknown, revoked or rotated-out token. The
   * first success with the current token ends the grace period of the previous one (rotateHub).
   */
  authenticateHub(token: string): Promise<HubIdentity | undefined>;
  /**
   * A new token for an existing hub (NotFoundError unknown_hub otherwise). The previous token keeps
   * working until the hub first authenticates with the new one or for `graceMs`, whichever comes first.
   * Rotating a revoked hub re-enables it with the new token only.
   */
  rotateHub(hubId: string, graceMs: number): Promise<string>;
  /** Stops every token of the hub at once (NotFoundError unknown_hub for an unknown hub). */
  revokeHub(hubId: string): Promise<void>;
  /** Creates the organisation, or renames an existing one. */
  addOrganisation(orgId: string, name: string): Promise<Organisation>;
  getOrganisation(orgId: string): Promise<Organisation | undefined>;
  /**
   * Creates the facility if needed and attaches it to `orgId` (NotFoundError unknown_organisation).
   * A facility already in another organisation is refused (ConflictError facility_org_mismatch).
   */
  addFacility(facilityId: string, orgId: string, timeZone?: string): Promise<Facility>;
  /** The organisation a facility belongs to: null for none, undefined for an unknown facility. */
  facilityOrg(facilityId: string): Promise<string | null | undefined>;
  /** A new org admin token `ORGID.SECRET`, stored hashed; earlier ones keep working. */
  issueOrgToken(orgId: string): Promise<string>;
  /** Revokes every token of the organisation; returns how many there were. */
  revokeOrgTokens(orgId: string): Promise<number>;
  /** The organisation an org token belongs to; undefined for a malformed, unknown or revoked one. */
  authenticateOrg(token: string): Promise<string | undefined>;
  /** The organisation's facilities by id, with hubs and last relay times (a fixed number of queries). */
  orgFacilities(orgId: string): Promise<OrgFacility[]>;
  /** Per facility of the organisation (by id): snapshot, the date's events and last relay (fixed queries). */
  orgRollupInputs(orgId: string, date: string): Promise<RollupInput[]>;
  /** A cheap round trip to the database (readiness); rejects when it is unreachable or closed. */
  ping(): Promise<void>;
  /** Callers waiting for a database connection (PostgreSQL pool); 0 for SQLite. */
  waitingForConnection(): number;
  /** Creates the facility if missing; when it exists, a given time zone must match its own. */
  ensureFacility(facilityId: string, timeZone?: string): Promise<Facility>;
  getFacility(facilityId: string): Promise<Facility | undefined>;
  /**
   * Stores validated events idempotently by id in one durable transaction (the first copy of an id wins);
   * resolves only once committed. `hubId` is recorded as the uploader and its last relay time is set
   * (also for an empty batch). The facility must exist.
   *
   * An event the database refuses as data is listed in `rejected` and the others are stored: one such
   * event must not hold back the batches after it for ever. Any other failure (connection lost, busy or
   * overloaded database, I/O error, deadlock or serialization failure after retries) rejects the call
   * with nothing acknowledged, so that the hub sends the batch again: such an event is not bad, and
   * refusing it would lose it.
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
   * latest upload wins), with the uploading hub and the time (also the hub's last relay time). The facility must exist, `snapshot` must
   * name it, and its time zone must be the facility's (ConflictError time_zone_mismatch otherwise).
   */
  putSnapshot(facilityId: string, hubId: string, snapshot: FacilitySnapshot): Promise<void>;
  /** The latest snapshot of the facility; undefined when no hub has sent one. */
  getSnapshot(facilityId: string): Promise<FacilitySnapshot | undefined>;
  /** Events of one facility, or of all facilities. */
  countEvents(facilityId?: string): Promise<number>;
  close(): Promise<void>;
}
