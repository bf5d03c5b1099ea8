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
  type SettingsRow,
  type StoredNoticeRow,
} from '../parent-notices.ts';
import { unknownFacility } from '../refusals.ts';
import type { PgConnection, Queryable } from './connection.ts';
import {
  lockSeq,
  messagesPage,
  NOTICE_SELECT,
  noticeRow as storedRow,
  takeSeq,
  type PgNoticeRow,
} from './parent-messages.ts';

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
      await lockSeq(client, facilityId);
      const stored = await this.noticeRow(client, facilityId, columns.id);
      if (stored !== undefined) return resentNotice(facilityId, stored, columns);
      const seq = await takeSeq(client, facilityId);
      await client.query(
        `INSERT INTO parent_notices (facility_id, seq, id, guardian_id, kind, child_ids, date, until,
           reason, symptoms, temperature, note, arrive_at, sent_at, read_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL)`,
        [
          facilityId,
          seq,
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
      return insertedNotice(await this.noticeRow(client, facilityId, columns.id));
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
    return messagesPage(
      this.conn.pool,
      facilityId,
      Math.max(0, Math.floor(afterSeq)),
      pageLimit(limit, 1000),
    );
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
    // A pickup plan confirmed at the hub is marked the same way (its id is a uuid too).
    const pickups = await this.conn.pool.query(
      `UPDATE parent_pickups p SET read_at = m.read_at
       FROM (SELECT DISTINCT ON (id) id, read_at FROM unnest($2::uuid[], $3::timestamptz[])
               WITH ORDINALITY AS t (id, read_at, i) ORDER BY id, i) m
       WHERE p.facility_id = $1 AND p.id = m.id AND p.read_at IS NULL`,
      [facilityId, marks.map((m) => m.id), marks.map((m) => m.readAt)],
    );
    return (rowCount ?? 0) + (pickups.rowCount ?? 0);
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
    const { rows } = await this.conn.pool.query<SettingsRow>(
      'SELECT version, default_cutoff, class_cutoffs FROM parent_settings WHERE facility_id = $1',
      [facilityId],
    );
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
    const { rows } = await this.conn.pool.query<Omit<AuditRow, 'at'> & { at: Date }>(
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
      const pickups = await client.query(
        'DELETE FROM parent_pickups WHERE facility_id = $1 AND date < $2::date',
        [facilityId, cutoff],
      );
      // Reads first: they name their notice.
      await client.query(
        `DELETE FROM facility_notice_reads WHERE facility_id = $1 AND notice_id IN
           (SELECT id FROM facility_notices WHERE facility_id = $1 AND published_at < $2)`,
        [facilityId, before],
      );
      const facilityNotices = await client.query(
        'DELETE FROM facility_notices WHERE facility_id = $1 AND published_at < $2',
        [facilityId, before],
      );
      return {
        notices: notices.rowCount ?? 0,
        audit: audit.rowCount ?? 0,
        pickups: pickups.rowCount ?? 0,
        facilityNotices: facilityNotices.rowCount ?? 0,
      };
    });
  }
}
