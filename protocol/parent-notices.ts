import { z } from 'zod';
import { FacilityNoticeReadSchema } from './facility-notices.ts';
import { ParentPickupSchema } from './parent-pickups.ts';
import { HUB_TIME_WINDOW } from './plausibility.ts';
import { ABSENCE_REASONS, IdSchema, InstantSchema, NOTE_MAX } from './primitives.ts';

/**
 * Parents' notices (issue 17): absence (欠席連絡) and lateness (遅刻連絡) sent from the parent app to the
 * cloud, fetched by the hub (it never accepts a connection), shown to staff, and confirmed (確認) back to
 * the parent. Browser-safe: the parent app and the tablet app import it.
 */

export { ABSENCE_REASONS, type AbsenceReason } from './primitives.ts';

export const NOTICE_KINDS = ['absence', 'late'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** Symptoms a parent can tick for 病欠 (sick). */
export const SYMPTOMS = ['fever', 'cough', 'runny_nose', 'vomiting', 'diarrhea', 'rash', 'other'] as const;
export type Symptom = (typeof SYMPTOMS)[number];

/** Most days one notice covers (`date` to `until`, both included), as the tablet's absence range. */
export const NOTICE_MAX_DAYS = 31;

/**
 * How many days after today a notice may reach (`until`): as far ahead as the hub files an absence
 * (protocol/plausibility.ts), so that every day of a notice the cloud takes becomes an absence at the hub.
 */
export const NOTICE_MAX_DAYS_AHEAD = Math.floor(HUB_TIME_WINDOW.absenceAheadMs / 86_400_000);

const DateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');
const HhmmSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM');

/**
 * POST /parent/api/notices (the parent's session): an absence or lateness for one or several of the
 * parent's own children. `id` is chosen by the app (uuid) so that a resent request is stored once.
 * Rules the cloud applies (coded errors otherwise): every child is the parent's own; `date` is today or
 * later in the facility's time zone, and when the notice covers today it is sent before the class's
 * cut-off (notice_after_cutoff); at most NOTICE_MAX_DAYS days, ending at most NOTICE_MAX_DAYS_AHEAD days
 * after today (notice_too_far); lateness is for one day and names
 * `arriveAt`; symptoms and temperature only with reason `sick`.
 */
export const ParentNoticeRequestSchema = z
  .strictObject({
    id: z.uuid(),
    kind: z.enum(NOTICE_KINDS),
    childIds: z.array(IdSchema).min(1).max(20),
    date: DateSchema,
    /** Last day, included; absent for one day. */
    until: DateSchema.optional(),
    reason: z.enum(ABSENCE_REASONS),
    symptoms: z.array(z.enum(SYMPTOMS)).max(SYMPTOMS.length).optional(),
    /** Body temperature in ℃, one decimal (e.g. 38.2). */
    temperature: z.number().min(34).max(43).multipleOf(0.1).optional(),
    note: z.string().max(NOTE_MAX).optional(),
    /** Lateness: the local time the child will arrive. */
    arriveAt: HhmmSchema.optional(),
  })
  .superRefine((n, ctx) => {
    if (n.kind === 'late' && n.arriveAt === undefined) {
      ctx.addIssue({ code: 'custom', path: ['arriveAt'], message: 'a lateness notice names arriveAt' });
    }
    if (n.kind === 'absence' && n.arriveAt !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['arriveAt'], message: 'only a lateness notice names arriveAt' });
    }
    if (n.kind === 'late' && n.until !== undefined && n.until !== n.date) {
      ctx.addIssue({ code: 'custom', path: ['until'], message: 'a lateness notice is for one day' });
    }
    if (n.reason !== 'sick' && (n.symptoms !== undefined || n.temperature !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['reason'],
        message: 'symptoms and temperature go with reason sick',
      });
    }
  });
export type ParentNoticeRequest = z.infer<typeof ParentNoticeRequestSchema>;

export const NOTICE_STATUSES = ['sent', 'read'] as const;
export type NoticeStatus = (typeof NOTICE_STATUSES)[number];

/** A stored notice: what the cloud answers the parent, relays to the hub, and the tablet shows. */
export const ParentNoticeSchema = z.strictObject({
  id: z.uuid(),
  guardianId: IdSchema,
  kind: z.enum(NOTICE_KINDS),
  childIds: z.array(IdSchema).min(1).max(20),
  date: DateSchema,
  /** Last day, included (equal to date for one day). */
  until: DateSchema,
  reason: z.enum(ABSENCE_REASONS),
  symptoms: z.array(z.enum(SYMPTOMS)).optional(),
  temperature: z.number().optional(),
  note: z.string().max(NOTE_MAX).optional(),
  arriveAt: HhmmSchema.optional(),
  /** When the cloud accepted it (ISO 8601 with the facility's offset). */
  sentAt: InstantSchema,
  /** `read` once a staff member confirmed it (確認) and the hub relayed that. */
  status: z.enum(NOTICE_STATUSES),
  readAt: InstantSchema.nullable(),
});
export type ParentNotice = z.infer<typeof ParentNoticeSchema>;

/** POST /parent/api/notices answers the stored notice; GET /parent/api/notices the parent's recent ones. */
export const ParentNoticeListSchema = z.strictObject({ notices: z.array(ParentNoticeSchema) });
export type ParentNoticeList = z.infer<typeof ParentNoticeListSchema>;

/**
 * One message from parents for the hub, in the cloud's order (`seq`, increasing per facility). A union on
 * `type` so that later kinds (pickup plans, facility-notice reads) join without a new channel.
 */
export const ParentMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ seq: z.number().int().min(1), type: z.literal('notice'), notice: ParentNoticeSchema }),
  z.strictObject({ seq: z.number().int().min(1), type: z.literal('pickup'), pickup: ParentPickupSchema }),
  z.strictObject({
    seq: z.number().int().min(1),
    type: z.literal('facility_notice_read'),
    read: FacilityNoticeReadSchema,
  }),
]);
export type ParentMessage = z.infer<typeof ParentMessageSchema>;

/**
 * GET /v1/hub/parent-messages?after=SEQ&wait=SECONDS (hub token): the facility's messages with seq > after,
 * oldest first, at most 100. With none waiting, the cloud holds the request up to `wait` seconds (at most
 * 30) and answers as soon as one arrives (long-poll), or with an empty list. `cursor` is the seq to pass
 * as `after` next (the last message's, or `after` itself). The hub stores the messages and the cursor in
 * one transaction, so each message is taken exactly once, whatever fails in between.
 */
export const ParentMessagesPageSchema = z.strictObject({
  messages: z.array(ParentMessageSchema),
  cursor: z.number().int().min(0),
});
export type ParentMessagesPage = z.infer<typeof ParentMessagesPageSchema>;

/** Most messages one page holds, and the longest a long-poll waits. */
export const PARENT_MESSAGES_PAGE_MAX = 100;
export const PARENT_MESSAGES_WAIT_MAX_S = 30;

/**
 * POST /v1/hub/parent-notices/read (hub token): notices staff confirmed (確認), for the parent to see.
 * Idempotent: a notice already read keeps its first readAt. Unknown ids are ignored (counted as not
 * stored).
 */
export const ParentNoticeReadsSchema = z.strictObject({
  reads: z
    .array(z.strictObject({ id: z.uuid(), readAt: InstantSchema }))
    .min(1)
    .max(500),
});
export type ParentNoticeReads = z.infer<typeof ParentNoticeReadsSchema>;

/**
 * PUT /v1/hub/parent-settings (hub token): what the cloud needs to accept notices as the hub would —
 * the cut-off of each class and the default. A higher `version` replaces a lower one.
 */
export const ParentSettingsUploadSchema = z.strictObject({
  version: z.number().int().min(1),
  defaultCutoff: HhmmSchema,
  classCutoffs: z.record(IdSchema, HhmmSchema),
});
export type ParentSettingsUpload = z.infer<typeof ParentSettingsUploadSchema>;

/** A parent notice as the tablet shows it: the notice with the children's names and who confirmed it. */
export const TabletParentNoticeSchema = z.strictObject({
  notice: ParentNoticeSchema,
  guardianName: z.string(),
  children: z.array(z.strictObject({ id: IdSchema, name: z.string(), classId: IdSchema.nullable() })),
  /** The staff member who confirmed it (name), or null. */
  readBy: z.string().nullable(),
});
export type TabletParentNotice = z.infer<typeof TabletParentNoticeSchema>;

/** data-testid hooks of the notice form and lists (public: outside tests use them). */
export const NOTICE_TEST_IDS = {
  date: 'absence-date',
  until: 'absence-until',
  reason: 'absence-reason',
  note: 'absence-note',
  temperature: 'absence-temperature',
  submit: 'absence-submit',
  kind: 'notice-kind',
  arriveAt: 'notice-arrive-at',
  /** Tablet: the panel of parent notices, each notice, and its 確認 button. */
  tabletPanel: 'parent-notices',
  tabletNotice: 'parent-notice',
  tabletConfirm: 'notice-confirm',
} as const;
