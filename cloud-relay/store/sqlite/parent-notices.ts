import type { Db } from '../../../common/sqlite.ts';
import type {
  ParentMessage,
  ParentNotice,
  ParentNoticeReads,
  ParentSettingsUpload,
} from '../../../protocol/parent-notices.ts';
import { checkDate, checkId, pageLimit } from '../inputs.ts';
import type {
  NewParentNotice,
  ParentAuditEntry,
  ParentNoticeStore,
  ParentPurgeCounts,
} from '../parent-notice-types.ts';
import {
  auditOf,
  auditRecord,
  checkPurge,
  insertedNotice,
  noticeColumns,
  noticeOf,
  readMarks,
  resentNotice,
  settingsOf,
  settingsRecord,
  type AuditRow,
  type NoticeColumns,
  type SettingsRow,
  type StoredNoticeRow,
} from '../parent-notices.ts';
import { SqliteFacilityAggregate } from './aggregate.ts';
import { messagesPage, NOTICE_SELECT, parentMessageStatements, takeSeq } from './parent-messages.ts';

/** The aggregate's statements, prepared once on the connection's database. */
function statements(db: Db) {
  return {
    notice: db.prepare<[string, string], StoredNoticeRow>(
      `${NOTICE_SELECT} WHERE n.facility_id = ? AND n.id = ?`,
    ),
    insert: db.prepare<[NoticeColumns & { facility_id: string; seq: number; sent_at: string }]>(
      `INSERT INTO parent_notices (facility_id, seq, id, guardian_id, kind, child_ids, date, until,
         reason, symptoms, temperature, note, arrive_at, sent_at, read_at)
       VALUES (@facility_id, @seq, @id, @guardian_id, @kind, @child_ids, @date, @until, @reason,
         @symptoms, @temperature, @note, @arrive_at, @sent_at, NULL)`,
    ),
    forGuardian: db.prepare<[string, string, string], StoredNoticeRow>(
      `${NOTICE_SELECT} WHERE n.facility_id = ? AND n.guardian_id = ? AND n.until >= ?
       ORDER BY n.seq DESC`,
    ),
    markRead: db.prepare<[string, string, string]>(
      'UPDATE parent_notices SET read_at = ? WHERE facility_id = ? AND id = ? AND read_at IS NULL',
    ),
    markPickupRead: db.prepare<[string, string, string]>(
      'UPDATE parent_pickups SET read_at = ? WHERE facility_id = ? AND id = ? AND read_at IS NULL',
    ),
    settings: db.prepare<[string], SettingsRow>(
      'SELECT version, default_cutoff, class_cutoffs FROM parent_settings WHERE facility_id = ?',
    ),
    putSettings: db.prepare<[string, number, string, string, string, string]>(
      `INSERT INTO parent_settings (facility_id, version, default_cutoff, class_cutoffs, hub_id, updated_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (facility_id) DO UPDATE SET version = excluded.version,
         default_cutoff = excluded.default_cutoff, class_cutoffs = excluded.class_cutoffs,
         hub_id = excluded.hub_id, updated_at = excluded.updated_at
       WHERE excluded.version > parent_settings.version`,
    ),
    appendAudit: db.prepare<[string, string, string, string, string, string | null]>(
      `INSERT INTO parent_audit (facility_id, at, guardian_id, action, outcome, detail)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    auditLog: db.prepare<[string, number], AuditRow>(
      `SELECT facility_id, at, guardian_id, action, outcome, detail FROM parent_audit
       WHERE facility_id = ? ORDER BY at DESC, id DESC LIMIT ?`,
    ),
    purgeNotices: db.prepare<[string, string]>(
      'DELETE FROM parent_notices WHERE facility_id = ? AND until < ?',
    ),
    purgeAudit: db.prepare<[string, string]>('DELETE FROM parent_audit WHERE facility_id = ? AND at < ?'),
    purgePickups: db.prepare<[string, string]>(
      'DELETE FROM parent_pickups WHERE facility_id = ? AND date < ?',
    ),
    // A notice's reads go with it.
    purgeNoticeReads: db.prepare<[string, string, string]>(
      `DELETE FROM facility_notice_reads WHERE facility_id = ? AND notice_id IN
         (SELECT id FROM facility_notices WHERE facility_id = ? AND published_at < ?)`,
    ),
    purgeFacilityNotices: db.prepare<[string, string]>(
      'DELETE FROM facility_notices WHERE facility_id = ? AND published_at < ?',
    ),
  };
}

/** Parents' notices, their message sequence, cut-offs and the parent audit (migration 10) on SQLite. */
export class SqliteParentNotices extends SqliteFacilityAggregate implements ParentNoticeStore {
  private readonly stmt = statements(this.conn.db);
  private readonly seq = parentMessageStatements(this.conn.db);

  insertNotice(
    facilityId: string,
    notice: NewParentNotice,
  ): Promise<{ notice: ParentNotice; created: boolean }> {
    return this.conn.run(() => {
      const columns = noticeColumns(facilityId, notice);
      const sentAt = notice.sentAt.toISOString();
      // IMMEDIATE: one writer at a time, so the seq taken here is the next to commit.
      return this.conn.db
        .transaction(() => {
          this.facilities.facilityOf(facilityId);
          const stored = this.stmt.notice.get(facilityId, columns.id);
          if (stored !== undefined) return resentNotice(facilityId, stored, columns);
          const seq = takeSeq(this.seq, facilityId);
          this.stmt.insert.run({ ...columns, facility_id: facilityId, seq, sent_at: sentAt });
          return insertedNotice(this.stmt.notice.get(facilityId, columns.id));
        })
        .immediate();
    });
  }

  getNotice(facilityId: string, id: string): Promise<ParentNotice | undefined> {
    return this.conn.run(() => {
      const row = this.stmt.notice.get(facilityId, id.toLowerCase());
      return row === undefined ? undefined : noticeOf(row);
    });
  }

  noticesForGuardian(facilityId: string, guardianId: string, since: string): Promise<ParentNotice[]> {
    return this.conn.run(() =>
      this.stmt.forGuardian.all(facilityId, guardianId, checkDate(since)).map(noticeOf),
    );
  }

  messagesAfter(facilityId: string, afterSeq: number, limit: number): Promise<ParentMessage[]> {
    return this.conn.run(() =>
      this.conn.db
        .transaction(() =>
          messagesPage(this.seq, facilityId, Math.max(0, Math.floor(afterSeq)), pageLimit(limit, 1000)),
        )
        .deferred(),
    );
  }

  markRead(facilityId: string, reads: ParentNoticeReads['reads']): Promise<number> {
    return this.conn.run(() => {
      checkId(facilityId, 'facilityId');
      const marks = readMarks(reads);
      return this.conn.db
        .transaction(() =>
          // A pickup plan confirmed at the hub is marked the same way (its id is a uuid too).
          marks.reduce(
            (n, m) =>
              n +
              this.stmt.markRead.run(m.readAt, facilityId, m.id).changes +
              this.stmt.markPickupRead.run(m.readAt, facilityId, m.id).changes,
            0,
          ),
        )
        .immediate();
    });
  }

  putSettings(facilityId: string, hubId: string, settings: ParentSettingsUpload): Promise<boolean> {
    return this.conn.run(() => {
      const record = settingsRecord(facilityId, settings);
      return this.conn.db
        .transaction(() => {
          this.facilities.facilityOf(facilityId);
          const { changes } = this.stmt.putSettings.run(
            facilityId,
            record.settings.version,
            record.settings.defaultCutoff,
            record.classCutoffsText,
            hubId,
            this.conn.clock.now().toISOString(),
          );
          return changes > 0;
        })
        .immediate();
    });
  }

  settings(facilityId: string): Promise<ParentSettingsUpload | undefined> {
    return this.conn.run(() => {
      const row = this.stmt.settings.get(facilityId);
      return row === undefined ? undefined : settingsOf(row);
    });
  }

  appendAudit(entry: ParentAuditEntry): Promise<void> {
    return this.conn.run(() => {
      const { at, detailText } = auditRecord(entry);
      this.stmt.appendAudit.run(
        entry.facilityId,
        at,
        entry.guardianId,
        entry.action,
        entry.outcome,
        detailText,
      );
    });
  }

  auditLog(facilityId: string, limit: number): Promise<ParentAuditEntry[]> {
    return this.conn.run(() => this.stmt.auditLog.all(facilityId, pageLimit(limit, 10_000)).map(auditOf));
  }

  purgeParentRecords(facilityId: string, cutoff: string, auditBefore: Date): Promise<ParentPurgeCounts> {
    return this.conn.run(() => {
      const before = checkPurge(facilityId, cutoff, auditBefore);
      return this.conn.db
        .transaction(() => {
          // Reads first: they name their notice.
          this.stmt.purgeNoticeReads.run(facilityId, facilityId, before);
          return {
            notices: this.stmt.purgeNotices.run(facilityId, cutoff).changes,
            audit: this.stmt.purgeAudit.run(facilityId, before).changes,
            pickups: this.stmt.purgePickups.run(facilityId, cutoff).changes,
            facilityNotices: this.stmt.purgeFacilityNotices.run(facilityId, before).changes,
          };
        })
        .immediate();
    });
  }
}
