import { z } from 'zod';
import { AmendmentSchema } from './history.ts';
import { SnapshotVersionSchema } from './ledger.ts';
import { InstantSchema } from './primitives.ts';
import { EventSchema } from './schemas.ts';

/**
 * What a hub restored from a backup asks of its kiosks, and what it fetches from the cloud, so that it
 * loses nothing that happened after the backup (docs/deployment.md, "Events between the backup and the
 * failure").
 */

/**
 * genkan/v1/F/resync (hub → devices, retained): resend every event held since `since` (RFC 3339), even
 * those the lost hub acknowledged. A kiosk serves each `id` once; the hub clears the message (an empty
 * retained payload) once every kiosk reported it in its status (`resynced`), or after RESYNC_MAX_DAYS.
 */
export const ResyncRequestSchema = z.strictObject({
  id: z.uuid(),
  since: InstantSchema,
});
export type ResyncRequest = z.infer<typeof ResyncRequestSchema>;

/** A retained resync request is withdrawn after this many days even if a kiosk never reported it. */
export const RESYNC_MAX_DAYS = 7;

/** Most items one page of a hub catch-up read holds (GET /v1/hub/…). */
export const CATCH_UP_PAGE_MAX = 500;

/** GET /v1/hub/snapshots?after=V&limit=N: the facility's snapshot versions above V, by version. */
export const HubSnapshotsPageSchema = z.strictObject({
  versions: z.array(SnapshotVersionSchema),
  /** More versions follow: ask again with after = the last version of this page. */
  more: z.boolean(),
});
export type HubSnapshotsPage = z.infer<typeof HubSnapshotsPageSchema>;

/** GET /v1/hub/amendments?cursor=C&limit=N: the facility's amendments, oldest first (at, correctionId). */
export const HubAmendmentsPageSchema = z.strictObject({
  amendments: z.array(AmendmentSchema),
  /** Opaque; null when this page is the last. */
  cursor: z.string().max(512).nullable(),
});
export type HubAmendmentsPage = z.infer<typeof HubAmendmentsPageSchema>;

/**
 * GET /v1/hub/events?since=T&cursor=C&limit=N: the facility's events the cloud received at or after T,
 * by receipt time then id.
 */
export const HubEventsPageSchema = z.strictObject({
  events: z.array(EventSchema),
  /** Opaque; null when this page is the last. */
  cursor: z.string().max(512).nullable(),
});
export type HubEventsPage = z.infer<typeof HubEventsPageSchema>;
