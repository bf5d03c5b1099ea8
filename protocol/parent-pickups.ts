import { z } from 'zod';
import { IdSchema, InstantSchema, NOTE_MAX } from './primitives.ts';

/**
 * Pickup plans (お迎え予定, issue 17): the admin keeps each child's authorised pickup people at the hub
 * (name, relation, optional photo; the photo never leaves the hub); the hub uploads the names to the cloud;
 * a parent sets today's pickup time and person from that list, or "someone else" with a name (flagged to
 * staff); the plan reaches the hub through the parent-message channel (type `pickup`), the tablet's child
 * row and the kiosk when the guardian taps. Browser-safe.
 */

const DateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');
const HhmmSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM');

/**
 * One authorised pickup person of a child. `kind` guardian: a guardian of the child on the roster (listed
 * by the hub without the admin adding them; id = the guardian id); person: one the admin added.
 */
export const PickupPersonSchema = z.strictObject({
  id: IdSchema,
  kind: z.enum(['guardian', 'person']),
  name: z.string().min(1).max(100),
  /** Relation to the child as the admin wrote it (祖母, 父, おじ…); empty for a guardian. */
  relation: z.string().max(40),
  /** A photo is kept at the hub (staff see it on the tablet); never sent to the cloud. */
  hasPhoto: z.boolean(),
});
export type PickupPerson = z.infer<typeof PickupPersonSchema>;

/**
 * PUT /v1/hub/pickup-people/CHILD (hub token): the child's authorised pickup people, as the parent app
 * offers them. Versioned per child like PUT /v1/hub/parents/G (a lower or equal version is ignored,
 * {stored:false}).
 */
export const PickupPeopleUploadSchema = z.strictObject({
  version: z.number().int().min(1),
  people: z.array(PickupPersonSchema).max(30),
});
export type PickupPeopleUpload = z.infer<typeof PickupPeopleUploadSchema>;

/** GET /parent/api/pickup-people: for each of the parent's own children, its authorised people. */
export const ParentPickupPeopleSchema = z.strictObject({
  children: z.array(z.strictObject({ childId: IdSchema, people: z.array(PickupPersonSchema) })),
});
export type ParentPickupPeople = z.infer<typeof ParentPickupPeopleSchema>;

/**
 * POST /parent/api/pickups (parent session): today's pickup for one or several own children. `id` is
 * chosen by the app (uuid; a resend is stored once). Exactly one of `personId` (from each child's list) and
 * `someoneElse` (a name, flagged to staff). Only for today in the facility's time zone (pickup_not_today);
 * a later plan for the same child and day replaces the earlier one.
 */
export const ParentPickupRequestSchema = z
  .strictObject({
    id: z.uuid(),
    childIds: z.array(IdSchema).min(1).max(20),
    date: DateSchema,
    time: HhmmSchema,
    personId: IdSchema.optional(),
    someoneElse: z
      .strictObject({ name: z.string().trim().min(1).max(100), relation: z.string().trim().max(40) })
      .optional(),
    note: z.string().max(NOTE_MAX).optional(),
  })
  .superRefine((p, ctx) => {
    if ((p.personId === undefined) === (p.someoneElse === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['personId'],
        message: 'name exactly one of personId and someoneElse',
      });
    }
  });
export type ParentPickupRequest = z.infer<typeof ParentPickupRequestSchema>;

/** A stored pickup plan: what the cloud answers, relays to the hub, and staff see. */
export const ParentPickupSchema = z.strictObject({
  id: z.uuid(),
  guardianId: IdSchema,
  childIds: z.array(IdSchema).min(1).max(20),
  date: DateSchema,
  time: HhmmSchema,
  person: z.strictObject({
    /** The list entry chosen, or null for someone else. */
    id: IdSchema.nullable(),
    kind: z.enum(['guardian', 'person', 'other']),
    name: z.string(),
    relation: z.string(),
  }),
  note: z.string().max(NOTE_MAX).optional(),
  sentAt: InstantSchema,
  status: z.enum(['sent', 'read']),
  readAt: InstantSchema.nullable(),
});
export type ParentPickup = z.infer<typeof ParentPickupSchema>;

/** The tablet's view of a child's pickup plan for today (TabletChild.pickupPlan). */
export const TabletPickupPlanSchema = z.strictObject({
  id: z.uuid(),
  time: HhmmSchema,
  personId: IdSchema.nullable(),
  personName: z.string(),
  relation: z.string(),
  /** Not on the child's authorised list: staff check who this is. */
  someoneElse: z.boolean(),
  hasPhoto: z.boolean(),
  note: z.string().optional(),
  guardianName: z.string(),
  /** read once a staff member confirmed (確認) it: the parent's card shows 確認済. */
  status: z.enum(['sent', 'read']),
  /** Once read: when (with the facility's offset) and by whom (the staff member's name). */
  readAt: InstantSchema.optional(),
  readBy: z.string().optional(),
});
export type TabletPickupPlan = z.infer<typeof TabletPickupPlanSchema>;

/**
 * Retained MQTT message on topics.pickups(facility) for kiosks: today's plans, so that the kiosk shows
 * the plan when a guardian taps (it works offline with the last one it got). Names only, no photos.
 */
export const KioskPickupsSchema = z.strictObject({
  date: DateSchema,
  plans: z
    .array(
      z.strictObject({
        childId: IdSchema,
        time: HhmmSchema,
        personName: z.string(),
        relation: z.string(),
        someoneElse: z.boolean(),
      }),
    )
    .max(2000),
});
export type KioskPickups = z.infer<typeof KioskPickupsSchema>;

/** data-testid hooks (public). */
export const PICKUP_TEST_IDS = {
  /** Parent app: the form and its fields. */
  open: 'pickup-open',
  time: 'pickup-time',
  person: 'pickup-person',
  otherName: 'pickup-other-name',
  otherRelation: 'pickup-other-relation',
  submit: 'pickup-submit',
  /** Parent app home: the child's plan of today. */
  childPlan: 'child-pickup',
  /** Tablet: the plan on the child's row (data-someone-else="true" when flagged, data-status sent|read). */
  tabletPlan: 'pickup-plan',
  /** Tablet: 確認 of the plan (POST /api/tablet/pickups/:id/read), shown while it is unconfirmed. */
  tabletConfirm: 'pickup-confirm',
  /** Kiosk: the plan shown after a tap. */
  kioskPlan: 'kiosk-pickup-plan',
  /** Admin app: the child's pickup people dialog. */
  adminOpen: 'pickup-people-open',
  adminDialog: 'pickup-people-dialog',
  adminName: 'pickup-person-name',
  adminRelation: 'pickup-person-relation',
  adminPhoto: 'pickup-person-photo',
  adminAdd: 'pickup-person-add',
  adminRow: 'pickup-person-row',
  adminRemove: 'pickup-person-remove',
} as const;
