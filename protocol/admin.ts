import { z } from 'zod';
import { CLOCK_DOUBTS, EVENT_TYPES, IdSchema, InstantSchema } from './primitives.ts';
import { DateSchema } from './history.ts';
import { CARE_TYPES } from './settings.ts';
import { HEALTH_WARNINGS, RelayHealthSchema } from './relay-health.ts';
import { PinSchema, STAFF_ROLES } from './tablet.ts';

/**
 * The director's admin web app's HTTP contract (served by the hub under /admin and /api/admin). Browser-
 * safe: the app imports it. One credential, an HttpOnly cookie (`genkan_admin`) set by POST
 * /api/admin/session for a staff account of role `admin`; it expires (idle and absolute). Every
 * state-changing request must come from the hub's own origin.
 */

export const ADMIN_COOKIE = 'genkan_admin';

/** POST /api/admin/session. */
export const AdminSignInRequestSchema = z.strictObject({ staffId: IdSchema, pin: PinSchema });
export type AdminSignInRequest = z.infer<typeof AdminSignInRequestSchema>;

/** GET /api/admin/session and the answer to a sign-in. */
export const AdminSessionInfoSchema = z.strictObject({
  staff: z.strictObject({ id: IdSchema, name: z.string(), role: z.enum(STAFF_ROLES) }),
  /** The session ends at this instant at the latest; every request before then extends the idle timer. */
  expiresAt: InstantSchema,
});
export type AdminSessionInfo = z.infer<typeof AdminSessionInfoSchema>;

/**
 * A problem of a roster file: its line, its code and params (protocol/roster-problems.ts words them in
 * Japanese and English; never a card number in params) and the English `reason`.
 */
export const RosterProblemSchema = z.strictObject({
  line: z.number().int().min(1),
  code: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  reason: z.string(),
});
export type RosterProblem = z.infer<typeof RosterProblemSchema>;

const count = z.number().int().min(0);

export const RosterCountsSchema = z.strictObject({
  classes: count,
  children: count,
  guardians: count,
  credentials: count,
});
export type RosterCounts = z.infer<typeof RosterCountsSchema>;

/**
 * What an import would do: the file's counts and how its children differ, by name, from the roster in
 * effect on `effectiveFrom` (its children not left by that day). `childrenAdded` and `childrenRemoved`
 * count `added` and `leaving`.
 */
export const RosterPreviewSchema = RosterCountsSchema.extend({
  childrenAdded: count,
  childrenRemoved: count,
  effectiveFrom: DateSchema,
  /** On the file and not on the roster (also those who start later). */
  added: z.array(z.strictObject({ childId: IdSchema, name: z.string(), className: z.string() })),
  /** On the roster and not on the file from that day (left out, or a left_on before it). */
  leaving: z.array(z.strictObject({ childId: IdSchema, name: z.string() })),
  /** Class names from → to. */
  moved: z.array(z.strictObject({ childId: IdSchema, name: z.string(), from: z.string(), to: z.string() })),
  /** Names from → to. */
  renamed: z.array(z.strictObject({ childId: IdSchema, from: z.string(), to: z.string() })),
  careTypeChanged: z.array(
    z.strictObject({
      childId: IdSchema,
      name: z.string(),
      from: z.enum(CARE_TYPES),
      to: z.enum(CARE_TYPES),
    }),
  ),
  /** Guardians on the file and not on the roster in effect that day, and the other way round. */
  guardiansAdded: z.array(z.strictObject({ guardianId: IdSchema, name: z.string() })),
  guardiansRemoved: z.array(z.strictObject({ guardianId: IdSchema, name: z.string() })),
});
export type RosterPreview = z.infer<typeof RosterPreviewSchema>;

export const IMPORT_STATES = ['validating', 'importing', 'done', 'failed'] as const;
export type ImportState = (typeof IMPORT_STATES)[number];

/**
 * GET /api/admin/roster/imports/:jobId (POST …/imports?dryRun=&effective=YYYY-MM-DD answers 202 {jobId};
 * `effective`, default today, is the day the roster takes effect from).
 */
export const ImportJobSchema = z.strictObject({
  jobId: z.string(),
  dryRun: z.boolean(),
  state: z.enum(IMPORT_STATES),
  /** Data rows checked so far, of `total`. */
  processed: count,
  total: count,
  /** Every problem of the file, by line; a file with any imports nothing. */
  problems: z.array(RosterProblemSchema),
  preview: RosterPreviewSchema.optional(),
  /**
   * After a real import: what was written, the live roster's version (unchanged while the import waits for
   * its day), the day it takes effect from, and the snapshot versions it issued.
   */
  summary: z
    .strictObject({
      imported: RosterCountsSchema,
      version: z.number().int(),
      effectiveFrom: DateSchema,
      snapshotVersions: z.array(z.number().int()),
    })
    .optional(),
});
export type ImportJob = z.infer<typeof ImportJobSchema>;

export const ImportStartedSchema = z.strictObject({ jobId: z.string() });

/** GET /api/admin/roster: the current roster, read-only (never card ids: only how many cards). */
export const AdminRosterSchema = z.strictObject({
  version: z.number().int(),
  classes: z.array(z.strictObject({ id: IdSchema, name: z.string(), children: count })),
  children: z.array(
    z.strictObject({
      id: IdSchema,
      name: z.string(),
      kana: z.string(),
      classId: IdSchema,
      careType: z.enum(CARE_TYPES),
    }),
  ),
  guardians: z.array(
    z.strictObject({
      id: IdSchema,
      name: z.string(),
      childIds: z.array(IdSchema),
      cards: count,
      /** A kiosk PIN is set (PUT/DELETE /api/admin/guardians/:id/pin); never the PIN or its hash. */
      pin: z.boolean(),
    }),
  ),
});
export type AdminRoster = z.infer<typeof AdminRosterSchema>;

export const DEVICE_ROLES = ['kiosk', 'tablet'] as const;

/** GET /api/admin/devices: each paired device and what the broker last heard of it. */
export const AdminDeviceSchema = z.strictObject({
  id: IdSchema,
  role: z.enum(DEVICE_ROLES),
  online: z.boolean(),
  /** Last connect, disconnect, status message or event batch; null when never seen since the hub started. */
  lastSeen: InstantSchema.nullable(),
  /** Unacknowledged events in the kiosk's outbox, as last reported. */
  outbox: count.nullable(),
  version: z.string().nullable(),
  /** The kiosk's credential readers and whether each is attached, as last reported; null if never. */
  readers: z.array(z.strictObject({ name: z.string(), attached: z.boolean() })).nullable(),
});
export type AdminDevice = z.infer<typeof AdminDeviceSchema>;
export const AdminDevicesSchema = z.strictObject({ devices: z.array(AdminDeviceSchema) });

/** POST /api/admin/devices/pairing. */
export const AdminPairingRequestSchema = z.strictObject({
  deviceId: IdSchema,
  role: z.enum(DEVICE_ROLES),
});
export type AdminPairingRequest = z.infer<typeof AdminPairingRequestSchema>;

export const AdminPairingSchema = z.strictObject({
  deviceId: IdSchema,
  role: z.enum(DEVICE_ROLES),
  expiresAt: InstantSchema,
  /** What the QR code holds: the GKP1 payload (kiosk) or the tablet's set-up link. */
  qrText: z.string(),
  /** The QR code as a standalone SVG document. */
  svg: z.string(),
});
export type AdminPairing = z.infer<typeof AdminPairingSchema>;

/** POST /api/admin/guardians/:guardianId/qr: a printable card with the guardian's signed QR code. */
export const AdminGuardianQrRequestSchema = z.strictObject({
  /** Days until the code expires (default 365). */
  days: z.number().int().min(1).max(3650).optional(),
});
export type AdminGuardianQrRequest = z.infer<typeof AdminGuardianQrRequestSchema>;
export const AdminGuardianQrSchema = z.strictObject({
  guardianId: IdSchema,
  expiresAt: InstantSchema,
  /** The card (QR code, guardian's and facility's names, expiry) as a standalone SVG document. */
  svg: z.string(),
});
export type AdminGuardianQr = z.infer<typeof AdminGuardianQrSchema>;

/** PUT /api/admin/guardians/:guardianId/pin body: the guardian's new kiosk PIN (4–8 digits). */
export const AdminGuardianPinRequestSchema = z.strictObject({ pin: z.string().max(64) });
export type AdminGuardianPinRequest = z.infer<typeof AdminGuardianPinRequestSchema>;
/** The answer of PUT and DELETE /api/admin/guardians/:guardianId/pin. */
export const AdminGuardianPinSchema = z.strictObject({
  guardianId: IdSchema,
  pin: z.boolean(),
  rosterVersion: z.number().int(),
});
export type AdminGuardianPin = z.infer<typeof AdminGuardianPinSchema>;

/**
 * GET /api/admin/guardians/:guardianId/cards: the guardian's cards as keyed hashes (never card numbers);
 * DELETE /api/admin/guardians/:guardianId/cards/:credential removes one (a lost card).
 */
export const AdminGuardianCardsSchema = z.strictObject({
  guardianId: IdSchema,
  cards: z.array(
    z.strictObject({
      /** The card's keyed hash: what the DELETE names. */
      credential: z.string(),
      source: z.enum(['roster_file', 'enrolled']),
      /** When it was enrolled at a kiosk; null for a card of the roster file. */
      enrolledAt: z.string().nullable(),
    }),
  ),
});
export type AdminGuardianCards = z.infer<typeof AdminGuardianCardsSchema>;
export const AdminCardRemovedSchema = z.strictObject({
  removed: z.literal(true),
  guardianId: IdSchema,
  rosterVersion: z.number().int(),
});
export type AdminCardRemoved = z.infer<typeof AdminCardRemovedSchema>;

/** POST /api/admin/guardians/:guardianId/qr/revoke: every QR code issued to the guardian so far is refused. */
export const AdminQrRevokedSchema = z.strictObject({
  revoked: z.literal(true),
  guardianId: IdSchema,
  qrGeneration: z.number().int().min(1),
  rosterVersion: z.number().int(),
});
export type AdminQrRevoked = z.infer<typeof AdminQrRevokedSchema>;

/** DELETE /api/admin/devices/:deviceId: a lost or retired device is removed. */
export const AdminDeviceRemovedSchema = z.strictObject({
  removed: z.literal(true),
  deviceId: IdSchema,
  role: z.enum(DEVICE_ROLES),
  sessionsEnded: z.number().int().min(0),
});
export type AdminDeviceRemoved = z.infer<typeof AdminDeviceRemovedSchema>;

export const AdminAuditEntrySchema = z.strictObject({
  id: z.number().int(),
  at: z.string(),
  actorKind: z.string(),
  actorId: z.string().nullable(),
  action: z.string(),
  subject: z.string().nullable(),
  deviceId: z.string().nullable(),
  outcome: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});
export type AdminAuditEntry = z.infer<typeof AdminAuditEntrySchema>;

/** GET /api/admin/audit?before=ID&limit=N: newest first; `nextBefore` pages on (null: no more). */
export const AdminAuditPageSchema = z.strictObject({
  entries: z.array(AdminAuditEntrySchema),
  nextBefore: z.number().int().nullable(),
});
export type AdminAuditPage = z.infer<typeof AdminAuditPageSchema>;

export const CHART_BUCKET_MINUTES = 15;

/** GET /api/admin/chart?date=: arrivals per 15 minutes and children present at each bucket's end. */
export const AdminChartSchema = z.strictObject({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  bucketMinutes: z.literal(CHART_BUCKET_MINUTES),
  /** 96 buckets from local 00:00. */
  arrivals: z.array(count),
  present: z.array(count),
  expected: count,
});
export type AdminChart = z.infer<typeof AdminChartSchema>;

// The relay's health and warnings have their own file; imported from here as ever.
export {
  HEALTH_WARNINGS,
  PARENT_MESSAGES_STALLED_SECONDS,
  RELAY_STALLED_SECONDS,
  RelayHealthSchema,
  type ConfiguredRelayHealth,
  type HealthWarning,
  type RelayHealth,
} from './relay-health.ts';

/** Longest list of GET /api/admin/records-health (newest first; `total` says how many there are). */
export const RECORDS_HEALTH_LIST_MAX = 200;

/** An event the cloud refused (protocol.md: invalid_event, bad_text, implausible_time, store_error). */
export const AdminRejectedEventSchema = z.strictObject({
  id: z.string(),
  type: z.enum(EVENT_TYPES),
  childId: IdSchema,
  /** null: the child is no longer on the roster. */
  childName: z.string().nullable(),
  occurredAt: InstantSchema,
  deviceId: IdSchema,
  code: z.string(),
  message: z.string(),
  rejectedAt: InstantSchema,
});
export type AdminRejectedEvent = z.infer<typeof AdminRejectedEventSchema>;

/** An event a kiosk stamped while its clock was in doubt (its occurredAt may be off). */
export const AdminClockDoubtEventSchema = z.strictObject({
  id: z.string(),
  type: z.enum(EVENT_TYPES),
  childId: IdSchema,
  childName: z.string().nullable(),
  deviceId: IdSchema,
  occurredAt: InstantSchema,
  /** When the hub stored it. */
  receivedAt: InstantSchema,
  clockDoubt: z.enum(CLOCK_DOUBTS),
});
export type AdminClockDoubtEvent = z.infer<typeof AdminClockDoubtEventSchema>;

/** GET /api/admin/records-health: the relay's health, the cloud's refusals and the clock-doubt events. */
export const AdminRecordsHealthSchema = z.strictObject({
  relay: RelayHealthSchema,
  /** As in /healthz (HEALTH_WARNINGS). */
  warnings: z.array(z.enum(HEALTH_WARNINGS)),
  rejected: z.strictObject({ total: count, events: z.array(AdminRejectedEventSchema) }),
  clockDoubt: z.strictObject({ total: count, events: z.array(AdminClockDoubtEventSchema) }),
});
export type AdminRecordsHealth = z.infer<typeof AdminRecordsHealthSchema>;

/** data-testid hooks of the admin app (public: tests and integrators use them). */
export const ADMIN_TEST_IDS = {
  app: 'admin-app',
  staffId: 'admin-staff-id',
  staffPin: 'admin-staff-pin',
  signIn: 'admin-sign-in',
  signInError: 'admin-sign-in-error',
  signOut: 'admin-sign-out',
  rosterFile: 'roster-file',
  /** The date the import takes effect from. */
  rosterEffective: 'roster-effective',
  rosterDryRun: 'roster-dry-run',
  /** Rows carry data-line; a row's problem cell carries data-code (protocol/roster-problems.ts). */
  rosterProblems: 'roster-problems',
  /**
   * Its lists carry data-preview (leaving, moved, renamed, care-type, added, guardians-removed,
   * guardians-added) and data-count; their items data-child-id (data-guardian-id for guardians).
   */
  rosterPreview: 'roster-preview',
  rosterImport: 'roster-import',
  importProgress: 'import-progress',
  importDone: 'import-done',
  settingsForm: 'settings-form',
  settingsSave: 'settings-save',
  settingsSaved: 'settings-saved',
  /** Each field's error has data-field. */
  fieldError: 'field-error',
  chart: 'attendance-chart',
  /** The overview's banner when the oldest unrelayed event waits longer than RELAY_STALLED_SECONDS. */
  relayWarning: 'relay-warning',
  /** The overview's banner while parents' messages have not arrived for PARENT_MESSAGES_STALLED_SECONDS. */
  parentMessagesWarning: 'parent-messages-warning',
  /** The overview's relay box; carries data-configured, data-waiting. */
  relayHealth: 'relay-health',
  /** Rows carry data-event-id and data-code. */
  relayRejects: 'relay-rejects',
  /** Rows carry data-event-id and data-clock-doubt. */
  clockDoubtEvents: 'clock-doubt-events',
  undoWindow: 'settings-undo-window',
} as const;
