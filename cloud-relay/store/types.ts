import type { Amendment } from '../../protocol/history.ts';
import type { AttendanceEvent, Rejection } from '../../protocol/index.ts';
import type { FacilitySnapshot, SnapshotVersion } from '../../protocol/ledger.ts';
import type { FacilityNoticeStore } from './facility-notice-types.ts';
import type { ParentNoticeStore } from './parent-notice-types.ts';
import type { ParentStore } from './parent-types.ts';
import type { ParentPickupStore } from './pickup-types.ts';
import type { PushStore } from './push-types.ts';
import type { WebhookStore } from './webhook-types.ts';

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
  /** The facility name of its snapshot in effect today (its time zone); null before a hub sent one. */
  name: string | null;
  timeZone: string;
  hubs: OrgHub[];
  /** Latest lastRelayAt of its hubs; null when none relayed. */
  lastRelayAt: string | null;
}

/** A facility's retention setting as the retention job reads it. */
export interface RetentionPolicy {
  facilityId: string;
  timeZone: string;
  retentionYears: number;
}

/** How many rows of each kind a disposal deleted. */
export interface CloudDisposalCounts {
  events: number;
  snapshots: number;
  amendments: number;
}

/** A disposal record (table disposals): counts only, no personal data. */
export interface CloudDisposal {
  facilityId: string;
  /** When (UTC ISO 8601). */
  at: string;
  /** The first day kept: the records of the days before it went. */
  cutoff: string;
  retentionYears: number;
  counts: CloudDisposalCounts;
}

/** What the daily rollup of one facility is computed from. */
export interface RollupInput {
  facilityId: string;
  /** The snapshot in effect on the date (children not yet filtered by enrolment); undefined for none. */
  snapshot: FacilitySnapshot | undefined;
  /** The facility's events of the date plus later voids naming one of them (as ledgerEvents). */
  events: AttendanceEvent[];
  lastRelayAt: string | null;
}

/** A position in a facility's events by receipt at the cloud (GET /v1/hub/events). */
export interface ReceiptCursor {
  /** UTC ISO 8601 with milliseconds, as stored. */
  receivedAt: string;
  id: string;
}

/** One page of a facility's events by receipt; `next` is null on the last page. */
export interface ReceivedEventsPage {
  events: AttendanceEvent[];
  next: ReceiptCursor | null;
}

/** A position in a facility's amendments, ordered by (at, correctionId) as text. */
export interface AmendmentCursor {
  at: string;
  correctionId: string;
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
 * Storage of the cloud relay: facilities, hub credentials, the event log of every facility and its dated
 * history (snapshot versions, amendments). Backend-neutral (SQLite and PostgreSQL; both pass
 * test/contract/cloud-store.ts), so: async throughout, and
 * each call is one round trip / one transaction. Event ids are unique per facility: the same id from two
 * facilities is two events, so that one facility can never make another's event look stored.
 *
 * Errors are GenkanError subclasses with codes from CloudErrorCodes (cloud-relay/errors.ts):
 * ValidationError for malformed ids, zones or dates, ConflictError for a hub or time zone that contradicts
 * what is stored, NotFoundError for an unknown facility on insert.
 */
export interface CloudStore {
  /** The parent app's guardians, passkeys, sessions and challenges. */
  readonly parents: ParentStore;
  /** The parent app's Web Push subscriptions and the VAPID keys. */
  readonly push: PushStore;
  /** Parents' notices, the message sequence the hub fetches, cut-offs and the parent audit. */
  readonly parentNotices: ParentNoticeStore;
  /** Children's pickup people and parents' pickup plans (parent messages of type pickup). */
  readonly pickups: ParentPickupStore;
  /** The facility's notices to parents and the guardians' reads (parent messages too). */
  readonly facilityNotices: FacilityNoticeStore;
  /** The facilities' outgoing webhooks (docs/webhooks.md). */
  readonly webhooks: WebhookStore;
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
   * Deprecated upload of old hubs (PUT /v1/snapshot): the roster and care rules "from now on for all
   * days", stored as a legacy version effective 0001-01-01 numbered (highest stored version) + 1, so that
   * it governs every day. The same snapshot as the highest stored legacy version is a no-op. Records the
   * uploading hub and the time (also the hub's last relay time). The facility must exist, `snapshot` must
   * name it, and its time zone must be the facility's (ConflictError time_zone_mismatch otherwise).
   * Returns the version that holds it.
   */
  putSnapshot(facilityId: string, hubId: string, snapshot: FacilitySnapshot): Promise<number>;
  /**
   * The snapshot in effect on `date` (YYYY-MM-DD): that of the highest version whose effectiveFrom is on
   * or before it (common/ledger/timeline.ts inEffect); undefined when none is.
   */
  getSnapshot(facilityId: string, date: string): Promise<FacilitySnapshot | undefined>;
  /**
   * Stores one version of the facility's snapshot as a hub issued it (PUT /v1/snapshots/V), idempotent by
   * (facility, version): true when stored now, false when the same content was stored before. Other
   * content under a stored version is refused (ConflictError snapshot_version_conflict): versions never
   * change. The first version a hub sends replaces every legacy version (putSnapshot, and the snapshot
   * migrated from before versions): the hub's own history is the authority from then on. Checks as
   * putSnapshot, and effectiveFrom must be a calendar date (invalid_date). Touches the hub's relay time.
   */
  putSnapshotVersion(facilityId: string, hubId: string, version: SnapshotVersion): Promise<boolean>;
  /**
   * The versions the ledgers of [from, to] need: those in effect on some day of it (timeline.ts
   * versionsFor), by version; [] for an unknown facility or one without versions. A range that ends
   * before it starts is refused (invalid_date).
   */
  ledgerVersions(facilityId: string, from: string, to: string): Promise<SnapshotVersion[]>;
  /**
   * Stores an amendment (a correction of a day in a closed month; PUT /v1/amendments/ID), idempotent by
   * (facility, correctionId): true when stored now, false when the same content was stored before; other
   * content is refused (ConflictError amendment_conflict). A malformed one is invalid_amendment. The
   * facility must exist; touches the hub's relay time.
   */
  putAmendment(facilityId: string, hubId: string, amendment: Amendment): Promise<boolean>;
  /**
   * The amendments of days in [from, to], oldest first by `at` then correctionId (compared as text, as the
   * hub orders them), as the ledgers list them.
   */
  amendments(facilityId: string, from: string, to: string): Promise<Amendment[]>;
  /**
   * Every facility with its zone and the retentionYears of its highest snapshot version (the latest
   * setting; 5 when it has none), by id: what the retention job (cloud-relay/retention.ts) needs.
   */
  retentionPolicies(): Promise<RetentionPolicy[]>;
  /**
   * Deletes in one transaction the facility's records of the days before `cutoff`: events (a void that
   * cancels a kept event stays), snapshot versions no day from the cutoff on needs (timeline.ts
   * versionsFor), amendments of those days; and records the disposal (table disposals). Deletes and
   * records nothing, and resolves undefined, when nothing was due. invalid_date for a bad cutoff,
   * bad_retention for years outside 1–100.
   */
  disposeBefore(
    facilityId: string,
    cutoff: string,
    retentionYears: number,
  ): Promise<CloudDisposal | undefined>;
  /** The facility's disposal records, newest first ([] for an unknown facility). */
  disposals(facilityId: string): Promise<CloudDisposal[]>;
  /**
   * The facility's snapshot versions (legacy ones included) numbered above `after`, by version, at most
   * `limit`: what a restored hub fetches back (GET /v1/hub/snapshots). [] for an unknown facility.
   */
  versionsAfter(facilityId: string, after: number, limit: number): Promise<SnapshotVersion[]>;
  /**
   * The facility's amendments after `after` (null: from the first) in the order (at, correctionId) as
   * text, at most `limit` (GET /v1/hub/amendments). [] for an unknown facility.
   */
  amendmentsAfter(facilityId: string, after: AmendmentCursor | null, limit: number): Promise<Amendment[]>;
  /**
   * The facility's events received at or after `since` (an instant), ordered by receipt time then id,
   * after `after` (null: from the first), at most `limit` (GET /v1/hub/events). `next` names the last
   * event of a full page (null otherwise). invalid_date for a `since` that is no instant.
   */
  eventsReceivedSince(
    facilityId: string,
    since: string,
    after: ReceiptCursor | null,
    limit: number,
  ): Promise<ReceivedEventsPage>;
  /** Events of one facility, or of all facilities. */
  countEvents(facilityId?: string): Promise<number>;
  close(): Promise<void>;
}
