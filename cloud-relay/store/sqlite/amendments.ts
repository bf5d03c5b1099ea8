import type { Amendment } from '../../../protocol/history.ts';
import type { CloudAmendments } from '../aggregates.ts';
import { amendmentFromText, amendmentText, amendmentVerdict } from '../amendments.ts';
import { CATCH_UP_PAGE_MAX } from '../../../protocol/resync.ts';
import { checkId, pageLimit } from '../inputs.ts';
import type { AmendmentCursor } from '../types.ts';
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
      after: db.prepare<[{ facility: string; at: string; id: string; limit: number }], { amendment: string }>(
        `SELECT amendment FROM amendments WHERE facility_id = @facility AND (at, correction_id) > (@at, @id)
         ORDER BY at, correction_id LIMIT @limit`,
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

  amendmentsAfter(facilityId: string, after: AmendmentCursor | null, limit: number): Promise<Amendment[]> {
    return this.conn.run(() =>
      this.stmt.after
        .all({
          facility: facilityId,
          at: after?.at ?? '',
          id: after?.correctionId ?? '',
          limit: pageLimit(limit, CATCH_UP_PAGE_MAX),
        })
        .map((r) => amendmentFromText(r.amendment)),
    );
  }
}
