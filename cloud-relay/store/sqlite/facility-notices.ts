import type { Db } from '../../../common/sqlite.ts';
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
  type FacilityNoticeColumns,
  type GuardianNoticeRow,
  type StoredFacilityNoticeRow,
  type StoredReadRow,
} from '../facility-notices.ts';
import { SqliteFacilityAggregate } from './aggregate.ts';
import { parentMessageStatements, READ_SELECT, takeSeq } from './parent-messages.ts';

/** Whether the guardian is among the notice's recipients (n.guardian_ids, a JSON array). */
const FOR_GUARDIAN = 'EXISTS (SELECT 1 FROM json_each(n.guardian_ids) WHERE value = @guardian_id)';

function statements(db: Db) {
  return {
    put: db.prepare<
      [
        Omit<FacilityNoticeColumns, 'withdrawn'> & {
          facility_id: string;
          withdrawn: number;
          hub_id: string;
          updated_at: string;
        },
      ]
    >(
      `INSERT INTO facility_notices (facility_id, id, version, title, body, class_ids, published_at,
         withdrawn, guardian_ids, pushed, hub_id, updated_at)
       VALUES (@facility_id, @id, @version, @title, @body, @class_ids, @published_at, @withdrawn,
         @guardian_ids, 0, @hub_id, @updated_at)
       ON CONFLICT (facility_id, id) DO UPDATE SET version = excluded.version, title = excluded.title,
         body = excluded.body, class_ids = excluded.class_ids, published_at = excluded.published_at,
         withdrawn = excluded.withdrawn, guardian_ids = excluded.guardian_ids, hub_id = excluded.hub_id,
         updated_at = excluded.updated_at
       WHERE excluded.version > facility_notices.version`,
    ),
    notice: db.prepare<[string, string], StoredFacilityNoticeRow>(
      `SELECT n.id, n.version, n.title, n.body, n.class_ids, n.published_at, n.withdrawn, n.guardian_ids,
         n.pushed, f.time_zone
       FROM facility_notices n JOIN facilities f ON f.facility_id = n.facility_id
       WHERE n.facility_id = ? AND n.id = ?`,
    ),
    claimPush: db.prepare<[string, string]>(
      `UPDATE facility_notices SET pushed = 1
       WHERE facility_id = ? AND id = ? AND pushed = 0 AND withdrawn = 0`,
    ),
    forGuardian: db.prepare<[{ facility_id: string; guardian_id: string }], GuardianNoticeRow>(
      `SELECT n.id, n.title, n.body, n.published_at, r.read_at, f.time_zone
       FROM facility_notices n JOIN facilities f ON f.facility_id = n.facility_id
       LEFT JOIN facility_notice_reads r ON r.facility_id = n.facility_id AND r.notice_id = n.id
         AND r.guardian_id = @guardian_id
       WHERE n.facility_id = @facility_id AND n.withdrawn = 0 AND ${FOR_GUARDIAN}
       ORDER BY n.published_at DESC, n.id`,
    ),
    isFor: db.prepare<[{ facility_id: string; id: string; guardian_id: string }], { one: number }>(
      `SELECT 1 AS one FROM facility_notices n
       WHERE n.facility_id = @facility_id AND n.id = @id AND n.withdrawn = 0 AND ${FOR_GUARDIAN}`,
    ),
    read: db.prepare<[string, string, string], StoredReadRow>(
      `${READ_SELECT} WHERE r.facility_id = ? AND r.notice_id = ? AND r.guardian_id = ?`,
    ),
    insertRead: db.prepare<[string, string, string, string, number]>(
      `INSERT INTO facility_notice_reads (facility_id, notice_id, guardian_id, read_at, seq)
       VALUES (?, ?, ?, ?, ?)`,
    ),
  };
}

/** The facility's notices to parents and the guardians' reads (migration 13) on SQLite. */
export class SqliteFacilityNotices extends SqliteFacilityAggregate implements FacilityNoticeStore {
  private readonly stmt = statements(this.conn.db);
  private readonly seq = parentMessageStatements(this.conn.db);

  putFacilityNotice(facilityId: string, hubId: string, upload: FacilityNoticeUpload): Promise<boolean> {
    return this.conn.run(() => {
      const columns = facilityNoticeColumns(facilityId, upload);
      return this.conn.db
        .transaction(() => {
          this.facilities.facilityOf(facilityId);
          const { changes } = this.stmt.put.run({
            ...columns,
            withdrawn: columns.withdrawn ? 1 : 0,
            facility_id: facilityId,
            hub_id: hubId,
            updated_at: this.conn.clock.now().toISOString(),
          });
          return changes > 0;
        })
        .immediate();
    });
  }

  getFacilityNotice(facilityId: string, id: string): Promise<StoredFacilityNotice | undefined> {
    return this.conn.run(() => {
      const row = this.stmt.notice.get(facilityId, id.toLowerCase());
      return row === undefined ? undefined : facilityNoticeOf(row);
    });
  }

  claimPush(facilityId: string, id: string): Promise<boolean> {
    return this.conn.run(() => this.stmt.claimPush.run(facilityId, id.toLowerCase()).changes > 0);
  }

  noticesForGuardian(facilityId: string, guardianId: string): Promise<GuardianFacilityNotice[]> {
    return this.conn.run(() =>
      this.stmt.forGuardian.all({ facility_id: facilityId, guardian_id: guardianId }).map(guardianNoticeOf),
    );
  }

  markNoticeRead(
    facilityId: string,
    noticeId: string,
    guardianId: string,
    readAt: Date,
  ): Promise<{ read: FacilityNoticeRead; created: boolean } | undefined> {
    return this.conn.run(() => {
      const id = noticeId.toLowerCase();
      return this.conn.db
        .transaction(() => {
          const forThem = this.stmt.isFor.get({ facility_id: facilityId, id, guardian_id: guardianId });
          if (forThem === undefined) return undefined;
          const stored = this.stmt.read.get(facilityId, id, guardianId);
          if (stored !== undefined) return { read: readOf(stored), created: false };
          const seq = takeSeq(this.seq, facilityId);
          this.stmt.insertRead.run(facilityId, id, guardianId, readAt.toISOString(), seq);
          const row = this.stmt.read.get(facilityId, id, guardianId);
          if (row === undefined) throw new Error('a facility notice read inserted is not read back');
          return { read: readOf(row), created: true };
        })
        .immediate();
    });
  }
}
