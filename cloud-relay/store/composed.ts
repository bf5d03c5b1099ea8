import type { Amendment } from '../../protocol/history.ts';
import type { AttendanceEvent } from '../../protocol/index.ts';
import type { FacilitySnapshot, SnapshotVersion } from '../../protocol/ledger.ts';
import type { CloudAggregates } from './aggregates.ts';
import type { FacilityNoticeStore } from './facility-notice-types.ts';
import type { ParentNoticeStore } from './parent-notice-types.ts';
import type { ParentStore } from './parent-types.ts';
import type { ParentPickupStore } from './pickup-types.ts';
import type { PushStore } from './push-types.ts';
import type {
  AmendmentCursor,
  BatchInsertResult,
  ReceiptCursor,
  ReceivedEventsPage,
  CloudDisposal,
  CloudStore,
  Facility,
  HubIdentity,
  OrgFacility,
  Organisation,
  RetentionPolicy,
  RollupInput,
} from './types.ts';
import type { WebhookStore } from './webhook-types.ts';

/**
 * A CloudStore that hands every call to the aggregate it belongs to: the one place where the store's
 * methods are mapped onto its parts, whatever the backend (SqliteCloudStore, PostgresCloudStore).
 */
export class ComposedCloudStore implements CloudStore {
  private readonly parts: CloudAggregates;
  readonly parents: ParentStore;
  readonly push: PushStore;
  readonly parentNotices: ParentNoticeStore;
  readonly pickups: ParentPickupStore;
  readonly facilityNotices: FacilityNoticeStore;
  readonly webhooks: WebhookStore;

  constructor(parts: CloudAggregates) {
    this.parts = parts;
    this.parents = parts.parents;
    this.push = parts.push;
    this.parentNotices = parts.parentNotices;
    this.pickups = parts.pickups;
    this.facilityNotices = parts.facilityNotices;
    this.webhooks = parts.webhooks;
  }

  addHub(hubId: string, facilityId: string, timeZone?: string): Promise<string> {
    return this.parts.hubs.addHub(hubId, facilityId, timeZone);
  }

  authenticateHub(token: string): Promise<HubIdentity | undefined> {
    return this.parts.hubs.authenticateHub(token);
  }

  rotateHub(hubId: string, graceMs: number): Promise<string> {
    return this.parts.hubs.rotateHub(hubId, graceMs);
  }

  revokeHub(hubId: string): Promise<void> {
    return this.parts.hubs.revokeHub(hubId);
  }

  addOrganisation(orgId: string, name: string): Promise<Organisation> {
    return this.parts.orgs.addOrganisation(orgId, name);
  }

  getOrganisation(orgId: string): Promise<Organisation | undefined> {
    return this.parts.orgs.getOrganisation(orgId);
  }

  addFacility(facilityId: string, orgId: string, timeZone?: string): Promise<Facility> {
    return this.parts.orgs.addFacility(facilityId, orgId, timeZone);
  }

  facilityOrg(facilityId: string): Promise<string | null | undefined> {
    return this.parts.orgs.facilityOrg(facilityId);
  }

  issueOrgToken(orgId: string): Promise<string> {
    return this.parts.orgs.issueOrgToken(orgId);
  }

  revokeOrgTokens(orgId: string): Promise<number> {
    return this.parts.orgs.revokeOrgTokens(orgId);
  }

  authenticateOrg(token: string): Promise<string | undefined> {
    return this.parts.orgs.authenticateOrg(token);
  }

  orgFacilities(orgId: string): Promise<OrgFacility[]> {
    return this.parts.orgs.orgFacilities(orgId);
  }

  orgRollupInputs(orgId: string, date: string): Promise<RollupInput[]> {
    return this.parts.rollup.orgRollupInputs(orgId, date);
  }

  ping(): Promise<void> {
    return this.parts.connection.ping();
  }

  waitingForConnection(): number {
    return this.parts.connection.waitingForConnection?.() ?? 0;
  }

  ensureFacility(facilityId: string, timeZone?: string): Promise<Facility> {
    return this.parts.facilities.ensureFacility(facilityId, timeZone);
  }

  getFacility(facilityId: string): Promise<Facility | undefined> {
    return this.parts.facilities.getFacility(facilityId);
  }

  insertBatch(
    facilityId: string,
    hubId: string,
    events: readonly AttendanceEvent[],
  ): Promise<BatchInsertResult> {
    return this.parts.events.insertBatch(facilityId, hubId, events);
  }

  eventsOn(facilityId: string, date: string): Promise<AttendanceEvent[]> {
    return this.parts.events.eventsOn(facilityId, date);
  }

  ledgerEvents(facilityId: string, from: string, to: string): Promise<AttendanceEvent[]> {
    return this.parts.events.ledgerEvents(facilityId, from, to);
  }

  eventsReceivedSince(
    facilityId: string,
    since: string,
    after: ReceiptCursor | null,
    limit: number,
  ): Promise<ReceivedEventsPage> {
    return this.parts.events.eventsReceivedSince(facilityId, since, after, limit);
  }

  versionsAfter(facilityId: string, after: number, limit: number): Promise<SnapshotVersion[]> {
    return this.parts.snapshots.versionsAfter(facilityId, after, limit);
  }

  amendmentsAfter(facilityId: string, after: AmendmentCursor | null, limit: number): Promise<Amendment[]> {
    return this.parts.amendments.amendmentsAfter(facilityId, after, limit);
  }

  putSnapshot(facilityId: string, hubId: string, snapshot: FacilitySnapshot): Promise<number> {
    return this.parts.snapshots.putSnapshot(facilityId, hubId, snapshot);
  }

  getSnapshot(facilityId: string, date: string): Promise<FacilitySnapshot | undefined> {
    return this.parts.snapshots.getSnapshot(facilityId, date);
  }

  putSnapshotVersion(facilityId: string, hubId: string, version: SnapshotVersion): Promise<boolean> {
    return this.parts.snapshots.putSnapshotVersion(facilityId, hubId, version);
  }

  ledgerVersions(facilityId: string, from: string, to: string): Promise<SnapshotVersion[]> {
    return this.parts.snapshots.ledgerVersions(facilityId, from, to);
  }

  putAmendment(facilityId: string, hubId: string, amendment: Amendment): Promise<boolean> {
    return this.parts.amendments.putAmendment(facilityId, hubId, amendment);
  }

  amendments(facilityId: string, from: string, to: string): Promise<Amendment[]> {
    return this.parts.amendments.amendments(facilityId, from, to);
  }

  retentionPolicies(): Promise<RetentionPolicy[]> {
    return this.parts.retention.retentionPolicies();
  }

  disposeBefore(
    facilityId: string,
    cutoff: string,
    retentionYears: number,
  ): Promise<CloudDisposal | undefined> {
    return this.parts.retention.disposeBefore(facilityId, cutoff, retentionYears);
  }

  disposals(facilityId: string): Promise<CloudDisposal[]> {
    return this.parts.retention.disposals(facilityId);
  }

  countEvents(facilityId?: string): Promise<number> {
    return this.parts.events.countEvents(facilityId);
  }

  close(): Promise<void> {
    return this.parts.connection.close();
  }
}
