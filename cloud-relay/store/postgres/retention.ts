import type { CloudRetention } from '../aggregates.ts';
import { checkId } from '../inputs.ts';
import { checkDisposal, countsFromText, disposalOf, retentionYearsOf, versionsToDrop } from '../retention.ts';
import type { CloudDisposal, CloudDisposalCounts, RetentionPolicy } from '../types.ts';
import type { PgConnection } from './connection.ts';

interface DisposalRow {
  facility_id: string;
  at: Date;
  cutoff: string;
  retention_years: number;
  counts_json: string;
}

/** Retention of each facility's records and the disposal records (table disposals). */
export class PgRetention implements CloudRetention {
  private readonly conn: PgConnection;

  constructor(conn: PgConnection) {
    this.conn = conn;
  }

  async retentionPolicies(): Promise<RetentionPolicy[]> {
    this.conn.checkOpen();
    // The snapshot is stored as text (served as sent); only its retentionYears is read here.
    const { rows } = await this.conn.pool.query<{
      facility_id: string;
      time_zone: string;
      years: string | null;
    }>(
      `SELECT f.facility_id, f.time_zone,
         (SELECT v.snapshot::json ->> 'retentionYears' FROM snapshot_versions v
           WHERE v.facility_id = f.facility_id ORDER BY v.version DESC LIMIT 1) AS years
       FROM facilities f ORDER BY f.facility_id`,
    );
    return rows.map((r) => ({
      facilityId: r.facility_id,
      timeZone: r.time_zone,
      retentionYears: retentionYearsOf(r.years),
    }));
  }

  async disposeBefore(
    facilityId: string,
    cutoff: string,
    retentionYears: number,
  ): Promise<CloudDisposal | undefined> {
    this.conn.checkOpen();
    checkDisposal(facilityId, cutoff, retentionYears);
    return this.conn.transaction(async (client) => {
      // A void of a kept event stays with it, whatever its own day.
      const events = await client.query(
        `DELETE FROM events WHERE facility_id = $1 AND local_date < $2
           AND NOT (voids IS NOT NULL AND voids IN
             (SELECT id FROM events WHERE facility_id = $1 AND local_date >= $2))`,
        [facilityId, cutoff],
      );
      // Locks the facility's versions: an upload in between must not slip under the decision.
      const { rows } = await client.query<{ version: string; effective_from: string }>(
        `SELECT version, effective_from FROM snapshot_versions WHERE facility_id = $1
         ORDER BY version FOR UPDATE`,
        [facilityId],
      );
      const drop = versionsToDrop(
        rows.map((r) => ({ version: Number(r.version), effectiveFrom: r.effective_from })),
        cutoff,
      );
      const snapshots =
        drop.length === 0
          ? 0
          : ((
              await client.query(
                'DELETE FROM snapshot_versions WHERE facility_id = $1 AND version = ANY($2::bigint[])',
                [facilityId, drop],
              )
            ).rowCount ?? 0);
      const amendments = await client.query(
        'DELETE FROM amendments WHERE facility_id = $1 AND local_date < $2',
        [facilityId, cutoff],
      );
      const counts: CloudDisposalCounts = {
        events: events.rowCount ?? 0,
        snapshots,
        amendments: amendments.rowCount ?? 0,
      };
      const at = this.conn.clock.now().toISOString();
      const disposal = disposalOf(facilityId, cutoff, retentionYears, counts, at);
      if (disposal !== undefined) {
        await client.query(
          `INSERT INTO disposals (facility_id, at, cutoff, retention_years, counts_json)
           VALUES ($1, $2, $3, $4, $5)`,
          [facilityId, at, cutoff, retentionYears, JSON.stringify(counts)],
        );
      }
      return disposal;
    });
  }

  async disposals(facilityId: string): Promise<CloudDisposal[]> {
    this.conn.checkOpen();
    checkId(facilityId, 'facilityId');
    const { rows } = await this.conn.pool.query<DisposalRow>(
      `SELECT facility_id, at, cutoff, retention_years, counts_json FROM disposals
       WHERE facility_id = $1 ORDER BY id DESC`,
      [facilityId],
    );
    return rows.map((r) => ({
      facilityId: r.facility_id,
      at: r.at.toISOString(),
      cutoff: r.cutoff,
      retentionYears: r.retention_years,
      counts: countsFromText(r.counts_json),
    }));
  }
}
