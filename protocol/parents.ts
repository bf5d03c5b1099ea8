import { z } from 'zod';
import { ParentNoticeSchema } from './parent-notices.ts';
import { ParentPickupSchema } from './parent-pickups.ts';
import { IdSchema, InstantSchema, ROLLCALL_STATUSES } from './primitives.ts';

/**
 * The parents' app (issue 17): served by the cloud at /parent/, because parents are on the internet and
 * not on the nursery's LAN. The hub never accepts a connection from the cloud: it sends the cloud what the
 * app needs (PUT /v1/hub/parents/GUARDIAN, below) and fetches what parents send. Browser-safe: the parent
 * app imports it.
 */

/** The hub's invitation of a guardian: the link carries a token, the cloud keeps only its SHA-256. */
export const ParentInvitationSchema = z.strictObject({
  /** Hex SHA-256 of the token in the link. */
  tokenHash: z.string().regex(/^[0-9a-f]{64}$/),
  expires: InstantSchema,
});
export type ParentInvitation = z.infer<typeof ParentInvitationSchema>;

/**
 * PUT /v1/hub/parents/GUARDIAN (hub token): what the cloud keeps of a guardian the facility invited —
 * the name, the children (ids; their names and classes come from the snapshot versions), the open
 * invitation, and whether access is revoked. Idempotent; a higher `version` replaces a lower one, a
 * lower or equal one is ignored (answered 200 {stored:false}). A new invitation replaces the old one
 * (whose link stops working); `revoked: true` deletes the guardian's passkeys and sessions at once.
 */
export const ParentGuardianUploadSchema = z.strictObject({
  version: z.number().int().min(1),
  name: z.string().min(1).max(200),
  childIds: z.array(IdSchema).max(20),
  invitation: ParentInvitationSchema.nullable(),
  revoked: z.boolean(),
});
export type ParentGuardianUpload = z.infer<typeof ParentGuardianUploadSchema>;

/**
 * 200 of PUT /v1/hub/parents/GUARDIAN. When the cloud did not take the version (`stored: false`: it holds
 * the same or a later one), `revoked` says whether the version it holds ends the guardian's access. A
 * hub restored from an older backup sends versions the cloud already has; it must adopt a revocation made
 * after its backup rather than undo it with its next version (edge-hub/parents/revoke.ts).
 */
export const ParentGuardianStoredSchema = z.object({
  stored: z.boolean(),
  revoked: z.boolean().optional(),
});
export type ParentGuardianStored = z.infer<typeof ParentGuardianStoredSchema>;

/** `genkan guardian invite GUARDIAN --data DIR` prints this (one JSON line). */
export const ParentInviteResultSchema = z.strictObject({
  guardianId: IdSchema,
  /** The link to give the parent: the cloud's /parent/ page with the token in the fragment. */
  url: z.url(),
  expires: InstantSchema,
});
export type ParentInviteResult = z.infer<typeof ParentInviteResultSchema>;

/** One of the parent's children today, as GET /parent/api/me answers. */
export const ParentChildSchema = z.strictObject({
  childId: IdSchema,
  name: z.string(),
  className: z.string(),
  status: z.enum(ROLLCALL_STATUSES),
  /** Today's first check-in and last check-out (ISO 8601 with the facility's offset), or null. */
  checkInAt: InstantSchema.nullable(),
  checkOutAt: InstantSchema.nullable(),
  /**
   * The parent's notices for this child that cover today or a later day, newest first. The card's
   * `data-notice-status` is the first one's status (sent|read).
   */
  notices: z.array(ParentNoticeSchema),
  /** Today's pickup plan for this child (the latest sent), or null. */
  pickup: ParentPickupSchema.nullable(),
});
export type ParentChild = z.infer<typeof ParentChildSchema>;

/** GET /parent/api/me: the signed-in parent, only their own children. */
export const ParentMeSchema = z.strictObject({
  facilityName: z.string(),
  /** The facility's business day (YYYY-MM-DD) the statuses are of. */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  guardian: z.strictObject({ guardianId: IdSchema, name: z.string() }),
  children: z.array(ParentChildSchema),
});
export type ParentMe = z.infer<typeof ParentMeSchema>;

/** data-testid hooks of the parent app (public: outside tests use them). */
export const PARENT_TEST_IDS = {
  passkeyRegister: 'passkey-register',
  passkeySignIn: 'passkey-signin',
  signOut: 'parent-signout',
  child: 'parent-child',
  signedOut: 'parent-signed-out',
  error: 'parent-error',
} as const;
