import type { Amendment } from '../../../protocol/history.ts';
import type { CloudAmendments } from '../aggregates.ts';
import { amendmentFromText, amendmentText, amendmentVerdict } from '../amendments.ts';
import { CATCH_UP_PAGE_MAX } from '../../../protocol/resync.ts';
import { checkId, pageLimit } from '../inputs.ts';
import type { AmendmentCursor } from '../types.ts';
import { unknownFacility } from '../refusals.ts';
import { checkDateRange } from '../snapshots.ts';
import type { PgConnection } from './connection.ts';
import type { PgHubs } from './hubs.ts';

/** The amendments of each facility as its hubs relayed them (table amendments). */
export class PgAmendments implements CloudAmendments {
  private readonly conn: PgConnection;
  private readonly hubs: PgHubs;

  constructor(conn: PgConnection, hubs: PgHubs) {
    this.conn = conn;
    this.hubs = hubs;
  }

  async putAmendment(facilityId: string, hubId: string, amendment: Amendment): Promise<boolean> {
    this.conn.checkOpen();
    checkId(facilityId, 'facilityId');
    checkId(hubId, 'hubId');
    const incoming = amendmentText(amendment);
    const { correctionId, date, at, text } = incoming;
    const now = this.conn.clock.now().toISOString();
    // One statement: inserted, or else the stored copy to compare (ON CONFLICT waits for a concurrent
    // insert of the same id; the second statement then sees it).
    const inserted = await this.conn.pool.query(
      `INSERT INTO amendments (facility_id, correction_id, local_date, at, amendment, hub_id, received_at)
       SELECT facility_id, $2, $3, $4, $5, $6, $7 FROM facilities WHERE facility_id = $1
       ON CONFLICT (facility_id, correction_id) DO NOTHING
       RETURNING correction_id`,
      [facilityId, correctionId, date, at, text, hubId, now],
    );
    const stored = inserted.rows.length === 1;
    if (!stored) {
      const { rows } = await this.conn.pool.query<{ amendment: string }>(
        'SELECT amendment FROM amendments WHERE facility_id = $1 AND correction_id = $2',
        [facilityId, correctionId],
      );
      const existing = rows[0]?.amendment;
      if (existing === undefined) throw unknownFacility(facilityId);
      // The same content again, or a refusal.
      amendmentVerdict(facilityId, incoming, existing);
    }
    await this.hubs.touchHub(hubId, now);
    return stored;
  }

  async amendments(facilityId: string, from: string, to: string): Promise<Amendment[]> {
    this.conn.checkOpen();
    checkDateRange(from, to);
    const { rows } = await this.conn.pool.query<{ amendment: string }>(
      `SELECT amendment FROM amendments WHERE facility_id = $1 AND local_date BETWEEN $2 AND $3
       ORDER BY at, correction_id`,
      [facilityId, from, to],
    );
    return rows.map((r) => amendmentFromText(r.amendment));
  }

  async amendmentsAfter(
    facilityId: string,
    after: AmendmentCursor | null,
    limit: number,
  ): Promise<Amendment[]> {
    this.conn.checkOpen();
    const { rows } = await this.conn.pool.query<{ amendment: string }>(
      `SELECT amendment FROM amendments
       WHERE facility_id = $1 AND (at, correction_id) > ($2::text COLLATE "C", $3::text COLLATE "C")
       ORDER BY at, correction_id LIMIT $4`,
      [facilityId, after?.at ?? '', after?.correctionId ?? '', pageLimit(limit, CATCH_UP_PAGE_MAX)],
    );
    return rows.map((r) => amendmentFromText(r.amendment));
  }
}
