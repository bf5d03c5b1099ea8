import { z } from 'zod';
import { AdminAuditEntrySchema } from './admin.ts';
import { DateSchema } from './history.ts';
import { IdSchema, InstantSchema } from './primitives.ts';

/**
 * The admin app's views for people (issue 16): today's numbers on the overview, the tablets in use, the
 * audit log with names next to ids, and the QR card sheet. Browser-safe: the app imports it. Names are
 * resolved by the hub for the answer only; they never go into a log.
 */

const count = z.number().int().min(0);

/**
 * GET /api/admin/today: today's roll-call as numbers (the tablets' fold and cut-offs), the open days of this
 * month and the last, and how long the oldest event not yet answered by the cloud has waited.
 */
export const AdminTodaySchema = z.strictObject({
  /** Today's business day in the facility's zone. */
  date: DateSchema,
  /** The hub's clock (RFC 3339): the app measures "how long ago" against it. */
  now: InstantSchema,
  counts: z.strictObject({
    /** Children on today's roster. */
    enrolled: count,
    present: count,
    left: count,
    absent: count,
    notArrived: count,
    /** Not arrived and past their class's cut-off (所在不明). */
    unaccounted: count,
  }),
  /** Past days with a check-in and no check-out (or the reverse), this month and the last. */
  openDays: z.strictObject({ count, months: z.array(z.string().regex(/^\d{4}-\d{2}$/)) }),
  relay: z.discriminatedUnion('configured', [
    z.strictObject({ configured: z.literal(false) }),
    z.strictObject({
      configured: z.literal(true),
      /** Events the cloud has not answered for yet. */
      waiting: count,
      /** How long the oldest of them has waited; null: up to date. */
      lagSeconds: count.nullable(),
    }),
  ]),
});
export type AdminToday = z.infer<typeof AdminTodaySchema>;

/** GET /api/admin/tablet-sessions: who is signed in on which tablet (live sessions only), newest first. */
export const AdminTabletSessionsSchema = z.strictObject({
  /** The hub's clock. */
  now: InstantSchema,
  sessions: z.array(
    z.strictObject({
      deviceId: IdSchema,
      staffId: IdSchema,
      /** null: the account is gone. */
      staffName: z.string().nullable(),
      /** Signed in at. */
      since: InstantSchema,
      lastSeen: InstantSchema,
    }),
  ),
});
export type AdminTabletSessions = z.infer<typeof AdminTabletSessionsSchema>;

/**
 * An entry of GET /api/admin/audit: the stored row with the names the hub knows now — the staff member who
 * acted, and the child, guardian, class or staff member it was about (null: not a person, or not known any
 * more; the app then shows the id).
 */
export const AdminAuditNamedEntrySchema = AdminAuditEntrySchema.extend({
  actorName: z.string().nullable(),
  subjectName: z.string().nullable(),
});
export type AdminAuditNamedEntry = z.infer<typeof AdminAuditNamedEntrySchema>;

/** GET /api/admin/audit?before=ID&limit=N as the hub answers it (newest first, with names). */
export const AdminAuditNamedPageSchema = z.strictObject({
  entries: z.array(AdminAuditNamedEntrySchema),
  nextBefore: z.number().int().nullable(),
});
export type AdminAuditNamedPage = z.infer<typeof AdminAuditNamedPageSchema>;

/** GET /api/admin/qr-sheet?class=ID&days=N: the A4 sheet of `genkan qr sheet`, as application/pdf. */
export const QR_SHEET_PATH = '/api/admin/qr-sheet';

/** data-testid hooks of the admin app's people views (public: tests and integrators use them). */
export const ADMIN_PEOPLE_TEST_IDS = {
  /** The overview's numbers; each figure carries data-count, the box data-date. */
  today: 'today-numbers',
  todayPresent: 'today-present',
  todayAbsent: 'today-absent',
  todayNotArrived: 'today-not-arrived',
  todayUnaccounted: 'today-unaccounted',
  todayOpenDays: 'today-open-days',
  /** Carries data-lag-seconds (empty: up to date) and data-configured. */
  todayRelay: 'today-relay',
  /** Rows carry data-device-id and data-staff-id. */
  tabletSessions: 'tablet-sessions',
  /** A relative time; its title is the absolute time, data-at the instant. */
  relativeTime: 'relative-time',
  qrSheetDownload: 'qr-sheet-download',
  qrSheetClass: 'qr-sheet-class',
  /** The dialog of a card just issued (contains guardian-qr-card). */
  qrCardDialog: 'qr-card-dialog',
  qrCardPrint: 'qr-card-print',
  qrCardClose: 'qr-card-close',
  /** The one-card print view, and the card in it. */
  qrPrintView: 'qr-print-view',
  qrPrintCard: 'qr-print-card',
  /** Audit rows' readable sentence. */
  auditSentence: 'audit-sentence',
} as const;
