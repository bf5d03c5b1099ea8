import { z } from 'zod';
import { InstantSchema } from './primitives.ts';

/**
 * What the hub reports of its connection to the cloud (GET /healthz, the admin app) and what it warns of.
 * Browser-safe: the admin app imports it (through admin.ts).
 */

const count = z.number().int().min(0);

/** The oldest event may wait this long for the cloud before the hub warns (`relay_stalled`). */
export const RELAY_STALLED_SECONDS = 15 * 60;

/**
 * The fetch of parents' messages may fail this long before the hub warns (`parent_messages_stalled`):
 * notices normally arrive within seconds, and two minutes of failures is not a blip.
 */
export const PARENT_MESSAGES_STALLED_SECONDS = 120;

/**
 * What /healthz and the admin app warn of: `relay_stalled`, events wait longer than RELAY_STALLED_SECONDS;
 * `parent_messages_stalled`, parents' messages have failed to arrive for longer than
 * PARENT_MESSAGES_STALLED_SECONDS.
 */
export const HEALTH_WARNINGS = ['relay_stalled', 'parent_messages_stalled'] as const;
export type HealthWarning = (typeof HEALTH_WARNINGS)[number];

/**
 * The hub's cloud relay, as GET /healthz (public: no personal data) and the admin app report it. A hub
 * started without a cloud says only `configured: false`.
 */
export const RelayHealthSchema = z.discriminatedUnion('configured', [
  z.strictObject({ configured: z.literal(false) }),
  z.strictObject({
    configured: z.literal(true),
    /** Events stored at the hub that the cloud has not answered for yet. */
    waiting: count,
    /** When the hub received the oldest of them; null when none waits. */
    oldestWaitingAt: InstantSchema.nullable(),
    oldestAgeSeconds: count.nullable(),
    /** The last failed batch since the hub started (cleared by the next answered one): why, and when. */
    lastError: z.strictObject({ reason: z.string(), at: InstantSchema }).nullable(),
    /** The last batch the cloud answered since the hub started. */
    lastSuccessAt: InstantSchema.nullable(),
    /** Events the cloud refused for good (kept at the hub, never resent). */
    rejected: count,
    /**
     * A hub restored from a backup that has not caught up from the cloud yet: nothing is relayed until it
     * has (lastError says why it failed). Absent otherwise.
     */
    catchingUp: z.literal(true).optional(),
    /**
     * Present only while the fetch of parents' messages (notices, pickup plans) fails: since the first
     * failure of the run (with the facility's offset, so its clock time is the facility's) and the last
     * failure's reason (a status and code, a network error code, `bad_parent_messages`, `hub database
     * CODE`). Cleared by the next answered fetch.
     */
    parentMessages: z.strictObject({ failingSince: InstantSchema, reason: z.string() }).optional(),
  }),
]);
export type RelayHealth = z.infer<typeof RelayHealthSchema>;
export type ConfiguredRelayHealth = Extract<RelayHealth, { configured: true }>;
