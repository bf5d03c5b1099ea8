import type {
  ParentPickup,
  ParentPickupRequest,
  PickupPeopleUpload,
  PickupPerson,
} from '../../protocol/parent-pickups.ts';

/** What the cloud stores of a new pickup plan (POST /parent/api/pickups), its rules already checked. */
export interface NewParentPickup {
  guardianId: string;
  request: ParentPickupRequest;
  /** The person as resolved from the children's lists (or `other` with someoneElse's name). */
  person: ParentPickup['person'];
  /** When the cloud accepted it. */
  sentAt: Date;
}

/** One child's authorised pickup people as its hub last uploaded them. */
export interface ChildPickupPeople {
  childId: string;
  people: PickupPerson[];
}

/**
 * Pickup plans (issue 17, slice 3) at the cloud: the children's authorised pickup people the hub uploads
 * (names only), and the parents' plans, numbered from the facility's parent-message counter (the one of
 * ParentNoticeStore.insertNotice) so that the hub fetches them in one order with the notices. Every call is
 * one transaction; both backends pass test/contract/cloud-store-parent-pickups.ts.
 */
export interface ParentPickupStore {
  /**
   * Stores a child's list when `version` is higher than the stored one: true when stored. The facility must
   * exist (NotFoundError unknown_facility).
   */
  putPickupPeople(
    facilityId: string,
    hubId: string,
    childId: string,
    upload: PickupPeopleUpload,
  ): Promise<boolean>;
  /** The lists of those of `childIds` that have one, in the order asked. */
  pickupPeople(facilityId: string, childIds: readonly string[]): Promise<ChildPickupPeople[]>;
  /**
   * Stores a plan under the next seq of its facility (shared with the notices), idempotent by
   * (facility, id): a resend of the same content answers the stored plan (created false, no new seq); the
   * id with other content is refused (ConflictError parent_pickup_conflict). NotFoundError
   * unknown_facility for an unknown facility.
   */
  insertPickup(
    facilityId: string,
    pickup: NewParentPickup,
  ): Promise<{ pickup: ParentPickup; created: boolean }>;
  getPickup(facilityId: string, id: string): Promise<ParentPickup | undefined>;
  /** The facility's plans for `date` (YYYY-MM-DD), oldest first (by seq): the last naming a child wins. */
  pickupsOn(facilityId: string, date: string): Promise<ParentPickup[]>;
}
