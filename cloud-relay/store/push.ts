import { GenkanError, ValidationError } from '../../common/errors.ts';
import { describeIssues, ErrorCodes } from '../../protocol/index.ts';
import { PushSubscriptionRequestSchema } from '../../protocol/parent-push.ts';
import { checkId } from './inputs.ts';
import type { ParentIdentity } from './parent-types.ts';
import type { ParentPushSubscription, PushSubscriptionKeys, VapidKeyPair } from './push-types.ts';

/*
 * Checks and row mappings both backends of the push store (PushStore) share, so that they refuse the same
 * input with the same codes before touching storage and read rows back the same way.
 */

/** Checks the guardian, the subscription's keys and the cap (typed callers could still build bad ones). */
export function checkSubscription(
  who: ParentIdentity,
  keys: PushSubscriptionKeys,
  maxPerGuardian: number,
): void {
  checkId(who.facilityId, 'facilityId');
  checkId(who.guardianId, 'guardianId');
  const parsed = PushSubscriptionRequestSchema.safeParse({
    endpoint: keys.endpoint,
    keys: { p256dh: keys.p256dh, auth: keys.auth },
  });
  if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
  if (!Number.isSafeInteger(maxPerGuardian) || maxPerGuardian < 1) {
    throw new ValidationError(ErrorCodes.badRequest, 'maxPerGuardian must be a positive integer');
  }
}

/** A subscription as read with SUBSCRIPTION_COLUMNS, its times as UTC ISO 8601 text. */
export interface SubscriptionRow {
  facility_id: string;
  guardian_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  created_at: string;
  last_success_at: string | null;
  failures: number;
}

/** The columns of SubscriptionRow, of parent_push_subscriptions aliased `s`. */
export const SUBSCRIPTION_COLUMNS =
  's.facility_id, s.guardian_id, s.endpoint, s.p256dh, s.auth, s.created_at, s.last_success_at, s.failures';

export function subscriptionOf(row: SubscriptionRow): ParentPushSubscription {
  return {
    facilityId: row.facility_id,
    guardianId: row.guardian_id,
    endpoint: row.endpoint,
    p256dh: row.p256dh,
    auth: row.auth,
    createdAt: row.created_at,
    lastSuccessAt: row.last_success_at,
    failures: row.failures,
  };
}

/** The push_vapid row read back right after its insert-if-absent: it cannot be missing. */
export function vapidOf(
  row: { public_key: string; private_key: string; subject: string } | undefined,
): VapidKeyPair {
  if (row === undefined) throw new GenkanError(ErrorCodes.internal, 'push_vapid row missing');
  return { publicKey: row.public_key, privateKey: row.private_key, subject: row.subject };
}
