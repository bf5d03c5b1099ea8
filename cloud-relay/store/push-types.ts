import type { ParentIdentity } from './parent-types.ts';

/** A browser's Web Push subscription as it sends it (PushSubscription.toJSON()): keys in base64url. */
export interface PushSubscriptionKeys {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** A guardian's stored Web Push subscription. */
export interface ParentPushSubscription extends ParentIdentity, PushSubscriptionKeys {
  /** When it was (last) subscribed, UTC ISO 8601. */
  createdAt: string;
  /** The last send the push service accepted, UTC ISO 8601; null before one. */
  lastSuccessAt: string | null;
  /** Failed sends since the last success. */
  failures: number;
}

/** The cloud's VAPID key pair (base64url, as web-push makes them) and its contact (mailto: or https:). */
export interface VapidKeyPair {
  publicKey: string;
  privateKey: string;
  subject: string;
}

/**
 * The parent app's Web Push subscriptions (issue 17) and the cloud's VAPID keys. An endpoint is unique per
 * facility; a revoked guardian's subscriptions go with its passkeys (ParentStore.putGuardian). Every call
 * is one transaction; both backends pass test/contract/cloud-store-push.ts.
 */
export interface PushStore {
  /**
   * Stores the guardian's subscription (the same endpoint again, even another guardian's of the facility,
   * is replaced: one browser, one subscriber) and keeps the guardian's newest `maxPerGuardian`, deleting
   * the oldest. False, storing nothing, when the guardian is unknown or revoked.
   */
  subscribe(
    who: ParentIdentity,
    keys: PushSubscriptionKeys,
    now: Date,
    maxPerGuardian: number,
  ): Promise<boolean>;
  /** Deletes the guardian's subscription of `endpoint`; false when the guardian had none. */
  unsubscribe(who: ParentIdentity, endpoint: string): Promise<boolean>;
  /** The guardian's subscriptions, oldest first. */
  subscriptionsOf(who: ParentIdentity): Promise<ParentPushSubscription[]>;
  /** The subscriptions of the facility's guardians (not revoked) whose children include `childId`. */
  subscriptionsForChild(facilityId: string, childId: string): Promise<ParentPushSubscription[]>;
  /** The push service took a message for the endpoint: failures back to 0. */
  pushDelivered(facilityId: string, endpoint: string, now: Date): Promise<void>;
  /** A send to the endpoint failed (not gone): one more failure. */
  pushFailed(facilityId: string, endpoint: string): Promise<void>;
  /** The push service says the subscription is gone (404/410): deletes it; false when it already was. */
  removeEndpoint(facilityId: string, endpoint: string): Promise<boolean>;
  /**
   * The cloud's VAPID keys: `candidate` is stored when none are yet (insert if absent), and the stored
   * keys are returned either way, so that every cloud process ends up with the same pair.
   */
  vapidKeys(candidate: VapidKeyPair, now: Date): Promise<VapidKeyPair>;
}
