import type { PoolClient } from 'pg';
import { BEGINNING_OF_TIME } from '../../../protocol/history.ts';
import type { FacilitySnapshot, SnapshotVersion } from '../../../protocol/ledger.ts';
import type { CloudSnapshots } from '../aggregates.ts';
import { CATCH_UP_PAGE_MAX } from '../../../protocol/resync.ts';
import { checkDate, checkId, pageLimit } from '../inputs.ts';
import { unknownFacility } from '../refusals.ts';
import {
  checkDateRange,
  checkSnapshotZone,
  ledgerVersionsOf,
  snapshotFromText,
  snapshotText,
  versionText,
  versionOfText,
  versionVerdict,
  type StoredVersionText,
} from '../snapshots.ts';
import type { PgConnection } from './connection.ts';
import type { PgFacilities } from './facilities.ts';
import type { PgHubs } from './hubs.ts';

/** bigint comes back as text. */
interface VersionRow {
  version: string;
  effective_from: string;
  snapshot: string;
  legacy: boolean;
}

const COLUMNS = 'version, effective_from, snapshot, legacy';

const storedOf = (r: VersionRow): StoredVersionText => ({
  version: Number(r.version),
  effectiveFrom: r.effective_from,
  text: r.snapshot,
  legacy: r.legacy,
});

const INSERT = `
  INSERT INTO snapshot_versions (facility_id, version, effective_from, snapshot, legacy, hub_id, received_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7)`;

/**
 * Serialises the writers of one facility's versions (read, decide, write) on its row. NO KEY UPDATE does
 * not conflict with the key-share locks of event inserts' foreign key checks.
 */
async function lockFacility(client: PoolClient, facilityId: string): Promise<void> {
  const { rows } = await client.query('SELECT 1 FROM facilities WHERE facility_id = $1 FOR NO KEY UPDATE', [
    facilityId,
  ]);
  if (rows.length === 0) throw unknownFacility(facilityId);
}

/** The snapshot versions of each facility as its hubs relayed them (table snapshot_versions). */
export class PgSnapshots implements CloudSnapshots {
  private readonly conn: PgConnection;
  private readonly facilities: PgFacilities;
  private readonly hubs: PgHubs;

  constructor(conn: PgConnection, facilities: PgFacilities, hubs: PgHubs) {
    this.conn = conn;
    this.facilities = facilities;
    this.hubs = hubs;
  }

  async putSnapshot(facilityId: string, hubId: string, snapshot: FacilitySnapshot): Promise<number> {
    this.conn.checkOpen();
    checkId(facilityId, 'facilityId');
    checkId(hubId, 'hubId');
    const text = snapshotText(facilityId, snapshot);
    // The zone is checked from the cache (a facility's zone never changes).
    checkSnapshotZone(await this.facilities.facilityOf(facilityId), snapshot);
    const now = this.conn.clock.now().toISOString();
    const version = await this.conn.transaction(async (client) => {
      await lockFacility(client, facilityId);
      const { rows } = await client.query<VersionRow>(
        `SELECT ${COLUMNS} FROM snapshot_versions WHERE facility_id = $1 ORDER BY version DESC LIMIT 1`,
        [facilityId],
      );
      const highest = rows[0] && storedOf(rows[0]);
      // An old hub sends its snapshot again after each restart: no new version for the same one.
      if (highest?.legacy === true && highest.effectiveFrom === BEGINNING_OF_TIME && highest.text === text) {
        return highest.version;
      }
      const next = (highest?.version ?? 0) + 1;
      await client.query(INSERT, [facilityId, next, BEGINNING_OF_TIME, text, true, hubId, now]);
      return next;
    });
    await this.hubs.touchHub(hubId, now);
    return version;
  }

  async getSnapshot(facilityId: string, date: string): Promise<FacilitySnapshot | undefined> {
    this.conn.checkOpen();
    checkDate(date);
    const { rows } = await this.conn.pool.query<{ snapshot: string }>(
      `SELECT snapshot FROM snapshot_versions WHERE facility_id = $1 AND effective_from <= $2
       ORDER BY version DESC LIMIT 1`,
      [facilityId, date],
    );
    const row = rows[0];
    return row === undefined ? undefined : snapshotFromText(row.snapshot);
  }

  async putSnapshotVersion(facilityId: string, hubId: string, v: SnapshotVersion): Promise<boolean> {
    this.conn.checkOpen();
    checkId(facilityId, 'facilityId');
    checkId(hubId, 'hubId');
    const incoming = versionText(facilityId, v);
    checkSnapshotZone(await this.facilities.facilityOf(facilityId), v.snapshot);
    const now = this.conn.clock.now().toISOString();
    const stored = await this.conn.transaction(async (client) => {
      await lockFacility(client, facilityId);
      await client.query('DELETE FROM snapshot_versions WHERE facility_id = $1 AND legacy', [facilityId]);
      const { rows } = await client.query<VersionRow>(
        `SELECT ${COLUMNS} FROM snapshot_versions WHERE facility_id = $1 AND version = $2`,
        [facilityId, incoming.version],
      );
      const verdict = versionVerdict(facilityId, incoming, rows[0] && storedOf(rows[0]));
      if (verdict === 'store') {
        await client.query(INSERT, [
          facilityId,
          incoming.version,
          incoming.effectiveFrom,
          incoming.text,
          false,
          hubId,
          now,
        ]);
      }
      return verdict === 'store';
    });
    await this.hubs.touchHub(hubId, now);
    return stored;
  }

  async ledgerVersions(facilityId: string, from: string, to: string): Promise<SnapshotVersion[]> {
    this.conn.checkOpen();
    // Checked before the query: a malformed range must not cost a round trip.
    checkDateRange(from, to);
    const { rows } = await this.conn.pool.query<VersionRow>(
      `SELECT ${COLUMNS} FROM snapshot_versions WHERE facility_id = $1 ORDER BY version`,
      [facilityId],
    );
    return ledgerVersionsOf(rows.map(storedOf), from, to);
  }

  async versionsAfter(facilityId: string, after: number, limit: number): Promise<SnapshotVersion[]> {
    this.conn.checkOpen();
    const { rows } = await this.conn.pool.query<VersionRow>(
      `SELECT ${COLUMNS} FROM snapshot_versions WHERE facility_id = $1 AND version > $2
       ORDER BY version LIMIT $3`,
      [facilityId, after, pageLimit(limit, CATCH_UP_PAGE_MAX)],
    );
    return rows.map((r) => versionOfText(storedOf(r)));
  }
}
