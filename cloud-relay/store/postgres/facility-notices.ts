import type { FacilityNoticeRead, FacilityNoticeUpload } from '../../../protocol/facility-notices.ts';
import type {
  FacilityNoticeStore,
  GuardianFacilityNotice,
  StoredFacilityNotice,
} from '../facility-notice-types.ts';
import {
  facilityNoticeColumns,
  facilityNoticeOf,
  guardianNoticeOf,
  readOf,
  UUID_RE,
  type GuardianNoticeRow,
  type StoredFacilityNoticeRow,
} from '../facility-notices.ts';
import { unknownFacility } from '../refusals.ts';
import type { PgConnection, Queryable } from './connection.ts';
import { lockSeq, READ_SELECT, readRow, takeSeq, type PgReadRow } from './parent-messages.ts';

/** Whether the guardian ($2) is among the notice's recipients (n.guardian_ids, a JSON array). */
const FOR_GUARDIAN = 'n.guardian_ids::jsonb ? $2';

/** The facility's notices to parents and the guardians' reads (migration 13) on PostgreSQL. */
export class PgFacilityNotices implements FacilityNoticeStore {
  private readonly conn: PgConnection;

  constructor(conn: PgConnection) {
    this.conn = conn;
  }

  async putFacilityNotice(facilityId: string, hubId: string, upload: FacilityNoticeUpload): Promise<boolean> {
    this.conn.checkOpen();
    const c = facilityNoticeColumns(facilityId, upload);
    const now = this.conn.clock.now().toISOString();
    return this.conn.transaction(async (client) => {
      const facility = await client.query('SELECT 1 FROM facilities WHERE facility_id = $1', [facilityId]);
      if (facility.rowCount === 0) throw unknownFacility(facilityId);
      const { rowCount } = await client.query(
        `INSERT INTO facility_notices AS s (facility_id, id, version, title, body, class_ids, published_at,
           withdrawn, guardian_ids, pushed, hub_id, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, false, $10, $11)
         ON CONFLICT (facility_id, id) DO UPDATE SET version = EXCLUDED.version, title = EXCLUDED.title,
           body = EXCLUDED.body, class_ids = EXCLUDED.class_ids, published_at = EXCLUDED.published_at,
           withdrawn = EXCLUDED.withdrawn, guardian_ids = EXCLUDED.guardian_ids,
           hub_id = EXCLUDED.hub_id, updated_at = EXCLUDED.updated_at
         WHERE s.version < EXCLUDED.version`,
        [
          facilityId,
          c.id,
          c.version,
          c.title,
          c.body,
          c.class_ids,
          c.published_at,
          c.withdrawn,
          c.guardian_ids,
          hubId,
          now,
        ],
      );
      return (rowCount ?? 0) > 0;
    });
  }

  async getFacilityNotice(facilityId: string, id: string): Promise<StoredFacilityNotice | undefined> {
    this.conn.checkOpen();
    if (!UUID_RE.test(id)) return undefined;
    const { rows } = await this.conn.pool.query<
      Omit<StoredFacilityNoticeRow, 'published_at'> & { published_at: Date }
    >(
      `SELECT n.id::text AS id, n.version, n.title, n.body, n.class_ids, n.published_at, n.withdrawn,
         n.guardian_ids, n.pushed, f.time_zone
       FROM facility_notices n JOIN facilities f ON f.facility_id = n.facility_id
       WHERE n.facility_id = $1 AND n.id = $2`,
      [facilityId, id],
    );
    const row = rows[0];
    return row === undefined
      ? undefined
      : facilityNoticeOf({ ...row, published_at: row.published_at.toISOString() });
  }

  async claimPush(facilityId: string, id: string): Promise<boolean> {
    this.conn.checkOpen();
    if (!UUID_RE.test(id)) return false;
    // One statement: of two processes racing, the row lock lets one update it and the other find it pushed.
    const { rowCount } = await this.conn.pool.query(
      `UPDATE facility_notices SET pushed = true
       WHERE facility_id = $1 AND id = $2 AND NOT pushed AND NOT withdrawn`,
      [facilityId, id],
    );
    return (rowCount ?? 0) > 0;
  }

  async noticesForGuardian(facilityId: string, guardianId: string): Promise<GuardianFacilityNotice[]> {
    this.conn.checkOpen();
    const { rows } = await this.conn.pool.query<
      Omit<GuardianNoticeRow, 'published_at' | 'read_at'> & { published_at: Date; read_at: Date | null }
    >(
      `SELECT n.id::text AS id, n.title, n.body, n.published_at, r.read_at, f.time_zone
       FROM facility_notices n JOIN facilities f ON f.facility_id = n.facility_id
       LEFT JOIN facility_notice_reads r ON r.facility_id = n.facility_id AND r.notice_id = n.id
         AND r.guardian_id = $2
       WHERE n.facility_id = $1 AND NOT n.withdrawn AND ${FOR_GUARDIAN}
       ORDER BY n.published_at DESC, n.id`,
      [facilityId, guardianId],
    );
    return rows.map((r) =>
      guardianNoticeOf({
        ...r,
        published_at: r.published_at.toISOString(),
        read_at: r.read_at === null ? null : r.read_at.toISOString(),
      }),
    );
  }

  private async readOf(db: Queryable, facilityId: string, id: string, guardianId: string) {
    const { rows } = await db.query<PgReadRow>(
      `${READ_SELECT} WHERE r.facility_id = $1 AND r.notice_id = $2 AND r.guardian_id = $3`,
      [facilityId, id, guardianId],
    );
    const row = rows[0];
    return row === undefined ? undefined : readOf(readRow(row));
  }

  async markNoticeRead(
    facilityId: string,
    noticeId: string,
    guardianId: string,
    readAt: Date,
  ): Promise<{ read: FacilityNoticeRead; created: boolean } | undefined> {
    this.conn.checkOpen();
    if (!UUID_RE.test(noticeId)) return undefined;
    const id = noticeId.toLowerCase();
    return this.conn.transaction(async (client) => {
      const forThem = await client.query(
        `SELECT 1 FROM facility_notices n
         WHERE n.facility_id = $1 AND ${FOR_GUARDIAN} AND n.id = $3 AND NOT n.withdrawn`,
        [facilityId, guardianId, id],
      );
      if (forThem.rowCount === 0) return undefined;
      // The counter locked first: a read racing its repeat finds it stored after the lock.
      await lockSeq(client, facilityId);
      const stored = await this.readOf(client, facilityId, id, guardianId);
      if (stored !== undefined) return { read: stored, created: false };
      const seq = await takeSeq(client, facilityId);
      await client.query(
        `INSERT INTO facility_notice_reads (facility_id, notice_id, guardian_id, read_at, seq)
         VALUES ($1, $2, $3, $4, $5)`,
        [facilityId, id, guardianId, readAt.toISOString(), seq],
      );
      const read = await this.readOf(client, facilityId, id, guardianId);
      if (read === undefined) throw new Error('a facility notice read inserted is not read back');
      return { read, created: true };
    });
  }
}
