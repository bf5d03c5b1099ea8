import { eventFromColumns, type EventColumns } from '../../../common/event-store.ts';
import type { Db } from '../../../common/sqlite.ts';
import { EVENT_COLUMN_NAMES } from '../events.ts';
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
import { SqliteFacilityAggregate } from './aggregate.ts';

/**
 * The webhook's undelivered events, as a condition on `e` given the webhook `w`. Times are UTC ISO text of
 * one length, so text order is time order; '' sorts before any stored position.
 */
const UNDELIVERED = `e.facility_id = w.facility_id AND e.received_at >= w.since
  AND (e.received_at, e.id) > (COALESCE(w.cursor_at, ''), COALESCE(w.cursor_id, ''))`;

/** A webhook due at @now, not leased, with an undelivered event received at or before @settled. */
const DUE = `w.next_attempt_at <= @now AND (w.lease_until IS NULL OR w.lease_until <= @now)
  AND EXISTS (SELECT 1 FROM events e WHERE ${UNDELIVERED} AND e.received_at <= @settled)`;

/** The aggregate's statements, prepared once on the connection's database. */
function statements(db: Db) {
  return {
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

/** The facilities' outgoing webhooks (table facility_webhooks, migration 12) on SQLite. */
export class SqliteWebhooks extends SqliteFacilityAggregate implements WebhookStore {
  private readonly stmt = statements(this.conn.db);

  set(facilityId: string, url: string, secret: string, now: Date): Promise<void> {
    return this.conn.run(() => {
      const input = webhookInput(facilityId, url, secret);
      this.conn.db
        .transaction(() => {
          this.facilities.facilityOf(input.facilityId);
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
      return row === undefined ? undefined : webhookOf(row, row.pending);
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
          return row === undefined ? undefined : leaseOf(row, owner);
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
      const range = eventsRange(since, after, through, limit);
      const rows = this.stmt.events.all({
        f: facilityId,
        since: range.since,
        afterAt: range.after?.receivedAt ?? '',
        afterId: range.after?.id ?? '',
        throughAt: range.through.at,
        throughId: range.through.id,
        limit: range.limit,
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
