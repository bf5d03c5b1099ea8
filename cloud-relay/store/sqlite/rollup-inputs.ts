import { eventFromColumns, type EventColumns } from '../../../common/event-store.ts';
import type { CloudRollupInputs } from '../aggregates.ts';
import { EVENT_COLUMN_NAMES } from '../events.ts';
import { checkDate } from '../inputs.ts';
import { assembleRollupInputs } from '../orgs.ts';
import { snapshotFromText } from '../snapshots.ts';
import type { RollupInput } from '../types.ts';
import type { SqliteConnection } from './connection.ts';

interface RollupFacilityRow {
  facility_id: string;
  snapshot: string | null;
  last_relay_at: string | null;
}

/** The date's events of every facility of an organisation, plus voids dated later of those events. */
const ORG_DAY_EVENTS = `
  SELECT e.facility_id, ${EVENT_COLUMN_NAMES.map((c) => `e.${c}`).join(', ')}
  FROM facilities f JOIN events e ON e.facility_id = f.facility_id AND e.local_date = @date
  WHERE f.org_id = @org
  UNION ALL
  SELECT v.facility_id, ${EVENT_COLUMN_NAMES.map((c) => `v.${c}`).join(', ')}
  FROM facilities f
    JOIN events t ON t.facility_id = f.facility_id AND t.local_date = @date
    JOIN events v ON v.facility_id = t.facility_id AND v.voids = t.id
  WHERE f.org_id = @org AND v.voids IS NOT NULL AND v.local_date <> @date`;

/**
 * What the daily rollup of an organisation's facilities reads: the snapshots in effect on the date, last
 * relay times and the date's events, across facilities, hubs, snapshot_versions and events (a fixed
 * number of queries).
 */
export class SqliteRollupInputs implements CloudRollupInputs {
  private readonly conn: SqliteConnection;
  private readonly stmt;

  constructor(conn: SqliteConnection) {
    this.conn = conn;
    this.stmt = {
      rollupFacilities: conn.db.prepare<[{ org: string; date: string }], RollupFacilityRow>(
        `SELECT f.facility_id,
           (SELECT s.snapshot FROM snapshot_versions s
            WHERE s.facility_id = f.facility_id AND s.effective_from <= @date
            ORDER BY s.version DESC LIMIT 1) AS snapshot,
           (SELECT max(h.last_relay_at) FROM hubs h WHERE h.facility_id = f.facility_id) AS last_relay_at
         FROM facilities f
         WHERE f.org_id = @org ORDER BY f.facility_id`,
      ),
      orgDayEvents: conn.db.prepare<[{ org: string; date: string }], EventColumns & { facility_id: string }>(
        ORG_DAY_EVENTS,
      ),
    };
  }

  orgRollupInputs(orgId: string, date: string): Promise<RollupInput[]> {
    return this.conn.run(() => {
      checkDate(date);
      const facilities = this.stmt.rollupFacilities.all({ org: orgId, date });
      const events = this.stmt.orgDayEvents.all({ org: orgId, date });
      return assembleRollupInputs(
        facilities.map((f) => ({
          facilityId: f.facility_id,
          snapshot: f.snapshot === null ? undefined : snapshotFromText(f.snapshot),
          lastRelayAt: f.last_relay_at,
        })),
        events.map((e) => ({ facilityId: e.facility_id, event: eventFromColumns(e) })),
      );
    });
  }
}
