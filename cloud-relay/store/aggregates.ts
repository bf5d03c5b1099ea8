import type { FacilityNoticeStore } from './facility-notice-types.ts';
import type { ParentNoticeStore } from './parent-notice-types.ts';
import type { ParentStore } from './parent-types.ts';
import type { ParentPickupStore } from './pickup-types.ts';
import type { PushStore } from './push-types.ts';
import type { CloudStore } from './types.ts';
import type { WebhookStore } from './webhook-types.ts';

/*
 * The parts a CloudStore is composed of, one per aggregate: each backend (sqlite/, postgres/) implements
 * every part over its own connection, and ComposedCloudStore (composed.ts) delegates to them. The methods
 * and their contracts are CloudStore's own, so they are documented there once.
 */

/** Hubs: registration under a facility, tokens, rotation and revocation. */
export type CloudHubs = Pick<CloudStore, 'addHub' | 'authenticateHub' | 'rotateHub' | 'revokeHub'>;

/** Organisations: their facilities and admin tokens. */
export type CloudOrgs = Pick<
  CloudStore,
  | 'addOrganisation'
  | 'getOrganisation'
  | 'addFacility'
  | 'facilityOrg'
  | 'issueOrgToken'
  | 'revokeOrgTokens'
  | 'authenticateOrg'
  | 'orgFacilities'
>;

/** Facilities and their time zones. */
export type CloudFacilities = Pick<CloudStore, 'ensureFacility' | 'getFacility'>;

/** What the daily rollup of an organisation reads. */
export type CloudRollupInputs = Pick<CloudStore, 'orgRollupInputs'>;

/** The event log of every facility. */
export type CloudEvents = Pick<
  CloudStore,
  'insertBatch' | 'eventsOn' | 'ledgerEvents' | 'eventsReceivedSince' | 'countEvents'
>;

/** The snapshot versions of each facility (the roster and rules from a date on). */
export type CloudSnapshots = Pick<
  CloudStore,
  'putSnapshot' | 'getSnapshot' | 'putSnapshotVersion' | 'ledgerVersions' | 'versionsAfter'
>;

/** The amendments of each facility (corrections of days in closed months). */
export type CloudAmendments = Pick<CloudStore, 'putAmendment' | 'amendments' | 'amendmentsAfter'>;

/** Retention: what is past it, deleted per facility, and the disposal records. */
export type CloudRetention = Pick<CloudStore, 'retentionPolicies' | 'disposeBefore' | 'disposals'>;

/** The backend's connection itself; without waitingForConnection, no caller ever waits for one. */
export type CloudConnection = Pick<CloudStore, 'ping' | 'close'> &
  Partial<Pick<CloudStore, 'waitingForConnection'>>;

/** Everything a ComposedCloudStore delegates to. */
export interface CloudAggregates {
  connection: CloudConnection;
  hubs: CloudHubs;
  orgs: CloudOrgs;
  facilities: CloudFacilities;
  rollup: CloudRollupInputs;
  events: CloudEvents;
  snapshots: CloudSnapshots;
  amendments: CloudAmendments;
  retention: CloudRetention;
  parents: ParentStore;
  push: PushStore;
  parentNotices: ParentNoticeStore;
  pickups: ParentPickupStore;
  facilityNotices: FacilityNoticeStore;
  webhooks: WebhookStore;
}
