import type { FacilitySnapshot } from '../../../protocol/ledger.ts';
import type { CloudSnapshots } from '../aggregates.ts';
import { checkId } from '../inputs.ts';
import { unknownFacility } from '../refusals.ts';
import { checkSnapshotZone, snapshotFromText, snapshotText } from '../snapshots.ts';
import type { PgConnection } from './connection.ts';
import type { PgFacilities } from './facilities.ts';
import type { PgHubs } from './hubs.ts';

/**
 * Stores the snapshot only while the facility has the zone the caller checked against; no row comes
 * back when the facility does not exist (zones never change, so that is the only other outcome).
 */
const PUT_SNAPSHOT = `
  INSERT INTO facility_snapshots (facility_id, snapshot, hub_id, updated_at)
  SELECT facility_id, $2, $3, $4 FROM facilities WHERE facility_id = $1
  ON CONFLICT (facility_id) DO UPDATE SET snapshot = EXCLUDED.snapshot, hub_id = EXCLUDED.hub_id,
    updated_at = EXCLUDED.updated_at
  RETURNING facility_id`;

/** The latest snapshot of each facility as a hub relayed it (table facility_snapshots). */
export class PgSnapshots implements CloudSnapshots {
  private readonly conn: PgConnection;
  private readonly facilities: PgFacilities;
  private readonly hubs: PgHubs;

  constructor(conn: PgConnection, facilities: PgFacilities, hubs: PgHubs) {
    this.conn = conn;
    this.facilities = facilities;
    this.hubs = hubs;
  }

  async putSnapshot(facilityId: string, hubId: string, snapshot: FacilitySnapshot): Promise<void> {
    this.conn.checkOpen();
    checkId(facilityId, 'facilityId');
    checkId(hubId, 'hubId');
    const text = snapshotText(facilityId, snapshot);
    // The zone is checked from the cache (a facility's zone never changes); the statement itself
    // fails to insert when the facility does not exist.
    checkSnapshotZone(await this.facilities.facilityOf(facilityId), snapshot);
    const now = this.conn.clock.now().toISOString();
    const { rows } = await this.conn.pool.query(PUT_SNAPSHOT, [facilityId, text, hubId, now]);
    if (rows.length === 0) throw unknownFacility(facilityId);
    await this.hubs.touchHub(hubId, now);
  }

  async getSnapshot(facilityId: string): Promise<FacilitySnapshot | undefined> {
    this.conn.checkOpen();
    const { rows } = await this.conn.pool.query<{ snapshot: string }>(
      'SELECT snapshot FROM facility_snapshots WHERE facility_id = $1',
      [facilityId],
    );
    const row = rows[0];
    return row === undefined ? undefined : snapshotFromText(row.snapshot);
  }
}
