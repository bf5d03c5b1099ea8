import { GenkanError } from '../../../common/errors.ts';
import type { Logger } from '../../../common/logger.ts';
import type { Db } from '../../../common/sqlite.ts';
import type { Clock } from '../../../common/time.ts';
import type { CloudConnection } from '../aggregates.ts';

/*
 * Shared by the aggregates of the SQLite cloud store: the database with its open/closed state, and how
 * its synchronous work is served behind the async CloudStore interface.
 */

/** Runs synchronous SQLite work behind the async CloudStore interface; a throw becomes a rejection. */
export function settle<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => {
    resolve(work());
  });
}

/** The database every aggregate prepares its statements on; closing it closes the store for all of them. */
export class SqliteConnection implements CloudConnection {
  readonly db: Db;
  readonly log: Logger;
  readonly clock: Clock;
  private closed = false;
  private readonly pingStmt;

  constructor(db: Db, logger: Logger, clock: Clock) {
    this.db = db;
    this.log = logger;
    this.clock = clock;
    this.pingStmt = db.prepare<[], { one: number }>('SELECT 1 AS one');
  }

  /** Runs `work` unless the store is closed, as a promise. */
  run<T>(work: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new GenkanError('store_closed', 'the cloud store is closed'));
    return settle(work);
  }

  ping(): Promise<void> {
    return this.run(() => {
      this.pingStmt.get();
    });
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.db.close();
    }
    return Promise.resolve();
  }
}
