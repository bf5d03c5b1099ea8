import type { Amendment } from '../../../protocol/history.ts';
import type { CloudAmendments } from '../aggregates.ts';
import { amendmentFromText, amendmentText, amendmentVerdict } from '../amendments.ts';
import { checkId } from '../inputs.ts';
import { checkDateRange } from '../snapshots.ts';
import type { SqliteConnection } from './connection.ts';
import type { SqliteFacilities } from './facilities.ts';
import type { SqliteHubs } from './hubs.ts';

/** The amendments of each facility as its hubs relayed them (table amendments). */
export class SqliteAmendments implements CloudAmendments {
  private readonly conn: SqliteConnection;
  private readonly facilities: SqliteFacilities;
  private readonly hubs: SqliteHubs;
  private readonly stmt;

  constructor(conn: SqliteConnection, facilities: SqliteFacilities, hubs: SqliteHubs) {
    this.conn = conn;
    this.facilities = facilities;
    this.hubs = hubs;
    const { db } = conn;
    this.stmt = {
      insert: db.prepare<[string, string, string, string, string, string, string]>(
        `INSERT INTO amendments (facility_id, correction_id, local_date, at, amendment, hub_id, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      one: db.prepare<[string, string], { amendment: string }>(
        'SELECT amendment FROM amendments WHERE facility_id = ? AND correction_id = ?',
      ),
      between: db.prepare<[string, string, string], { amendment: string }>(
        `SELECT amendment FROM amendments WHERE facility_id = ? AND local_date BETWEEN ? AND ?
         ORDER BY at, correction_id`,
      ),
    };
  }

  putAmendment(facilityId: string, hubId: string, amendment: Amendment): Promise<boolean> {
    return this.conn.run(() => {
      checkId(facilityId, 'facilityId');
      checkId(hubId, 'hubId');
      const incoming = amendmentText(amendment);
      this.facilities.facilityOf(facilityId);
      const now = this.conn.clock.now().toISOString();
      return this.conn.db
        .transaction(() => {
          const stored = this.stmt.one.get(facilityId, incoming.correctionId)?.amendment;
          const verdict = amendmentVerdict(facilityId, incoming, stored);
          if (verdict === 'store') {
            const { correctionId, date, at, text } = incoming;
            this.stmt.insert.run(facilityId, correctionId, date, at, text, hubId, now);
          }
          this.hubs.touchHub(hubId, now);
          return verdict === 'store';
        })
        .immediate();
    });
  }

  amendments(facilityId: string, from: string, to: string): Promise<Amendment[]> {
    return this.conn.run(() => {
      checkDateRange(from, to);
      return this.stmt.between.all(facilityId, from, to).map((r) => amendmentFromText(r.amendment));
    });
  }
}
