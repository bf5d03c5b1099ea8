import { z } from 'zod';
import {
  CLOCK_DOUBTS,
  EVENT_TYPES,
  IdSchema,
  InstantSchema,
  METHODS,
  NOTE_MAX,
  ROLLCALL_STATUSES,
  type RollcallStatus,
} from './primitives.ts';
import { isQrPublicKey } from './qr.ts';
import { CARD_HASH_ALG, CardHashSchemeSchema } from './credentials.ts';

export { CLOCK_DOUBTS, type ClockDoubt } from './primitives.ts';
export { EVENT_TYPES, IdSchema, InstantSchema, METHODS, NOTE_MAX, ROLLCALL_STATUSES, type RollcallStatus };
export const BATCH_MAX = 500;
/** Largest MQTT payload the hub accepts on an events topic. */
export const MQTT_PAYLOAD_MAX = 64 * 1024;

/** One attendance event, made on the device. Unknown fields are rejected. */
export const EventSchema = z
  .strictObject({
    id: z.uuid(),
    type: z.enum(EVENT_TYPES),
    childId: IdSchema,
    occurredAt: InstantSchema,
    deviceId: IdSchema,
    seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    method: z.enum(METHODS),
    actor: IdSchema.nullable(),
    voids: z.uuid().optional(),
    note: z.string().max(NOTE_MAX).optional(),
    /**
     * Set by a kiosk when its clock was in doubt as it stamped occurredAt: `unsynced`, it had not seen the
     * hub's time since it started; `held_back`, its clock read earlier than a time it had already seen, so
     * the stamp was held at that time. The admin app lists such events.
     */
    clockDoubt: z.enum(CLOCK_DOUBTS).optional(),
  })
  .superRefine((e, ctx) => {
    if (e.type === 'void' && e.voids === undefined) {
      ctx.addIssue({ code: 'custom', path: ['voids'], message: 'a void event must name the event it voids' });
    }
    if (e.type !== 'void' && e.voids !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['voids'], message: 'only a void event may carry voids' });
    }
  });

export type AttendanceEvent = z.infer<typeof EventSchema>;
export type EventType = AttendanceEvent['type'];
export type Method = AttendanceEvent['method'];

export const RejectionSchema = z.strictObject({
  /** Null when the payload could not be read far enough to find an event id. */
  id: z.string().nullable(),
  code: z.string(),
  message: z.string(),
});
export type Rejection = z.infer<typeof RejectionSchema>;

/** hub → device on …/acks, published only after the hub's durable commit. */
export const AckSchema = z.strictObject({
  acked: z.array(z.string()),
  rejected: z.array(RejectionSchema),
});
export type Ack = z.infer<typeof AckSchema>;

/** device → all on …/status, retained; also the device's MQTT last will (online: false). */
export const StatusSchema = z.strictObject({
  online: z.boolean(),
  at: InstantSchema.optional(),
  version: z.string().max(64).optional(),
  /** Events in the device outbox not yet acknowledged by the hub. */
  outbox: z.number().int().min(0).optional(),
  /** The device's credential readers (stdin, sim, pcsc, serial, camera) and whether each is attached. */
  readers: z
    .array(z.strictObject({ name: z.string().max(64), attached: z.boolean() }))
    .max(16)
    .optional(),
  /**
   * The kiosk's clock against the hub's time (genkan/v1/F/time): `skewMs` is hub minus kiosk; `corrected`
   * when the kiosk stamps events with the hub's time (skew over 2 minutes); `synced` false until the kiosk
   * has seen the hub's time since it started.
   */
  clock: z
    .strictObject({
      skewMs: z.number().int().min(-1e13).max(1e13),
      corrected: z.boolean(),
      synced: z.boolean(),
    })
    .optional(),
  /**
   * The last resync request (genkan/v1/F/resync, protocol/resync.ts) this kiosk served: the restored hub
   * clears the request once every kiosk reports it. Absent until the kiosk served one.
   */
  resynced: z.uuid().optional(),
});
export type DeviceStatus = z.infer<typeof StatusSchema>;

export const RollcallChildSchema = z.strictObject({
  id: IdSchema,
  name: z.string(),
  status: z.enum(ROLLCALL_STATUSES),
  checkInAt: InstantSchema.nullable(),
  checkOutAt: InstantSchema.nullable(),
});
export type RollcallChild = z.infer<typeof RollcallChildSchema>;

/** The day's roll-call: retained on genkan/v1/F/rollcall and served by GET /api/rollcall. */
export const RollcallSchema = z.strictObject({
  facilityId: IdSchema,
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  generatedAt: InstantSchema,
  classes: z.array(
    z.strictObject({
      id: IdSchema,
      name: z.string(),
      children: z.array(RollcallChildSchema),
    }),
  ),
});
export type Rollcall = z.infer<typeof RollcallSchema>;

/**
 * hub → devices on genkan/v1/F/time, retained, republished every 15 s: the hub's clock. A kiosk compares
 * its own with it (latency on a LAN is far below the 2-minute threshold that matters).
 */
export const HubTimeSchema = z.strictObject({ now: InstantSchema });
export type HubTime = z.infer<typeof HubTimeSchema>;

/** Retained on genkan/v1/F/roster: what a kiosk needs to recognise a credential offline. */
export const RosterSchema = z.strictObject({
  facilityId: IdSchema,
  facilityName: z.string(),
  timeZone: z.string(),
  /** Increases on every roster change. */
  version: z.number().int().min(0),
  /**
   * The facility's reversalGuardMinutes (protocol/settings.ts), carried here so a kiosk has it offline;
   * absent from an older hub (the kiosk then uses its default).
   */
  reversalGuardMinutes: z.number().int().min(1).max(120).optional(),
  /** base64 HMAC-SHA256 key: credentials are looked up by keyed hash, never in clear. */
  credentialKey: z.string(),
  /**
   * How card hashes are made (protocol/credentials.ts credentialLookupHash): scrypt over the HMAC with these
   * parameters and the facility's salt. Absent from a hub before migration 17: its card hashes are the HMAC.
   */
  cardHash: CardHashSchemeSchema.optional(),
  /** base64 raw 32-byte Ed25519 public key: kiosks verify signed guardian QR codes with it (protocol/qr.ts). */
  qrPublicKey: z.string().refine(isQrPublicKey, 'must be a base64 32-byte Ed25519 public key'),
  classes: z.array(z.strictObject({ id: IdSchema, name: z.string() })),
  children: z.array(z.strictObject({ id: IdSchema, name: z.string(), kana: z.string(), classId: IdSchema })),
  guardians: z.array(
    z.strictObject({
      id: IdSchema,
      name: z.string(),
      childIds: z.array(IdSchema),
      /** The guardian's cards' hashes as the roster's `cardHash` makes them (see credentialLookupHash). */
      credentials: z.array(z.string()),
      /**
       * The guardian's kiosk PIN as a salted scrypt hash (common/passwords.ts `guardian_pin`), for the
       * "no card" family chooser; verified offline at the kiosk. Absent: no PIN set.
       */
      pinHash: z.string().max(200).optional(),
      /**
       * The guardian's QR generation once their codes were revoked (`genkan qr revoke`): a signed QR code
       * of an older generation (protocol/qr.ts) is refused as revoked. Absent: never revoked (0).
       */
      qrGeneration: z.number().int().min(1).optional(),
    }),
  ),
});
export type Roster = z.infer<typeof RosterSchema>;

/** POST /v1/batches body (hub → cloud). */
export const BatchRequestSchema = z.strictObject({
  hubId: IdSchema,
  facilityId: IdSchema,
  events: z.array(z.unknown()).min(1).max(BATCH_MAX),
});

export const BatchResponseSchema = z.strictObject({
  accepted: z.array(z.string()),
  duplicates: z.array(z.string()),
  rejected: z.array(RejectionSchema),
});
export type BatchResponse = z.infer<typeof BatchResponseSchema>;

/**
 * Body of every HTTP error response. `message` is English (logs, integrators); `params` (a field, a limit,
 * a value; never a card number) is what the apps word their own text from with `code`
 * (protocol/error-catalogue.ts). Omitted when an error has none.
 */
export interface HttpErrorBody {
  error: { code: string; message: string; params?: Readonly<Record<string, string | number>> };
}

/** A card's hash as credentialLookupHash() writes it: 32 bytes in base64url (43 characters). */
export const CredentialHashSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a credential hash');

/**
 * device → hub on …/requests: something only the hub can do, asked from a device. Answered on
 * …/responses with the same id. A request is idempotent by id (a resend after a reconnect is answered
 * again, not done twice).
 */
export const DeviceRequestSchema = z.discriminatedUnion('op', [
  /**
   * Card enrolment at a kiosk: staff picked the guardian, the parent tapped the new card; the kiosk sends
   * the card's keyed hash, never the card id. The hub adds it to the guardian and republishes the roster.
   */
  z.strictObject({
    id: z.uuid(),
    op: z.literal('enroll_card'),
    guardianId: IdSchema,
    credentialHash: CredentialHashSchema,
    /**
     * The roster's `cardHash.alg` the kiosk hashed the card with. Absent (a kiosk holding a roster from before
     * hub migration 17): credentialHash is the HMAC alone, and the hub makes it slow itself.
     */
    hashAlg: z.literal(CARD_HASH_ALG).optional(),
    /** Who did it at the kiosk, for the audit log (a staff id, or null when only the kiosk PIN was used). */
    staffId: IdSchema.nullable(),
  }),
]);
export type DeviceRequest = z.infer<typeof DeviceRequestSchema>;

/** hub → device on …/responses. */
export const DeviceResponseSchema = z.union([
  z.strictObject({ id: z.uuid(), ok: z.literal(true), rosterVersion: z.number().int().min(0).optional() }),
  z.strictObject({
    id: z.uuid(),
    ok: z.literal(false),
    code: z.string().max(64),
    message: z.string().max(500),
  }),
]);
export type DeviceResponse = z.infer<typeof DeviceResponseSchema>;

/** POST /api/pair (hub HTTP, no bearer token: the one-time pairing code is the credential). */
export const PairRequestSchema = z.strictObject({
  deviceId: IdSchema,
  code: z.string().regex(/^[A-Za-z0-9_-]{22,64}$/),
});
export type PairRequest = z.infer<typeof PairRequestSchema>;

/** 200 answer to POST /api/pair: what the device needs to connect; the password is new and shown once. */
export const PairResponseSchema = z.strictObject({
  deviceId: IdSchema,
  facilityId: IdSchema,
  password: z.string().min(16).max(200),
  /** mqtt://HOST:PORT of the hub broker, HOST as the device reached the hub's HTTP API. */
  mqttUrl: z.string().max(300),
});
export type PairResponse = z.infer<typeof PairResponseSchema>;
