import type { SqliteConnection } from './connection.ts';
import type { SqliteFacilities } from './facilities.ts';

/*
 * What an aggregate of the SQLite store holds: the one connection, and for those that check or create
 * facilities inside their own transactions, the facilities aggregate. A subclass prepares its statements
 * in a field initialiser (`private readonly stmt = statements(this.conn.db)`): subclass fields are
 * initialised after these constructors have run, so `conn` is set by then.
 */

export abstract class SqliteAggregate {
  protected readonly conn: SqliteConnection;

  constructor(conn: SqliteConnection) {
    this.conn = conn;
  }
}

export abstract class SqliteFacilityAggregate extends SqliteAggregate {
  protected readonly facilities: SqliteFacilities;

  constructor(conn: SqliteConnection, facilities: SqliteFacilities) {
    super(conn);
    this.facilities = facilities;
  }
}
