import { EVENT_COLUMN_NAMES } from '../events.ts';
import { unknownFacility } from '../refusals.ts';
import type { ReceiptCursor } from '../types.ts';
import type {
  FacilityWebhook,
  WebhookEventsPage,
  WebhookFailure,
  WebhookLease,
  WebhookStore,
} from '../webhook-types.ts';
import {
  eventsRange,
  leaseOf,
  positionOf,
  WEBHOOK_COLUMNS,
  webhookInput,
  webhookOf,
  type WebhookRow,
} from '../webhooks.ts';
import { eventFromRow, iso, type EventRow, type PgConnection } from './connection.ts';

/** The webhook `w`'s undelivered events, as a condition on `e`; ids compare bytewise (COLLATE "C"). */
const UNDELIVERED = `e.facility_id = w.facility_id AND e.received_at >= w.since
  AND (e.received_at, e.id) > (COALESCE(w.cursor_at, '-infinity'::timestamptz),
    COALESCE(w.cursor_id, '' COLLATE "C"))`;

/** Times come back as timestamptz (Date): as UTC ISO 8601 text, as SQLite stores them. */
function textRow(row: WebhookRow<Date>): WebhookRow {
  return {
    ...row,
    created_at: row.created_at.toISOString(),
    since: row.since.toISOString(),
    cursor_at: iso(row.cursor_at),
    batch_end_at: iso(row.batch_end_at),
    next_attempt_at: row.next_attempt_at.toISOString(),
    last_attempt_at: iso(row.last_attempt_at),
  };
}

/** The facilities' outgoing webhooks (table facility_webhooks, migration 12) on PostgreSQL. */
export class PgWebhooks implements WebhookStore {
  private readonly conn: PgConnection;

  constructor(conn: PgConnection) {
    this.conn = conn;
  }

  async set(facilityId: string, url: string, secret: string, now: Date): Promise<void> {
    this.conn.checkOpen();
    const input = webhookInput(facilityId, url, secret);
    // One statement: nothing is inserted for an unknown facility (then no row is affected).
    const { rowCount } = await this.conn.pool.query(
      `INSERT INTO facility_webhooks (facility_id, url, secret, created_at, since, attempts, next_attempt_at)
       SELECT $1, $2, $3, $4, $4, 0, $4 WHERE EXISTS (SELECT 1 FROM facilities WHERE facility_id = $1)
       ON CONFLICT (facility_id) DO UPDATE SET url = EXCLUDED.url, secret = EXCLUDED.secret,
         attempts = 0, next_attempt_at = EXCLUDED.next_attempt_at`,
      [input.facilityId, input.url, input.secret, now.toISOString()],
    );
    if (rowCount === 0) throw unknownFacility(facilityId);
  }

  async get(facilityId: string): Promise<FacilityWebhook | undefined> {
    this.conn.checkOpen();
    const { rows } = await this.conn.pool.query<WebhookRow<Date> & { pending: string }>(
      `SELECT ${WEBHOOK_COLUMNS}, (SELECT count(*) FROM events e WHERE ${UNDELIVERED}) AS pending
       FROM facility_webhooks w WHERE facility_id = $1`,
      [facilityId],
    );
    const row = rows[0];
    return row === undefined ? undefined : webhookOf(textRow(row), Number(row.pending));
  }

  async remove(facilityId: string): Promise<boolean> {
    this.conn.checkOpen();
    const { rowCount } = await this.conn.pool.query('DELETE FROM facility_webhooks WHERE facility_id = $1', [
      facilityId,
    ]);
    return (rowCount ?? 0) > 0;
  }

  async leaseDue(
    owner: string,
    now: Date,
    leaseUntil: Date,
    settled: Date,
  ): Promise<WebhookLease | undefined> {
    this.conn.checkOpen();
    // SKIP LOCKED: a process choosing at the same moment passes over the row another is taking; one whose
    // lease committed meanwhile fails the re-checked condition. Either way one process gets it.
    const { rows } = await this.conn.pool.query<WebhookRow<Date>>(
      `UPDATE facility_webhooks SET lease_owner = $1, lease_until = $3::timestamptz
       WHERE facility_id = (
           SELECT w.facility_id FROM facility_webhooks w
           WHERE w.next_attempt_at <= $2::timestamptz
             AND (w.lease_until IS NULL OR w.lease_until <= $2::timestamptz)
             AND EXISTS (SELECT 1 FROM events e WHERE ${UNDELIVERED} AND e.received_at <= $4::timestamptz)
           ORDER BY w.next_attempt_at, w.facility_id LIMIT 1
           FOR UPDATE OF w SKIP LOCKED)
         AND (lease_until IS NULL OR lease_until <= $2::timestamptz)
       RETURNING ${WEBHOOK_COLUMNS}`,
      [owner, now.toISOString(), leaseUntil.toISOString(), settled.toISOString()],
    );
    const row = rows[0];
    return row === undefined ? undefined : leaseOf(textRow(row), owner);
  }

  async events(
    facilityId: string,
    since: string,
    after: ReceiptCursor | null,
    through: ReceiptCursor | Date,
    limit: number,
  ): Promise<WebhookEventsPage> {
    this.conn.checkOpen();
    const range = eventsRange(since, after, through, limit);
    const { rows } = await this.conn.pool.query<EventRow & { received_at: Date }>(
      `SELECT ${EVENT_COLUMN_NAMES.join(', ')}, received_at FROM events
       WHERE facility_id = $1 AND received_at >= $2::timestamptz
         AND (received_at, id) > ($3::timestamptz, $4::text COLLATE "C")
         AND (received_at < $5::timestamptz OR (received_at = $5::timestamptz
           AND ($6::text IS NULL OR id <= $6::text COLLATE "C")))
       ORDER BY received_at, id LIMIT $7`,
      [
        facilityId,
        range.since,
        range.after?.receivedAt ?? '-infinity',
        range.after?.id ?? '',
        range.through.at,
        range.through.id,
        range.limit,
      ],
    );
    const last = rows.at(-1);
    return {
      events: rows.map(eventFromRow),
      last: last === undefined ? null : { receivedAt: last.received_at.toISOString(), id: last.id },
    };
  }

  async delivered(
    facilityId: string,
    owner: string,
    last: ReceiptCursor,
    status: string,
    now: Date,
  ): Promise<boolean> {
    this.conn.checkOpen();
    const { receivedAt, id } = positionOf(last);
    const { rowCount } = await this.conn.pool.query(
      `UPDATE facility_webhooks SET cursor_at = $3, cursor_id = $4, batch_end_at = NULL,
         batch_end_id = NULL, attempts = 0, next_attempt_at = $6, last_attempt_at = $6,
         last_status = $5, last_error = NULL, lease_owner = NULL, lease_until = NULL
       WHERE facility_id = $1 AND lease_owner = $2`,
      [facilityId, owner, receivedAt, id, status, now.toISOString()],
    );
    return (rowCount ?? 0) > 0;
  }

  async failed(facilityId: string, owner: string, failure: WebhookFailure, now: Date): Promise<boolean> {
    this.conn.checkOpen();
    const end = positionOf(failure.batchEnd);
    const { rowCount } = await this.conn.pool.query(
      `UPDATE facility_webhooks SET attempts = attempts + 1, next_attempt_at = $7,
         last_attempt_at = $8, last_status = $3, last_error = $4, batch_end_at = $5,
         batch_end_id = $6, lease_owner = NULL, lease_until = NULL
       WHERE facility_id = $1 AND lease_owner = $2`,
      [
        facilityId,
        owner,
        failure.status,
        failure.error,
        end.receivedAt,
        end.id,
        failure.nextAttemptAt.toISOString(),
        now.toISOString(),
      ],
    );
    return (rowCount ?? 0) > 0;
  }

  async release(facilityId: string, owner: string): Promise<void> {
    this.conn.checkOpen();
    await this.conn.pool.query(
      `UPDATE facility_webhooks SET lease_owner = NULL, lease_until = NULL
       WHERE facility_id = $1 AND lease_owner = $2`,
      [facilityId, owner],
    );
  }
}
