import type { Db } from '../../../common/sqlite.ts';
import type { CloudRetention } from '../aggregates.ts';
import { checkId } from '../inputs.ts';
import { checkDisposal, countsFromText, disposalOf, retentionYearsOf, versionsToDrop } from '../retention.ts';
import type { CloudDisposal, CloudDisposalCounts, RetentionPolicy } from '../types.ts';
import { SqliteAggregate } from './aggregate.ts';

/** Events of a facility's days before the cutoff, but a void of a kept event stays with it. */
const EXPIRED_EVENTS = `facility_id = @facilityId AND local_date < @cutoff
  AND NOT (voids IS NOT NULL AND voids IN
    (SELECT id FROM events WHERE facility_id = @facilityId AND local_date >= @cutoff))`;

interface DisposalRow {
  facility_id: string;
  at: string;
  cutoff: string;
  retention_years: number;
  counts_json: string;
}

/** The aggregate's statements, prepared once on the connection's database. */
function statements(db: Db) {
  return {
    policies: db.prepare<[], { facility_id: string; time_zone: string; years: unknown }>(
      `SELECT f.facility_id, f.time_zone,
         (SELECT json_extract(v.snapshot, '$.retentionYears') FROM snapshot_versions v
           WHERE v.facility_id = f.facility_id ORDER BY v.version DESC LIMIT 1) AS years
       FROM facilities f ORDER BY f.facility_id`,
    ),
    deleteEvents: db.prepare<[{ facilityId: string; cutoff: string }]>(
      `DELETE FROM events WHERE ${EXPIRED_EVENTS}`,
    ),
    versions: db.prepare<[string], { version: number; effectiveFrom: string }>(
      `SELECT version, effective_from AS effectiveFrom FROM snapshot_versions WHERE facility_id = ?
       ORDER BY version`,
    ),
    deleteVersion: db.prepare<[string, number]>(
      'DELETE FROM snapshot_versions WHERE facility_id = ? AND version = ?',
    ),
    deleteAmendments: db.prepare<[string, string]>(
      'DELETE FROM amendments WHERE facility_id = ? AND local_date < ?',
    ),
    insert: db.prepare<[string, string, string, number, string]>(
      `INSERT INTO disposals (facility_id, at, cutoff, retention_years, counts_json)
       VALUES (?, ?, ?, ?, ?)`,
    ),
    disposals: db.prepare<[string], DisposalRow>(
      `SELECT facility_id, at, cutoff, retention_years, counts_json FROM disposals
       WHERE facility_id = ? ORDER BY id DESC`,
    ),
  };
}

/** Retention of each facility's records and the disposal records (table disposals). */
export class SqliteRetention extends SqliteAggregate implements CloudRetention {
  private readonly stmt = statements(this.conn.db);

  retentionPolicies(): Promise<RetentionPolicy[]> {
    return this.conn.run(() =>
      this.stmt.policies.all().map((r) => ({
        facilityId: r.facility_id,
        timeZone: r.time_zone,
        retentionYears: retentionYearsOf(r.years),
      })),
    );
  }

  disposeBefore(
    facilityId: string,
    cutoff: string,
    retentionYears: number,
  ): Promise<CloudDisposal | undefined> {
    return this.conn.run(() => {
      checkDisposal(facilityId, cutoff, retentionYears);
      return this.conn.db
        .transaction(() => {
          const events = this.stmt.deleteEvents.run({ facilityId, cutoff }).changes;
          let snapshots = 0;
          for (const version of versionsToDrop(this.stmt.versions.all(facilityId), cutoff)) {
            snapshots += this.stmt.deleteVersion.run(facilityId, version).changes;
          }
          const amendments = this.stmt.deleteAmendments.run(facilityId, cutoff).changes;
          const counts: CloudDisposalCounts = { events, snapshots, amendments };
          const at = this.conn.clock.now().toISOString();
          const disposal = disposalOf(facilityId, cutoff, retentionYears, counts, at);
          if (disposal !== undefined) {
            this.stmt.insert.run(facilityId, at, cutoff, retentionYears, JSON.stringify(counts));
          }
          return disposal;
        })
        .immediate();
    });
  }

  disposals(facilityId: string): Promise<CloudDisposal[]> {
    return this.conn.run(() => {
      checkId(facilityId, 'facilityId');
      return this.stmt.disposals.all(facilityId).map((r) => ({
        facilityId: r.facility_id,
        at: r.at,
        cutoff: r.cutoff,
        retentionYears: r.retention_years,
        counts: countsFromText(r.counts_json),
      }));
    });
  }
}
