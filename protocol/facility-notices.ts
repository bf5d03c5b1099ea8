import { z } from 'zod';
import { IdSchema, InstantSchema } from './primitives.ts';

/**
 * The facility's notices to parents (園からのお知らせ, issue 17): the admin writes one to all parents or to
 * some classes at the hub; the hub uploads it with its recipients (guardians of the children in those
 * classes) to the cloud; parents read it in the parent app and confirm reading (確認しました); the reads
 * come back to the hub through the parent-message channel (type `facility_notice_read`) and the admin sees
 * who has not read it. Browser-safe.
 */

export const FACILITY_NOTICE_TITLE_MAX = 100;
export const FACILITY_NOTICE_BODY_MAX = 4000;

/** POST /api/admin/facility-notices (director/admin session): a new notice, published at once. */
export const FacilityNoticeRequestSchema = z.strictObject({
  title: z.string().trim().min(1).max(FACILITY_NOTICE_TITLE_MAX),
  body: z.string().trim().min(1).max(FACILITY_NOTICE_BODY_MAX),
  /** The classes whose children's guardians receive it; empty or absent: every guardian. */
  classIds: z.array(IdSchema).max(100).optional(),
});
export type FacilityNoticeRequest = z.infer<typeof FacilityNoticeRequestSchema>;

export const FacilityNoticeSchema = z.strictObject({
  id: z.uuid(),
  title: z.string(),
  body: z.string(),
  /** null: every guardian. */
  classIds: z.array(IdSchema).nullable(),
  publishedAt: InstantSchema,
  /** Withdrawn notices are no longer shown to parents (kept at the hub for the record). */
  withdrawn: z.boolean(),
});
export type FacilityNotice = z.infer<typeof FacilityNoticeSchema>;

/**
 * PUT /v1/hub/facility-notices/ID (hub token): the notice and the guardians it is for (the hub resolves
 * the classes; the cloud needs no class map). Versioned per notice; a lower or equal version is ignored
 * ({stored:false}). The first store of a notice that is not withdrawn sends a Web Push to its recipients.
 */
export const FacilityNoticeUploadSchema = z.strictObject({
  version: z.number().int().min(1),
  notice: FacilityNoticeSchema,
  guardianIds: z.array(IdSchema).max(5000),
});
export type FacilityNoticeUpload = z.infer<typeof FacilityNoticeUploadSchema>;

/** GET /parent/api/facility-notices: the notices for this guardian, newest first (not withdrawn). */
export const ParentFacilityNoticesSchema = z.strictObject({
  notices: z.array(
    z.strictObject({
      id: z.uuid(),
      title: z.string(),
      body: z.string(),
      publishedAt: InstantSchema,
      /** When this guardian confirmed reading it, or null. */
      readAt: InstantSchema.nullable(),
    }),
  ),
});
export type ParentFacilityNotices = z.infer<typeof ParentFacilityNoticesSchema>;

/** A guardian's read of a facility notice, as the hub fetches it (parent message `facility_notice_read`). */
export const FacilityNoticeReadSchema = z.strictObject({
  noticeId: z.uuid(),
  guardianId: IdSchema,
  readAt: InstantSchema,
});
export type FacilityNoticeRead = z.infer<typeof FacilityNoticeReadSchema>;

/** GET /api/admin/facility-notices: each notice with its recipients' reading, newest first. */
export const AdminFacilityNoticesSchema = z.strictObject({
  notices: z.array(
    z.strictObject({
      notice: FacilityNoticeSchema,
      /** Recipients as uploaded; read: confirmed in the app (time), unread: not yet. */
      recipients: z.number().int().min(0),
      read: z.array(z.strictObject({ guardianId: IdSchema, name: z.string(), readAt: InstantSchema })),
      unread: z.array(
        z.strictObject({ guardianId: IdSchema, name: z.string(), children: z.array(z.string()) }),
      ),
      /** Relayed to the cloud (parents can see it). */
      relayed: z.boolean(),
    }),
  ),
});
export type AdminFacilityNotices = z.infer<typeof AdminFacilityNoticesSchema>;

/** data-testid hooks (public). */
export const FACILITY_NOTICE_TEST_IDS = {
  /** Parent app: each notice (data-notice-id, data-read="true|false") and its read button. */
  parentNotice: 'facility-notice',
  parentRead: 'facility-notice-read',
  /** Admin app: the form, the list rows (data-notice-id, data-read-count, data-unread-count), unread names. */
  adminForm: 'facility-notice-form',
  adminTitle: 'facility-notice-title',
  adminBody: 'facility-notice-body',
  adminClasses: 'facility-notice-classes',
  adminPublish: 'facility-notice-publish',
  adminRow: 'facility-notice-row',
  adminUnread: 'facility-notice-unread',
  adminWithdraw: 'facility-notice-withdraw',
} as const;
