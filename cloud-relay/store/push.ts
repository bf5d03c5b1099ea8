import { ValidationError } from '../../common/errors.ts';
import { describeIssues, ErrorCodes } from '../../protocol/index.ts';
import { PushSubscriptionRequestSchema } from '../../protocol/parent-push.ts';
import { checkId } from './inputs.ts';
import type { ParentIdentity, PushSubscriptionKeys } from './types.ts';

/*
 * Checks both backends of the push store (PushStore) share, so that they refuse the same input with the
 * same codes before touching storage.
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
