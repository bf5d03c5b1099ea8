import type { Db, Migration } from '../../common/sqlite.ts';
import { formatRfc3339, type Clock } from '../../common/time.ts';
import type { FacilityNotice, FacilityNoticeRead } from '../../protocol/facility-notices.ts';

/**
 * The facility's notices to parents at the hub (園からのお知らせ, issue 17): each notice the admin
 * published, the guardians it is for (resolved when published, grown when a guardian of its audience gets
 * parent access later), a version that every change moves (publish, withdraw, more recipients) and the
 * version the cloud has taken; and the parents' reads fetched from the cloud (table facility_notice_reads,
 * each stored once).
 */

export interface FacilityNoticeRecord {
  /** As the wire has it (publishedAt with the facility's offset). */
  notice: FacilityNotice;
  /** The staff id who published it. */
  publishedBy: string;
  /** UTC ISO 8601, or null. */
  withdrawnAt: string | null;
  /** Guardian ids, sorted. */
  recipients: string[];
  version: number;
  /** The highest version the cloud answered 200 for (0: none yet). */
  relayedVersion: number;
}

export interface NewFacilityNotice {
  id: string;
  title: string;
  body: string;
  /** null: every guardian. */
  classIds: string[] | null;
  publishedBy: string;
  recipients: readonly string[];
}

export interface FacilityNoticeStore {
  /** Stores a new notice as version 1, published now. */
  insert(notice: NewFacilityNotice): FacilityNoticeRecord;
  get(id: string): FacilityNoticeRecord | undefined;
  /** The newest `limit` notices, newest first. */
  list(limit: number): FacilityNoticeRecord[];
  /** Notices not withdrawn published at or after `since`, oldest first (whose recipients may grow). */
  openSince(since: Date): FacilityNoticeRecord[];
  /**
   * Withdraws a notice unless it is withdrawn already (next version); undefined for an unknown id. `first`
   * says whether this call withdrew it.
   */
  withdraw(id: string): { record: FacilityNoticeRecord; first: boolean } | undefined;
  /** Adds the guardians not among its recipients yet (next version when any); returns those added. */
  addRecipients(id: string, guardianIds: readonly string[]): string[];
  /** Up to `limit` notices whose current version the cloud has not taken, oldest change first. */
  unrelayed(limit: number): FacilityNoticeRecord[];
  markRelayed(id: string, version: number): void;
  /** The next version if still at `version` (the cloud holds that one or a later one: a restored hub). */
  bump(id: string, version: number): boolean;
  /** Stores a parent's read unless one of the guardian for the notice is stored; true when it was new. */
  insertRead(read: FacilityNoticeRead): boolean;
  /** The reads of a notice, oldest first (readAt with the facility's offset). */
  reads(id: string): FacilityNoticeRead[];
  /** Deletes the notices published before `instant` and their reads (retention), in the caller's transaction. */
  deleteBefore(instant: Date): { notices: number; reads: number };
}

/** Hub migration adding facility_notices and facility_notice_reads (listed in migrations.ts). */
export const facilityNoticesMigration = (version: number): Migration => ({
  version,
  name: "the facility's notices to parents and their reads",
  up: (db) => {
    // Times are UTC ISO 8601 (text order is time order), answered with the facility's offset.
    db.exec(`
      CREATE TABLE facility_notices (
        id TEXT PRIMARY KEY NOT NULL,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        class_ids_json TEXT CHECK (class_ids_json IS NULL OR json_valid(class_ids_json)),
        published_at TEXT NOT NULL,
        published_by TEXT NOT NULL,
        withdrawn INTEGER NOT NULL DEFAULT 0 CHECK (withdrawn IN (0, 1)),
        withdrawn_at TEXT,
        version INTEGER NOT NULL CHECK (version >= 1),
        relayed_version INTEGER NOT NULL DEFAULT 0,
        recipients_json TEXT NOT NULL CHECK (json_valid(recipients_json)),
        -- when the version last moved (the upload order)
        updated_at TEXT NOT NULL,
        CHECK ((withdrawn = 1) = (withdrawn_at IS NOT NULL))
      ) STRICT;
      CREATE INDEX facility_notices_published_at ON facility_notices (published_at);
      CREATE INDEX facility_notices_unrelayed ON facility_notices (updated_at) WHERE relayed_version < version;
      CREATE TABLE facility_notice_reads (
        notice_id TEXT NOT NULL,
        guardian_id TEXT NOT NULL,
        read_at TEXT NOT NULL,
        PRIMARY KEY (notice_id, guardian_id)
      ) STRICT;
    `);
  },
});

interface Row {
  id: string;
  title: string;
  body: string;
  class_ids_json: string | null;
  published_at: string;
  published_by: string;
  withdrawn: number;
  withdrawn_at: string | null;
  version: number;
  relayed_version: number;
  recipients_json: string;
  updated_at: string;
}

export class SqliteFacilityNoticeStore implements FacilityNoticeStore {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #timeZone: string;

  constructor(db: Db, clock: Clock, timeZone: string) {
    this.#db = db;
    this.#clock = clock;
    this.#timeZone = timeZone;
  }

  insert(n: NewFacilityNotice): FacilityNoticeRecord {
    const now = this.#clock.now().toISOString();
    const row = this.#db
      .prepare<[string, string, string, string | null, string, string, string, string], Row>(
        `INSERT INTO facility_notices (id, title, body, class_ids_json, published_at, published_by, version,
           recipients_json, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING *`,
      )
      .get(
        n.id,
        n.title,
        n.body,
        n.classIds === null ? null : JSON.stringify(n.classIds),
        now,
        n.publishedBy,
        JSON.stringify([...new Set(n.recipients)].sort()),
        now,
      );
    if (row === undefined) throw new Error('facility_notices: the insert returned no row');
    return this.#recordOf(row);
  }

  get(id: string): FacilityNoticeRecord | undefined {
    const row = this.#db.prepare<[string], Row>('SELECT * FROM facility_notices WHERE id = ?').get(id);
    return row && this.#recordOf(row);
  }

  list(limit: number): FacilityNoticeRecord[] {
    return this.#db
      .prepare<[number], Row>('SELECT * FROM facility_notices ORDER BY published_at DESC, id LIMIT ?')
      .all(limit)
      .map((r) => this.#recordOf(r));
  }

  openSince(since: Date): FacilityNoticeRecord[] {
    return this.#db
      .prepare<[string], Row>(
        'SELECT * FROM facility_notices WHERE withdrawn = 0 AND published_at >= ? ORDER BY published_at, id',
      )
      .all(since.toISOString())
      .map((r) => this.#recordOf(r));
  }

  withdraw(id: string): { record: FacilityNoticeRecord; first: boolean } | undefined {
    const now = this.#clock.now().toISOString();
    const first =
      this.#db
        .prepare(
          `UPDATE facility_notices SET withdrawn = 1, withdrawn_at = ?, version = version + 1, updated_at = ?
           WHERE id = ? AND withdrawn = 0`,
        )
        .run(now, now, id).changes === 1;
    const record = this.get(id);
    return record && { record, first };
  }

  addRecipients(id: string, guardianIds: readonly string[]): string[] {
    const record = this.get(id);
    if (record === undefined) return [];
    const have = new Set(record.recipients);
    const added = [...new Set(guardianIds)].filter((g) => !have.has(g)).sort();
    if (added.length === 0) return [];
    this.#db
      .prepare(
        'UPDATE facility_notices SET recipients_json = ?, version = version + 1, updated_at = ? WHERE id = ?',
      )
      .run(JSON.stringify([...record.recipients, ...added].sort()), this.#clock.now().toISOString(), id);
    return added;
  }

  unrelayed(limit: number): FacilityNoticeRecord[] {
    return this.#db
      .prepare<[number], Row>(
        'SELECT * FROM facility_notices WHERE relayed_version < version ORDER BY updated_at, id LIMIT ?',
      )
      .all(limit)
      .map((r) => this.#recordOf(r));
  }

  markRelayed(id: string, version: number): void {
    this.#db
      .prepare('UPDATE facility_notices SET relayed_version = max(relayed_version, ?) WHERE id = ?')
      .run(version, id);
  }

  bump(id: string, version: number): boolean {
    return (
      this.#db
        .prepare(
          'UPDATE facility_notices SET version = version + 1, updated_at = ? WHERE id = ? AND version = ?',
        )
        .run(this.#clock.now().toISOString(), id, version).changes === 1
    );
  }

  insertRead(read: FacilityNoticeRead): boolean {
    return (
      this.#db
        .prepare(
          'INSERT OR IGNORE INTO facility_notice_reads (notice_id, guardian_id, read_at) VALUES (?, ?, ?)',
        )
        .run(read.noticeId, read.guardianId, new Date(read.readAt).toISOString()).changes === 1
    );
  }

  reads(id: string): FacilityNoticeRead[] {
    return this.#db
      .prepare<[string], { guardian_id: string; read_at: string }>(
        'SELECT guardian_id, read_at FROM facility_notice_reads WHERE notice_id = ? ORDER BY read_at, guardian_id',
      )
      .all(id)
      .map((r) => ({ noticeId: id, guardianId: r.guardian_id, readAt: this.#instant(r.read_at) }));
  }

  deleteBefore(instant: Date): { notices: number; reads: number } {
    const before = instant.toISOString();
    // Reads of a notice the hub never had (a read fetched after its notice went) go with their time.
    const reads = this.#db
      .prepare(
        `DELETE FROM facility_notice_reads
         WHERE notice_id IN (SELECT id FROM facility_notices WHERE published_at < ?)
            OR (read_at < ? AND notice_id NOT IN (SELECT id FROM facility_notices))`,
      )
      .run(before, before).changes;
    const notices = this.#db
      .prepare('DELETE FROM facility_notices WHERE published_at < ?')
      .run(before).changes;
    return { notices, reads };
  }

  #instant(utcIso: string): string {
    return formatRfc3339(new Date(utcIso), this.#timeZone);
  }

  #recordOf(r: Row): FacilityNoticeRecord {
    return {
      notice: {
        id: r.id,
        title: r.title,
        body: r.body,
        classIds: r.class_ids_json === null ? null : (JSON.parse(r.class_ids_json) as string[]),
        publishedAt: this.#instant(r.published_at),
        withdrawn: r.withdrawn === 1,
      },
      publishedBy: r.published_by,
      withdrawnAt: r.withdrawn_at,
      recipients: JSON.parse(r.recipients_json) as string[],
      version: r.version,
      relayedVersion: r.relayed_version,
    };
  }
}
