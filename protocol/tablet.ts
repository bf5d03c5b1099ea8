import { z } from 'zod';
import {
  ABSENCE_REASONS,
  IdSchema,
  InstantSchema,
  METHODS,
  NOTE_MAX,
  ROLLCALL_STATUSES,
} from './primitives.ts';
import { STAFF_ROLES } from './roles.ts';
import { TabletParentNoticeSchema } from './parent-notices.ts';
import { TabletPickupPlanSchema } from './parent-pickups.ts';
import { ClassStaffingSchema, FacilityStaffingSchema } from './staffing.ts';

/**
 * The staff tablet's HTTP and WebSocket contract (served by the hub under /tablet and /api). Two
 * credentials, both HttpOnly cookies set by the hub, never readable by page scripts:
 *  - the tablet DEVICE cookie (`genkan_device`): set once per tablet by POST /api/tablet/device with a
 *    one-time pairing code of a device of role `tablet` (`genkan device pair tab-1 --role tablet`);
 *  - the staff SESSION cookie (`genkan_session`): set by POST /api/session with a staff id and PIN, only
 *    on a set-up tablet; it expires (idle and absolute) and is bound to that tablet.
 * Every roll-call read, the push channel and every staff action need both. Staff actions are recorded as
 * events of the tablet device with the staff member as actor.
 */

export const DEVICE_COOKIE = 'genkan_device';
export const SESSION_COOKIE = 'genkan_session';

export { STAFF_ROLES, type StaffRole } from './roles.ts';

/** 4–12 digits: typed on a tablet's number pad. */
export const PinSchema = z.string().regex(/^[0-9]{4,12}$/, 'must be 4–12 digits');

/** POST /api/tablet/device: set this browser up as tablet `deviceId` (answer 204 + device cookie). */
export const TabletDeviceRequestSchema = z.strictObject({
  deviceId: IdSchema,
  code: z.string().regex(/^[A-Za-z0-9_-]{22,64}$/),
});
export type TabletDeviceRequest = z.infer<typeof TabletDeviceRequestSchema>;

/** POST /api/session: a staff member signs in on a set-up tablet (answer: SessionInfo + session cookie). */
export const SignInRequestSchema = z.strictObject({ staffId: IdSchema, pin: PinSchema });
export type SignInRequest = z.infer<typeof SignInRequestSchema>;

/** GET /api/session (and the answer to a sign-in): who is signed in, on which tablet, until when. */
export const SessionInfoSchema = z.strictObject({
  staff: z.strictObject({ id: IdSchema, name: z.string(), role: z.enum(STAFF_ROLES) }),
  deviceId: IdSchema,
  /** The session ends at this instant at the latest; every request before then extends the idle timer. */
  expiresAt: InstantSchema,
});
export type SessionInfo = z.infer<typeof SessionInfoSchema>;

export { ABSENCE_REASONS, type AbsenceReason } from './primitives.ts';

/** Most days one absence action covers (`date` to `until`, both included). */
export const ABSENCE_RANGE_MAX_DAYS = 31;

/** One correction shown on a child's row: a void, an absence, a manual check-in or -out by staff. */
export const CorrectionSchema = z.strictObject({
  at: InstantSchema,
  /** Staff member's name (or id if no longer on the staff list). */
  by: z.string(),
  kind: z.enum(['manual_check_in', 'manual_check_out', 'absent', 'void']),
  /** The reason or note staff gave. */
  note: z.string().max(NOTE_MAX).optional(),
});
export type Correction = z.infer<typeof CorrectionSchema>;

export const TabletChildSchema = z.strictObject({
  id: IdSchema,
  name: z.string(),
  kana: z.string(),
  status: z.enum(ROLLCALL_STATUSES),
  checkInAt: InstantSchema.nullable(),
  checkOutAt: InstantSchema.nullable(),
  /** How the latest check-in or check-out was recorded. */
  method: z.enum(METHODS).nullable(),
  /** Who brought the child (the guardian of the check-in tap, or the staff member who checked in). */
  broughtBy: z.string().nullable(),
  /** Who picked the child up (the guardian of the check-out tap, or the staff member who checked out). */
  pickedUpBy: z.string().nullable(),
  /**
   * How the check-in and the check-out were recorded, each on its own. `staff`: a staff member entered it
   * on a tablet, so broughtBy/pickedUpBy name that staff member, not who brought or picked up the child.
   */
  checkInMethod: z.enum(METHODS).nullable(),
  checkOutMethod: z.enum(METHODS).nullable(),
  absence: z.strictObject({ reason: z.enum(ABSENCE_REASONS), note: z.string().optional() }).nullable(),
  /** Corrections of today, oldest first: a row that was corrected says so, by whom and when. */
  corrections: z.array(CorrectionSchema),
  /** Past the class's cut-off and neither present, gone home nor marked absent: find this child. */
  unaccounted: z.boolean(),
  /** Past closing time and still present. */
  stillPresentAtClosing: z.boolean(),
  /** The event ids of today's effective check-in, check-out and absence, for a void from the tablet. */
  checkInEventId: z.uuid().nullable(),
  checkOutEventId: z.uuid().nullable(),
  absentEventId: z.uuid().nullable(),
  /** Today's parent notice for this child (欠席連絡 or 遅刻連絡), the newest; null when none. */
  /** Today's pickup plan sent by a parent (お迎え予定), or null. */
  pickupPlan: TabletPickupPlanSchema.nullable(),
  parentNotice: z
    .strictObject({
      id: z.uuid(),
      kind: z.enum(['absence', 'late']),
      reason: z.enum(ABSENCE_REASONS),
      arriveAt: z.string().optional(),
      status: z.enum(['sent', 'read']),
    })
    .nullable(),
});
export type TabletChild = z.infer<typeof TabletChildSchema>;

export const CountsSchema = z.strictObject({
  /** Enrolment: every child on today's roster (在籍); an absence never lowers it. */
  enrolled: z.number().int().min(0),
  /** Expected today: enrolled children not marked absent. */
  expected: z.number().int().min(0),
  present: z.number().int().min(0),
  left: z.number().int().min(0),
  absent: z.number().int().min(0),
  notArrived: z.number().int().min(0),
});
export type Counts = z.infer<typeof CountsSchema>;

export const TabletClassSchema = z.strictObject({
  id: IdSchema,
  name: z.string(),
  /** Local time after which children neither present nor absent are unaccounted (HH:MM). */
  cutoff: z.string().regex(/^\d{2}:\d{2}$/),
  counts: CountsSchema,
  /** Staff on duty in this class today, as entered on a tablet; null until someone enters it. */
  staffOnDuty: z.number().int().min(0).nullable(),
  /** Most children present per staff member allowed (e.g. 3 for 0-year-olds); null when not set. */
  maxChildrenPerStaff: z.number().positive().nullable(),
  /** Present children exceed staffOnDuty × maxChildrenPerStaff (the class's own ratio only). */
  overRatio: z.boolean(),
  /** The staffing standard by age for the children present (includes the class's own ratio). */
  staffing: ClassStaffingSchema,
  children: z.array(TabletChildSchema),
});
export type TabletClass = z.infer<typeof TabletClassSchema>;

/** GET /api/tablet/rollcall, and each push: today's roll-call as staff see it. */
export const TabletRollcallSchema = z.strictObject({
  facilityId: IdSchema,
  facilityName: z.string(),
  timeZone: z.string(),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  generatedAt: InstantSchema,
  /** Local closing time (HH:MM): after it, children still present are listed. */
  closingTime: z.string().regex(/^\d{2}:\d{2}$/),
  counts: CountsSchema,
  /** The whole facility against the standard: every child present, the minimum staff. */
  staffing: FacilityStaffingSchema,
  classes: z.array(TabletClassSchema),
  /** Children to find now (unaccounted, or still present after closing), for the list at the top. */
  attention: z.array(
    z.strictObject({ childId: IdSchema, classId: IdSchema, why: z.enum(['unaccounted', 'still_present']) }),
  ),
  /**
   * Parents' notices staff should see: every notice covering today or a later day, and those confirmed
   * today; unconfirmed first, then by date.
   */
  parentNotices: z.array(TabletParentNoticeSchema),
  /**
   * Present only while parents' messages (notices, pickup plans) have failed to reach the hub for longer
   * than PARENT_MESSAGES_STALLED_SECONDS: since the first failure. Staff check by phone meanwhile.
   */
  parentMessagesStalledSince: InstantSchema.optional(),
});
export type TabletRollcall = z.infer<typeof TabletRollcallSchema>;

/**
 * POST /api/tablet/actions: a staff action, recorded as one event of the signed-in tablet with the staff
 * member as actor (method `staff`). `id` is chosen by the tablet (uuid) so a retried request is stored once.
 * Corrections need a reason; nothing is ever deleted (a void names the event it removes).
 */
export const TabletActionSchema = z.discriminatedUnion('op', [
  /** A forgotten tap: check in or out now, or at an earlier local time today (HH:MM). */
  z.strictObject({
    op: z.enum(['check_in', 'check_out']),
    id: z.uuid(),
    childId: IdSchema,
    at: z
      .string()
      .regex(/^\d{2}:\d{2}$/)
      .optional(),
    note: z.string().min(1).max(NOTE_MAX).optional(),
  }),
  z.strictObject({
    op: z.literal('absent'),
    id: z.uuid(),
    childId: IdSchema,
    /** The day of the absence (today or later), YYYY-MM-DD in the facility's time zone. */
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    /**
     * The last day of the absence, inclusive (on or after `date`, at most ABSENCE_RANGE_MAX_DAYS days in
     * all): one absent event per day. Left out: `date` only.
     */
    until: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
    reason: z.enum(ABSENCE_REASONS),
    note: z.string().min(1).max(NOTE_MAX).optional(),
  }),
  z.strictObject({
    op: z.literal('void'),
    id: z.uuid(),
    /** The event to remove (a wrong tap, a wrong manual entry, an absence marked by mistake). */
    eventId: z.uuid(),
    reason: z.string().min(1).max(NOTE_MAX),
  }),
]);
export type TabletAction = z.infer<typeof TabletActionSchema>;

/** PUT /api/tablet/classes/:classId/staff: staff on duty in a class today. */
export const StaffOnDutySchema = z.strictObject({ count: z.number().int().min(0).max(50) });

/** WebSocket /tablet/ws (both cookies): the hub pushes the latest roll-call; a slow tablet skips stale ones. */
export const TabletPushSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('rollcall'), rollcall: TabletRollcallSchema }),
  /** The session ended (expired or signed out): sign in again. */
  z.strictObject({ type: z.literal('session_ended') }),
  /**
   * Sent every couple of seconds when nothing else is: the hub is alive and the roll-call shown is
   * current. A tablet that hears nothing for a few seconds shows itself as stale (a hub that stopped
   * answering keeps its socket open and silent).
   */
  z.strictObject({ type: z.literal('heartbeat'), at: InstantSchema }),
]);
export type TabletPush = z.infer<typeof TabletPushSchema>;

/** data-testid hooks of the tablet app (public: tests and integrators use them). */
export const TABLET_TEST_IDS = {
  staffId: 'staff-id',
  staffPin: 'staff-pin',
  signIn: 'sign-in',
  signInError: 'sign-in-error',
  /**
   * The roll-call root; attribute `data-stale` (true while the push channel is down or silent), and
   * `data-view` (`full` or `compact`).
   */
  rollcall: 'rollcall',
  /** Full-width banner while stale; it names the time of the last update. */
  staleBanner: 'stale-banner',
  /** The compact view's toggle (aria-pressed; the choice is remembered on the tablet). */
  viewCompact: 'view-compact',
  /** The class filter buttons; each has `data-class-id` (`all` for every class). */
  classFilter: 'class-filter',
  /**
   * Each child row (a row in the full view, a one-line tile in the compact view) also has
   * `data-child-id`, `data-status` and `data-unaccounted`.
   */
  childRow: 'child-row',
  attention: 'attention-list',
  /**
   * The facility's staffing line (required staff by age, the minimum, staff on duty); `data-understaffed`.
   * Each class card (`class-card`) has `data-required-staff`, `data-staff-on-duty` (empty while not
   * entered) and `data-understaffed`; a class with children of unknown age shows `age-unknown`.
   */
  facilityStaffing: 'facility-staffing',
  ageUnknown: 'age-unknown',
  search: 'search',
  signOut: 'sign-out',
  /**
   * The main screen's banner while parents' messages do not arrive (roll-call parentMessagesStalledSince);
   * the notices panel's own line is `notices-stalled`.
   */
  parentMessagesStalled: 'parent-messages-stalled',
  noticesStalled: 'notices-stalled',
} as const;
