import type {
  ParentMessage,
  ParentNotice,
  ParentNoticeReads,
  ParentSettingsUpload,
} from '../../../protocol/parent-notices.ts';
import { checkDate, checkId, pageLimit } from '../inputs.ts';
import {
  auditOf,
  auditRecord,
  checkPurge,
  noticeColumns,
  noticeConflict,
  noticeOf,
  readMarks,
  sameNotice,
  settingsOf,
  settingsRecord,
  type StoredNoticeRow,
} from '../parent-notices.ts';
import { unknownFacility } from '../refusals.ts';
import type { NewParentNotice, ParentAuditEntry, ParentNoticeStore, ParentPurgeCounts } from '../types.ts';
import { iso, type PgConnection, type Queryable } from './connection.ts';

/** Dates and the uuid as text, times as timestamptz (Date), seq as bigint (text). */
const NOTICE_SELECT = `SELECT n.seq, n.id::text AS id, n.guardian_id, n.kind, n.child_ids,
  n.date::text AS date, n.until::text AS until, n.reason, n.symptoms, n.temperature, n.note,
  n.arrive_at, n.sent_at, n.read_at, f.time_zone
  FROM parent_notices n JOIN facilities f ON f.facility_id = n.facility_id`;

type PgNoticeRow = Omit<StoredNoticeRow, 'seq' | 'sent_at' | 'read_at'> & {
  seq: string;
  sent_at: Date;
  read_at: Date | null;
};

function storedRow(row: PgNoticeRow): StoredNoticeRow {
  return { ...row, seq: Number(row.seq), sent_at: row.sent_at.toISOString(), read_at: iso(row.read_at) };
}

/** A uuid column refuses other text with an error: such an id names no notice. */
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parents' notices, their message sequence, cut-offs and the parent audit (migration 10) on PostgreSQL. */
export class PgParentNotices implements ParentNoticeStore {
  private readonly conn: PgConnection;

  constructor(conn: PgConnection) {
    this.conn = conn;
  }

  private async noticeRow(
    db: Queryable,
    facilityId: string,
    id: string,
  ): Promise<StoredNoticeRow | undefined> {
    if (!UUID_RE.test(id)) return undefined;
    const { rows } = await db.query<PgNoticeRow>(`${NOTICE_SELECT} WHERE n.facility_id = $1 AND n.id = $2`, [
      facilityId,
      id,
    ]);
    const row = rows[0];
    return row === undefined ? undefined : storedRow(row);
  }

  async insertNotice(
    facilityId: string,
    notice: NewParentNotice,
  ): Promise<{ notice: ParentNotice; created: boolean }> {
    this.conn.checkOpen();
    const columns = noticeColumns(facilityId, notice);
    const sentAt = notice.sentAt.toISOString();
    return this.conn.transaction(async (client) => {
      // The facility's counter row, created when missing, then locked until commit: inserts of one
      // facility queue here, so each takes its seq only after the one before committed (seq order is
      // commit order), and a resend racing its first copy finds it stored below.
      const created = await client.query(
        `INSERT INTO parent_message_seq (facility_id, last_seq)
         SELECT facility_id, 0 FROM facilities WHERE facility_id = $1
         ON CONFLICT (facility_id) DO NOTHING`,
        [facilityId],
      );
      const locked = await client.query<{ last_seq: string }>(
        'SELECT last_seq FROM parent_message_seq WHERE facility_id = $1 FOR UPDATE',
        [facilityId],
      );
      if (created.rowCount === 0 && locked.rows.length === 0) throw unknownFacility(facilityId);
      const stored = await this.noticeRow(client, facilityId, columns.id);
      if (stored !== undefined) {
        if (!sameNotice(stored, columns)) throw noticeConflict(facilityId, columns.id);
        return { notice: noticeOf(stored), created: false };
      }
      const { rows } = await client.query<{ last_seq: string }>(
        `UPDATE parent_message_seq SET last_seq = last_seq + 1 WHERE facility_id = $1
         RETURNING last_seq`,
        [facilityId],
      );
      await client.query(
        `INSERT INTO parent_notices (facility_id, seq, id, guardian_id, kind, child_ids, date, until,
           reason, symptoms, temperature, note, arrive_at, sent_at, read_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL)`,
        [
          facilityId,
          rows[0]?.last_seq,
          columns.id,
          columns.guardian_id,
          columns.kind,
          columns.child_ids,
          columns.date,
          columns.until,
          columns.reason,
          columns.symptoms,
          columns.temperature,
          columns.note,
          columns.arrive_at,
          sentAt,
        ],
      );
      const row = await this.noticeRow(client, facilityId, columns.id);
      if (row === undefined) throw new Error('a notice inserted is not read back');
      return { notice: noticeOf(row), created: true };
    });
  }

  async getNotice(facilityId: string, id: string): Promise<ParentNotice | undefined> {
    this.conn.checkOpen();
    const row = await this.noticeRow(this.conn.pool, facilityId, id);
    return row === undefined ? undefined : noticeOf(row);
  }

  async noticesForGuardian(facilityId: string, guardianId: string, since: string): Promise<ParentNotice[]> {
    this.conn.checkOpen();
    checkDate(since);
    const { rows } = await this.conn.pool.query<PgNoticeRow>(
      `${NOTICE_SELECT} WHERE n.facility_id = $1 AND n.guardian_id = $2 AND n.until >= $3::date
       ORDER BY n.seq DESC`,
      [facilityId, guardianId, since],
    );
    return rows.map((r) => noticeOf(storedRow(r)));
  }

  async messagesAfter(facilityId: string, afterSeq: number, limit: number): Promise<ParentMessage[]> {
    this.conn.checkOpen();
    const { rows } = await this.conn.pool.query<PgNoticeRow>(
      `${NOTICE_SELECT} WHERE n.facility_id = $1 AND n.seq > $2 ORDER BY n.seq LIMIT $3`,
      [facilityId, Math.max(0, Math.floor(afterSeq)), pageLimit(limit, 1000)],
    );
    return rows.map((r) => {
      const row = storedRow(r);
      return { seq: row.seq, type: 'notice' as const, notice: noticeOf(row) };
    });
  }

  async markRead(facilityId: string, reads: ParentNoticeReads['reads']): Promise<number> {
    this.conn.checkOpen();
    checkId(facilityId, 'facilityId');
    const marks = readMarks(reads);
    // One statement: each id once (the first mark of a repeated id wins), only those not read yet.
    const { rowCount } = await this.conn.pool.query(
      `UPDATE parent_notices n SET read_at = m.read_at
       FROM (SELECT DISTINCT ON (id) id, read_at FROM unnest($2::uuid[], $3::timestamptz[])
               WITH ORDINALITY AS t (id, read_at, i) ORDER BY id, i) m
       WHERE n.facility_id = $1 AND n.id = m.id AND n.read_at IS NULL`,
      [facilityId, marks.map((m) => m.id), marks.map((m) => m.readAt)],
    );
    return rowCount ?? 0;
  }

  async putSettings(facilityId: string, hubId: string, settings: ParentSettingsUpload): Promise<boolean> {
    this.conn.checkOpen();
    const record = settingsRecord(facilityId, settings);
    const now = this.conn.clock.now().toISOString();
    return this.conn.transaction(async (client) => {
      const facility = await client.query('SELECT 1 FROM facilities WHERE facility_id = $1', [facilityId]);
      if (facility.rowCount === 0) throw unknownFacility(facilityId);
      // Only a higher version replaces the row; the WHERE makes a concurrent older upload a no-op.
      const { rowCount } = await client.query(
        `INSERT INTO parent_settings AS s (facility_id, version, default_cutoff, class_cutoffs, hub_id,
           updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (facility_id) DO UPDATE SET version = EXCLUDED.version,
           default_cutoff = EXCLUDED.default_cutoff, class_cutoffs = EXCLUDED.class_cutoffs,
           hub_id = EXCLUDED.hub_id, updated_at = EXCLUDED.updated_at
         WHERE s.version < EXCLUDED.version`,
        [
          facilityId,
          record.settings.version,
          record.settings.defaultCutoff,
          record.classCutoffsText,
          hubId,
          now,
        ],
      );
      return (rowCount ?? 0) > 0;
    });
  }

  async settings(facilityId: string): Promise<ParentSettingsUpload | undefined> {
    this.conn.checkOpen();
    const { rows } = await this.conn.pool.query<{
      version: number;
      default_cutoff: string;
      class_cutoffs: string;
    }>('SELECT version, default_cutoff, class_cutoffs FROM parent_settings WHERE facility_id = $1', [
      facilityId,
    ]);
    const row = rows[0];
    return row === undefined ? undefined : settingsOf(row);
  }

  async appendAudit(entry: ParentAuditEntry): Promise<void> {
    this.conn.checkOpen();
    const { at, detailText } = auditRecord(entry);
    await this.conn.pool.query(
      `INSERT INTO parent_audit (facility_id, at, guardian_id, action, outcome, detail)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [entry.facilityId, at, entry.guardianId, entry.action, entry.outcome, detailText],
    );
  }

  async auditLog(facilityId: string, limit: number): Promise<ParentAuditEntry[]> {
    this.conn.checkOpen();
    const { rows } = await this.conn.pool.query<{
      facility_id: string;
      at: Date;
      guardian_id: string;
      action: string;
      outcome: string;
      detail: string | null;
    }>(
      `SELECT facility_id, at, guardian_id, action, outcome, detail FROM parent_audit
       WHERE facility_id = $1 ORDER BY at DESC, id DESC LIMIT $2`,
      [facilityId, pageLimit(limit, 10_000)],
    );
    return rows.map((r) => auditOf({ ...r, at: r.at.toISOString() }));
  }

  async purgeParentRecords(
    facilityId: string,
    cutoff: string,
    auditBefore: Date,
  ): Promise<ParentPurgeCounts> {
    this.conn.checkOpen();
    const before = checkPurge(facilityId, cutoff, auditBefore);
    return this.conn.transaction(async (client) => {
      const notices = await client.query(
        'DELETE FROM parent_notices WHERE facility_id = $1 AND until < $2::date',
        [facilityId, cutoff],
      );
      const audit = await client.query('DELETE FROM parent_audit WHERE facility_id = $1 AND at < $2', [
        facilityId,
        before,
      ]);
      return { notices: notices.rowCount ?? 0, audit: audit.rowCount ?? 0 };
    });
  }
}
