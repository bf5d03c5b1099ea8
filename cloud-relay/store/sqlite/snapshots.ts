import { BEGINNING_OF_TIME } from '../../../protocol/history.ts';
import type { FacilitySnapshot, SnapshotVersion } from '../../../protocol/ledger.ts';
import type { CloudSnapshots } from '../aggregates.ts';
import { CATCH_UP_PAGE_MAX } from '../../../protocol/resync.ts';
import { checkDate, checkId, pageLimit } from '../inputs.ts';
import {
  checkSnapshotZone,
  ledgerVersionsOf,
  snapshotFromText,
  snapshotText,
  versionText,
  versionOfText,
  versionVerdict,
  type StoredVersionText,
} from '../snapshots.ts';
import type { SqliteConnection } from './connection.ts';
import type { SqliteFacilities } from './facilities.ts';
import type { SqliteHubs } from './hubs.ts';

interface VersionRow {
  version: number;
  effective_from: string;
  snapshot: string;
  legacy: number;
}

const storedOf = (r: VersionRow): StoredVersionText => ({
  version: r.version,
  effectiveFrom: r.effective_from,
  text: r.snapshot,
  legacy: r.legacy === 1,
});

/** The snapshot versions of each facility as its hubs relayed them (table snapshot_versions). */
export class SqliteSnapshots implements CloudSnapshots {
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
      insert: db.prepare<[string, number, string, string, number, string, string]>(
        `INSERT INTO snapshot_versions
           (facility_id, version, effective_from, snapshot, legacy, hub_id, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      version: db.prepare<[string, number], VersionRow>(
        `SELECT version, effective_from, snapshot, legacy FROM snapshot_versions
         WHERE facility_id = ? AND version = ?`,
      ),
      highest: db.prepare<[string], VersionRow>(
        `SELECT version, effective_from, snapshot, legacy FROM snapshot_versions
         WHERE facility_id = ? ORDER BY version DESC LIMIT 1`,
      ),
      dropLegacy: db.prepare<[string]>('DELETE FROM snapshot_versions WHERE facility_id = ? AND legacy = 1'),
      all: db.prepare<[string], VersionRow>(
        `SELECT version, effective_from, snapshot, legacy FROM snapshot_versions
         WHERE facility_id = ? ORDER BY version`,
      ),
      after: db.prepare<[string, number, number], VersionRow>(
        `SELECT version, effective_from, snapshot, legacy FROM snapshot_versions
         WHERE facility_id = ? AND version > ? ORDER BY version LIMIT ?`,
      ),
      inEffect: db.prepare<[string, string], { snapshot: string }>(
        `SELECT snapshot FROM snapshot_versions WHERE facility_id = ? AND effective_from <= ?
         ORDER BY version DESC LIMIT 1`,
      ),
    };
  }

  putSnapshot(facilityId: string, hubId: string, snapshot: FacilitySnapshot): Promise<number> {
    return this.conn.run(() => {
      checkId(facilityId, 'facilityId');
      checkId(hubId, 'hubId');
      const text = snapshotText(facilityId, snapshot);
      checkSnapshotZone(this.facilities.facilityOf(facilityId), snapshot);
      const now = this.conn.clock.now().toISOString();
      return this.conn.db
        .transaction(() => {
          this.hubs.touchHub(hubId, now);
          const highest = this.stmt.highest.get(facilityId);
          // An old hub sends its snapshot again after each restart: no new version for the same one.
          if (
            highest?.legacy === 1 &&
            highest.effective_from === BEGINNING_OF_TIME &&
            highest.snapshot === text
          ) {
            return highest.version;
          }
          const version = (highest?.version ?? 0) + 1;
          this.stmt.insert.run(facilityId, version, BEGINNING_OF_TIME, text, 1, hubId, now);
          return version;
        })
        .immediate();
    });
  }

  getSnapshot(facilityId: string, date: string): Promise<FacilitySnapshot | undefined> {
    return this.conn.run(() => {
      checkDate(date);
      const row = this.stmt.inEffect.get(facilityId, date);
      return row === undefined ? undefined : snapshotFromText(row.snapshot);
    });
  }

  putSnapshotVersion(facilityId: string, hubId: string, v: SnapshotVersion): Promise<boolean> {
    return this.conn.run(() => {
      checkId(facilityId, 'facilityId');
      checkId(hubId, 'hubId');
      const incoming = versionText(facilityId, v);
      checkSnapshotZone(this.facilities.facilityOf(facilityId), v.snapshot);
      const now = this.conn.clock.now().toISOString();
      return this.conn.db
        .transaction(() => {
          this.stmt.dropLegacy.run(facilityId);
          const row = this.stmt.version.get(facilityId, incoming.version);
          const verdict = versionVerdict(facilityId, incoming, row && storedOf(row));
          if (verdict === 'store') {
            this.stmt.insert.run(
              facilityId,
              incoming.version,
              incoming.effectiveFrom,
              incoming.text,
              0,
              hubId,
              now,
            );
          }
          this.hubs.touchHub(hubId, now);
          return verdict === 'store';
        })
        .immediate();
    });
  }

  versionsAfter(facilityId: string, after: number, limit: number): Promise<SnapshotVersion[]> {
    return this.conn.run(() =>
      this.stmt.after
        .all(facilityId, after, pageLimit(limit, CATCH_UP_PAGE_MAX))
        .map((r) => versionOfText(storedOf(r))),
    );
  }

  ledgerVersions(facilityId: string, from: string, to: string): Promise<SnapshotVersion[]> {
    return this.conn.run(() => ledgerVersionsOf(this.stmt.all.all(facilityId).map(storedOf), from, to));
  }
}
