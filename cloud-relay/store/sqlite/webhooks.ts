import { eventFromColumns, type EventColumns } from '../../../common/event-store.ts';
import { EVENT_COLUMN_NAMES } from '../events.ts';
import { checkInstant, pageLimit } from '../inputs.ts';
import { unknownFacility } from '../refusals.ts';
import type { ReceiptCursor } from '../types.ts';
import type {
  FacilityWebhook,
  WebhookEventsPage,
  WebhookFailure,
  WebhookLease,
  WebhookStore,
} from '../webhook-types.ts';
import { cursorOf, positionOf, throughOf, webhookInput } from '../webhooks.ts';
import type { SqliteConnection } from './connection.ts';
import type { SqliteFacilities } from './facilities.ts';

/** The most events one call of events() returns. */
const EVENTS_MAX = 1000;

interface WebhookRow {
  facility_id: string;
  url: string;
  secret: string;
  created_at: string;
  since: string;
  cursor_at: string | null;
  cursor_id: string | null;
  batch_end_at: string | null;
  batch_end_id: string | null;
  attempts: number;
  next_attempt_at: string;
  last_attempt_at: string | null;
  last_status: string | null;
  last_error: string | null;
}

const WEBHOOK_COLUMNS = `facility_id, url, secret, created_at, since, cursor_at, cursor_id, batch_end_at,
  batch_end_id, attempts, next_attempt_at, last_attempt_at, last_status, last_error`;

/**
 * The webhook's undelivered events, as a condition on `e` given the webhook `w`. Times are UTC ISO text of
 * one length, so text order is time order; '' sorts before any stored position.
 */
const UNDELIVERED = `e.facility_id = w.facility_id AND e.received_at >= w.since
  AND (e.received_at, e.id) > (COALESCE(w.cursor_at, ''), COALESCE(w.cursor_id, ''))`;

/** A webhook due at @now, not leased, with an undelivered event received at or before @settled. */
const DUE = `w.next_attempt_at <= @now AND (w.lease_until IS NULL OR w.lease_until <= @now)
  AND EXISTS (SELECT 1 FROM events e WHERE ${UNDELIVERED} AND e.received_at <= @settled)`;

/** The facilities' outgoing webhooks (table facility_webhooks, migration 12) on SQLite. */
export class SqliteWebhooks implements WebhookStore {
  private readonly conn: SqliteConnection;
  private readonly facilities: SqliteFacilities;
  private readonly stmt;

  constructor(conn: SqliteConnection, facilities: SqliteFacilities) {
    this.conn = conn;
    this.facilities = facilities;
    const { db } = conn;
    this.stmt = {
      upsert: db.prepare<[{ f: string; url: string; secret: string; now: string }]>(
        `INSERT INTO facility_webhooks (facility_id, url, secret, created_at, since, attempts, next_attempt_at)
         VALUES (@f, @url, @secret, @now, @now, 0, @now)
         ON CONFLICT (facility_id) DO UPDATE SET url = excluded.url, secret = excluded.secret,
           attempts = 0, next_attempt_at = excluded.next_attempt_at`,
      ),
      get: db.prepare<[string], WebhookRow & { pending: number }>(
        `SELECT ${WEBHOOK_COLUMNS},
           (SELECT count(*) FROM events e WHERE ${UNDELIVERED}) AS pending
         FROM facility_webhooks w WHERE facility_id = ?`,
      ),
      remove: db.prepare<[string]>('DELETE FROM facility_webhooks WHERE facility_id = ?'),
      due: db.prepare<[{ now: string; settled: string }], { facility_id: string }>(
        `SELECT w.facility_id FROM facility_webhooks w WHERE ${DUE}
         ORDER BY w.next_attempt_at, w.facility_id LIMIT 1`,
      ),
      lease: db.prepare<[{ f: string; owner: string; until: string }], WebhookRow>(
        `UPDATE facility_webhooks SET lease_owner = @owner, lease_until = @until WHERE facility_id = @f
         RETURNING ${WEBHOOK_COLUMNS}`,
      ),
      events: db.prepare<
        [
          {
            f: string;
            since: string;
            afterAt: string;
            afterId: string;
            throughAt: string;
            throughId: string | null;
            limit: number;
          },
        ],
        EventColumns & { received_at: string }
      >(
        `SELECT ${EVENT_COLUMN_NAMES.join(', ')}, received_at FROM events
         WHERE facility_id = @f AND received_at >= @since AND (received_at, id) > (@afterAt, @afterId)
           AND (received_at < @throughAt
             OR (received_at = @throughAt AND (@throughId IS NULL OR id <= @throughId)))
         ORDER BY received_at, id LIMIT @limit`,
      ),
      delivered: db.prepare<
        [{ f: string; owner: string; at: string; id: string; status: string; now: string }]
      >(
        `UPDATE facility_webhooks SET cursor_at = @at, cursor_id = @id, batch_end_at = NULL,
           batch_end_id = NULL, attempts = 0, next_attempt_at = @now, last_attempt_at = @now,
           last_status = @status, last_error = NULL, lease_owner = NULL, lease_until = NULL
         WHERE facility_id = @f AND lease_owner = @owner`,
      ),
      failed: db.prepare<
        [
          {
            f: string;
            owner: string;
            status: string;
            error: string;
            endAt: string;
            endId: string;
            next: string;
            now: string;
          },
        ]
      >(
        `UPDATE facility_webhooks SET attempts = attempts + 1, next_attempt_at = @next,
           last_attempt_at = @now, last_status = @status, last_error = @error, batch_end_at = @endAt,
           batch_end_id = @endId, lease_owner = NULL, lease_until = NULL
         WHERE facility_id = @f AND lease_owner = @owner`,
      ),
      release: db.prepare<[string, string]>(
        `UPDATE facility_webhooks SET lease_owner = NULL, lease_until = NULL
         WHERE facility_id = ? AND lease_owner = ?`,
      ),
    };
  }

  set(facilityId: string, url: string, secret: string, now: Date): Promise<void> {
    return this.conn.run(() => {
      const input = webhookInput(facilityId, url, secret);
      this.conn.db
        .transaction(() => {
          if (this.facilities.find(input.facilityId) === undefined) throw unknownFacility(facilityId);
          this.stmt.upsert.run({
            f: input.facilityId,
            url: input.url,
            secret: input.secret,
            now: now.toISOString(),
          });
        })
        .immediate();
    });
  }

  get(facilityId: string): Promise<FacilityWebhook | undefined> {
    return this.conn.run(() => {
      const row = this.stmt.get.get(facilityId);
      if (row === undefined) return undefined;
      return {
        facilityId: row.facility_id,
        url: row.url,
        createdAt: row.created_at,
        since: row.since,
        cursor: cursorOf(row.cursor_at, row.cursor_id),
        attempts: row.attempts,
        nextAttemptAt: row.next_attempt_at,
        lastAttemptAt: row.last_attempt_at,
        lastStatus: row.last_status,
        lastError: row.last_error,
        pending: row.pending,
      };
    });
  }

  remove(facilityId: string): Promise<boolean> {
    return this.conn.run(() => this.stmt.remove.run(facilityId).changes > 0);
  }

  leaseDue(owner: string, now: Date, leaseUntil: Date, settled: Date): Promise<WebhookLease | undefined> {
    return this.conn.run(() => {
      const due = { now: now.toISOString(), settled: settled.toISOString() };
      // A plain read first: most polls find nothing due and then take no write lock.
      if (this.stmt.due.get(due) === undefined) return undefined;
      return this.conn.db
        .transaction(() => {
          // Again under the write lock: another process may have taken it since the read.
          const candidate = this.stmt.due.get(due);
          if (candidate === undefined) return undefined;
          const row = this.stmt.lease.get({
            f: candidate.facility_id,
            owner,
            until: leaseUntil.toISOString(),
          });
          if (row === undefined) return undefined;
          return {
            facilityId: row.facility_id,
            url: row.url,
            secret: row.secret,
            since: row.since,
            cursor: cursorOf(row.cursor_at, row.cursor_id),
            batchEnd: cursorOf(row.batch_end_at, row.batch_end_id),
            attempts: row.attempts,
            owner,
          };
        })
        .immediate();
    });
  }

  events(
    facilityId: string,
    since: string,
    after: ReceiptCursor | null,
    through: ReceiptCursor | Date,
    limit: number,
  ): Promise<WebhookEventsPage> {
    return this.conn.run(() => {
      const bound = throughOf(through);
      const from = after === null ? null : positionOf(after);
      const rows = this.stmt.events.all({
        f: facilityId,
        since: checkInstant(since, 'since'),
        afterAt: from?.receivedAt ?? '',
        afterId: from?.id ?? '',
        throughAt: bound.at,
        throughId: bound.id,
        limit: pageLimit(limit, EVENTS_MAX),
      });
      const last = rows.at(-1);
      return {
        events: rows.map(eventFromColumns),
        last: last === undefined ? null : { receivedAt: last.received_at, id: last.id },
      };
    });
  }

  delivered(
    facilityId: string,
    owner: string,
    last: ReceiptCursor,
    status: string,
    now: Date,
  ): Promise<boolean> {
    return this.conn.run(() => {
      const { receivedAt, id } = positionOf(last);
      const { changes } = this.stmt.delivered.run({
        f: facilityId,
        owner,
        at: receivedAt,
        id,
        status,
        now: now.toISOString(),
      });
      return changes > 0;
    });
  }

  failed(facilityId: string, owner: string, failure: WebhookFailure, now: Date): Promise<boolean> {
    return this.conn.run(() => {
      const end = positionOf(failure.batchEnd);
      const { changes } = this.stmt.failed.run({
        f: facilityId,
        owner,
        status: failure.status,
        error: failure.error,
        endAt: end.receivedAt,
        endId: end.id,
        next: failure.nextAttemptAt.toISOString(),
        now: now.toISOString(),
      });
      return changes > 0;
    });
  }

  release(facilityId: string, owner: string): Promise<void> {
    return this.conn.run(() => {
      this.stmt.release.run(facilityId, owner);
    });
  }
}
