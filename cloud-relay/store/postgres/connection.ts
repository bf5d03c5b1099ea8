import type { ClientBase, Pool, PoolClient } from 'pg';
import { eventFromColumns, type EventColumns } from '../../../common/event-store.ts';
import { GenkanError } from '../../../common/errors.ts';
import type { Logger } from '../../../common/logger.ts';
import type { Clock } from '../../../common/time.ts';
import type { AttendanceEvent } from '../../../protocol/index.ts';
import type { CloudConnection } from '../aggregates.ts';
import { EVENT_COLUMN_NAMES } from '../events.ts';

/*
 * Shared by the aggregates of the PostgreSQL cloud store: the pool with its open/closed state and
 * transactions, and how event rows come back.
 */

export type EventRow = Omit<EventColumns, 'seq'> & { seq: string };

export const EVENT_COLUMNS = EVENT_COLUMN_NAMES.join(', ');

export type Queryable = Pick<ClientBase, 'query'>;

export const iso = (value: Date | null): string | null => (value === null ? null : value.toISOString());

/** bigint comes back as text; seq is a safe integer by the protocol's schema. */
export function eventFromRow(row: EventRow): AttendanceEvent {
  return eventFromColumns({ ...row, seq: Number(row.seq) });
}

/** The pool every aggregate queries through; closing it closes the store for all of them. */
export class PgConnection implements CloudConnection {
  readonly pool: Pool;
  readonly log: Logger;
  readonly clock: Clock;
  private closed = false;

  constructor(pool: Pool, logger: Logger, clock: Clock) {
    this.pool = pool;
    this.log = logger;
    this.clock = clock;
  }

  checkOpen(): void {
    if (this.closed) throw new GenkanError('store_closed', 'the cloud store is closed');
  }

  async ping(): Promise<void> {
    this.checkOpen();
    await this.pool.query('SELECT 1');
  }

  waitingForConnection(): number {
    return this.pool.waitingCount;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** Runs `work` in one transaction on one pooled connection; any throw rolls it back. */
  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        // A connection that cannot roll back is discarded rather than returned to the pool.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw err;
    } finally {
      client.release(broken);
    }
  }
}
