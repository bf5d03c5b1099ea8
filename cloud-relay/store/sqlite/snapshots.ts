import type { FacilitySnapshot } from '../../../protocol/ledger.ts';
import type { CloudSnapshots } from '../aggregates.ts';
import { checkId } from '../inputs.ts';
import { checkSnapshotZone, snapshotFromText, snapshotText } from '../snapshots.ts';
import type { SqliteConnection } from './connection.ts';
import type { SqliteFacilities } from './facilities.ts';
import type { SqliteHubs } from './hubs.ts';

/** The latest snapshot of each facility as a hub relayed it (table facility_snapshots). */
export class SqliteSnapshots implements CloudSnapshots {
  private readonly conn: SqliteConnection;
  private readonly facilities: SqliteFacilities;
  private readonly hubs: SqliteHubs;
  private readonly stmt;

  constructor(conn: SqliteConnection, facilities: SqliteFacilities, hubs: SqliteHubs) {
    this.conn = conn;
    this.facilities = facilities;
    this.hubs = hubs;
    this.stmt = {
      putSnapshot: conn.db.prepare<[string, string, string, string]>(
        `INSERT INTO facility_snapshots (facility_id, snapshot, hub_id, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (facility_id) DO UPDATE SET snapshot = excluded.snapshot, hub_id = excluded.hub_id,
           updated_at = excluded.updated_at`,
      ),
      snapshot: conn.db.prepare<[string], { snapshot: string }>(
        'SELECT snapshot FROM facility_snapshots WHERE facility_id = ?',
      ),
    };
  }

  putSnapshot(facilityId: string, hubId: string, snapshot: FacilitySnapshot): Promise<void> {
    return this.conn.run(() => {
      checkId(facilityId, 'facilityId');
      checkId(hubId, 'hubId');
      const text = snapshotText(facilityId, snapshot);
      checkSnapshotZone(this.facilities.facilityOf(facilityId), snapshot);
      const now = this.conn.clock.now().toISOString();
      this.conn.db.transaction(() => {
        this.stmt.putSnapshot.run(facilityId, text, hubId, now);
        this.hubs.touchHub(hubId, now);
      })();
    });
  }

  getSnapshot(facilityId: string): Promise<FacilitySnapshot | undefined> {
    return this.conn.run(() => {
      const row = this.stmt.snapshot.get(facilityId);
      return row === undefined ? undefined : snapshotFromText(row.snapshot);
    });
  }
}
