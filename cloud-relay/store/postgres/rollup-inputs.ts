import type { CloudRollupInputs } from '../aggregates.ts';
import { checkDate } from '../inputs.ts';
import { EVENT_COLUMN_NAMES } from '../events.ts';
import { assembleRollupInputs } from '../orgs.ts';
import { snapshotFromText } from '../snapshots.ts';
import type { RollupInput } from '../types.ts';
import { eventFromRow, iso, type EventRow, type PgConnection } from './connection.ts';

/** The date's events of every facility of an organisation, plus voids dated later of those events. */
const ORG_DAY_EVENTS = `
  SELECT e.facility_id, ${EVENT_COLUMN_NAMES.map((c) => `e.${c}`).join(', ')}
  FROM facilities f JOIN events e ON e.facility_id = f.facility_id AND e.local_date = $2::date
  WHERE f.org_id = $1
  UNION ALL
  SELECT v.facility_id, ${EVENT_COLUMN_NAMES.map((c) => `v.${c}`).join(', ')}
  FROM facilities f
    JOIN events t ON t.facility_id = f.facility_id AND t.local_date = $2::date
    JOIN events v ON v.facility_id = t.facility_id AND (v.voids COLLATE "C") = t.id
  WHERE f.org_id = $1 AND v.voids IS NOT NULL AND v.local_date <> $2::date`;

/**
 * What the daily rollup of an organisation's facilities reads: the snapshots in effect on the date, last
 * relay times and the date's events, across facilities, hubs, snapshot_versions and events (a fixed
 * number of queries).
 */
export class PgRollupInputs implements CloudRollupInputs {
  private readonly conn: PgConnection;

  constructor(conn: PgConnection) {
    this.conn = conn;
  }

  async orgRollupInputs(orgId: string, date: string): Promise<RollupInput[]> {
    this.conn.checkOpen();
    checkDate(date);
    const [facilities, events] = await Promise.all([
      this.conn.pool.query<{ facility_id: string; snapshot: string | null; last_relay_at: Date | null }>(
        `SELECT f.facility_id,
           (SELECT s.snapshot FROM snapshot_versions s
            WHERE s.facility_id = f.facility_id AND s.effective_from <= $2
            ORDER BY s.version DESC LIMIT 1) AS snapshot,
           (SELECT max(h.last_relay_at) FROM hubs h WHERE h.facility_id = f.facility_id) AS last_relay_at
         FROM facilities f
         WHERE f.org_id = $1 ORDER BY f.facility_id`,
        [orgId, date],
      ),
      this.conn.pool.query<EventRow & { facility_id: string }>(ORG_DAY_EVENTS, [orgId, date]),
    ]);
    return assembleRollupInputs(
      facilities.rows.map((f) => ({
        facilityId: f.facility_id,
        snapshot: f.snapshot === null ? undefined : snapshotFromText(f.snapshot),
        lastRelayAt: iso(f.last_relay_at),
      })),
      events.rows.map((r) => ({ facilityId: r.facility_id, event: eventFromRow(r) })),
    );
  }
}
