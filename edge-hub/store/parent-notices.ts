import { startOfLocalDay } from '../../common/retention.ts';
import type { Db, Migration } from '../../common/sqlite.ts';
import { formatRfc3339, type Clock } from '../../common/time.ts';
import type { ParentNotice, ParentSettingsUpload } from '../../protocol/parent-notices.ts';

/**
 * Parents' notices at the hub (issue 17): the absence and lateness notices fetched from the cloud (table
 * parent_notices, each stored once by its id), staff's confirmations (確認) and whether the cloud has
 * them, the cursor of the fetch (meta.parent_messages_cursor), and the class cut-offs uploaded to the
 * cloud so that it accepts notices as the hub would (table parent_settings_upload, versioned).
 */

/** What the cloud needs of the settings to check a notice's cut-off (ParentSettingsUpload without version). */
export type ParentSettingsContent = Omit<ParentSettingsUpload, 'version'>;

/** A stored notice: the notice as the wire has it (status and readAt from the hub's confirmation). */
export interface ParentNoticeRecord {
  notice: ParentNotice;
  /** The staff id who confirmed it, or null. */
  readBy: string | null;
  /** Whether the cloud has taken the confirmation. */
  readRelayed: boolean;
  /** When the hub stored it (UTC ISO 8601). */
  receivedAt: string;
}

export interface ParentNoticeStore {
  /** The seq of the last parent message applied (0: none yet). */
  messagesCursor(): number;
  /** Within the caller's transaction, with the messages of the page. */
  setMessagesCursor(cursor: number): void;
  /** Stores a notice unless one with its id is stored; true when it was new. */
  insert(notice: ParentNotice): boolean;
  get(id: string): ParentNoticeRecord | undefined;
  /** Notices covering `today` or a later day, and those confirmed on `today` (local), in no order. */
  forDay(today: string): ParentNoticeRecord[];
  /**
   * Confirms a notice by `staffId` unless it is confirmed already; undefined for an unknown id. `first`
   * says whether this call confirmed it.
   */
  markRead(id: string, staffId: string): { record: ParentNoticeRecord; first: boolean } | undefined;
  /** Up to `limit` confirmations the cloud has not taken, oldest first. */
  unrelayedReads(limit: number): { id: string; readAt: string }[];
  markReadsRelayed(ids: readonly string[]): void;
  /** Deletes the notices whose last day is before `date` (retention), within the caller's transaction. */
  deleteBefore(date: string): number;
  /** The settings the cloud is to have, their version, and the version it has taken (0: none). */
  settingsUpload(): { version: number; content: ParentSettingsContent | null; relayedVersion: number };
  /** Stores `content` under the next version when it differs from the stored one; returns the version. */
  putSettings(content: ParentSettingsContent): number;
  markSettingsRelayed(version: number): void;
  /** The next version for the same content if still at `version` (the cloud holds a later one). */
  bumpSettings(version: number): boolean;
}

/** Hub migration adding parent_notices, the fetch cursor and the settings upload (migrations.ts). */
export const parentNoticesMigration = (version: number): Migration => ({
  version,
  name: "parents' notices, their fetch cursor, cut-offs for the cloud",
  up: (db) => {
    // read_at is UTC ISO 8601 (text order is time order), answered with the facility's offset.
    db.exec(`
      ALTER TABLE meta ADD COLUMN parent_messages_cursor INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE parent_notices (
        id TEXT PRIMARY KEY NOT NULL,
        guardian_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('absence', 'late')),
        child_ids_json TEXT NOT NULL CHECK (json_valid(child_ids_json)),
        date TEXT NOT NULL,
        until TEXT NOT NULL,
        reason TEXT NOT NULL,
        symptoms_json TEXT CHECK (symptoms_json IS NULL OR json_valid(symptoms_json)),
        temperature REAL,
        note TEXT,
        arrive_at TEXT,
        sent_at TEXT NOT NULL,
        received_at TEXT NOT NULL,
        read_at TEXT,
        read_by TEXT,
        read_relayed INTEGER NOT NULL DEFAULT 0 CHECK (read_relayed IN (0, 1)),
        CHECK ((read_at IS NULL) = (read_by IS NULL))
      ) STRICT;
      CREATE INDEX parent_notices_until ON parent_notices (until);
      CREATE INDEX parent_notices_read_at ON parent_notices (read_at) WHERE read_at IS NOT NULL;
      CREATE TABLE parent_settings_upload (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL DEFAULT 0,
        content_json TEXT CHECK (content_json IS NULL OR json_valid(content_json)),
        relayed_version INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      INSERT INTO parent_settings_upload (id) VALUES (1);
    `);
  },
});

interface Row {
  id: string;
  guardian_id: string;
  kind: ParentNotice['kind'];
  child_ids_json: string;
  date: string;
  until: string;
  reason: ParentNotice['reason'];
  symptoms_json: string | null;
  temperature: number | null;
  note: string | null;
  arrive_at: string | null;
  sent_at: string;
  received_at: string;
  read_at: string | null;
  read_by: string | null;
  read_relayed: number;
}

export class SqliteParentNoticeStore implements ParentNoticeStore {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #timeZone: string;

  constructor(db: Db, clock: Clock, timeZone: string) {
    this.#db = db;
    this.#clock = clock;
    this.#timeZone = timeZone;
  }

  messagesCursor(): number {
    return (
      this.#db.prepare<[], { c: number }>('SELECT parent_messages_cursor AS c FROM meta WHERE id = 1').get()
        ?.c ?? 0
    );
  }

  setMessagesCursor(cursor: number): void {
    this.#db.prepare('UPDATE meta SET parent_messages_cursor = ? WHERE id = 1').run(cursor);
  }

  insert(n: ParentNotice): boolean {
    return (
      this.#db
        .prepare(
          `INSERT OR IGNORE INTO parent_notices (id, guardian_id, kind, child_ids_json, date, until, reason,
             symptoms_json, temperature, note, arrive_at, sent_at, received_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          n.id,
          n.guardianId,
          n.kind,
          JSON.stringify(n.childIds),
          n.date,
          n.until,
          n.reason,
          n.symptoms === undefined ? null : JSON.stringify(n.symptoms),
          n.temperature ?? null,
          n.note ?? null,
          n.arriveAt ?? null,
          n.sentAt,
          this.#clock.now().toISOString(),
        ).changes === 1
    );
  }

  get(id: string): ParentNoticeRecord | undefined {
    const row = this.#db.prepare<[string], Row>('SELECT * FROM parent_notices WHERE id = ?').get(id);
    return row && this.#recordOf(row);
  }

  forDay(today: string): ParentNoticeRecord[] {
    const dayStart = startOfLocalDay(today, this.#timeZone).toISOString();
    return this.#db
      .prepare<[string, string], Row>('SELECT * FROM parent_notices WHERE until >= ? OR read_at >= ?')
      .all(today, dayStart)
      .map((r) => this.#recordOf(r));
  }

  markRead(id: string, staffId: string): { record: ParentNoticeRecord; first: boolean } | undefined {
    const first =
      this.#db
        .prepare('UPDATE parent_notices SET read_at = ?, read_by = ? WHERE id = ? AND read_at IS NULL')
        .run(this.#clock.now().toISOString(), staffId, id).changes === 1;
    const record = this.get(id);
    return record && { record, first };
  }

  unrelayedReads(limit: number): { id: string; readAt: string }[] {
    return this.#db
      .prepare<[number], { id: string; read_at: string }>(
        `SELECT id, read_at FROM parent_notices WHERE read_at IS NOT NULL AND read_relayed = 0
         ORDER BY read_at, id LIMIT ?`,
      )
      .all(limit)
      .map((r) => ({ id: r.id, readAt: this.#instant(r.read_at) }));
  }

  markReadsRelayed(ids: readonly string[]): void {
    const mark = this.#db.prepare('UPDATE parent_notices SET read_relayed = 1 WHERE id = ?');
    this.#db.transaction(() => {
      for (const id of ids) mark.run(id);
    })();
  }

  deleteBefore(date: string): number {
    return this.#db.prepare('DELETE FROM parent_notices WHERE until < ?').run(date).changes;
  }

  settingsUpload(): { version: number; content: ParentSettingsContent | null; relayedVersion: number } {
    const row = this.#db
      .prepare<[], { version: number; content_json: string | null; relayed_version: number }>(
        'SELECT version, content_json, relayed_version FROM parent_settings_upload WHERE id = 1',
      )
      .get();
    return {
      version: row?.version ?? 0,
      content:
        row?.content_json === null || row === undefined
          ? null
          : (JSON.parse(row.content_json) as ParentSettingsContent),
      relayedVersion: row?.relayed_version ?? 0,
    };
  }

  putSettings(content: ParentSettingsContent): number {
    const json = JSON.stringify(content);
    const row = this.#db
      .prepare<[], { version: number; content_json: string | null }>(
        'SELECT version, content_json FROM parent_settings_upload WHERE id = 1',
      )
      .get();
    // Read first: the relay calls this on every idle step, and a write each time would take the lock.
    if (row !== undefined && row.content_json === json) return row.version;
    return (
      this.#db
        .prepare<[string], { version: number }>(
          'UPDATE parent_settings_upload SET version = version + 1, content_json = ? WHERE id = 1 RETURNING version',
        )
        .get(json)?.version ?? 0
    );
  }

  markSettingsRelayed(version: number): void {
    this.#db
      .prepare('UPDATE parent_settings_upload SET relayed_version = max(relayed_version, ?) WHERE id = 1')
      .run(version);
  }

  bumpSettings(version: number): boolean {
    return (
      this.#db
        .prepare('UPDATE parent_settings_upload SET version = version + 1 WHERE id = 1 AND version = ?')
        .run(version).changes === 1
    );
  }

  #instant(utcIso: string): string {
    return formatRfc3339(new Date(utcIso), this.#timeZone);
  }

  #recordOf(r: Row): ParentNoticeRecord {
    const notice: ParentNotice = {
      id: r.id,
      guardianId: r.guardian_id,
      kind: r.kind,
      childIds: JSON.parse(r.child_ids_json) as string[],
      date: r.date,
      until: r.until,
      reason: r.reason,
      ...(r.symptoms_json !== null && {
        symptoms: JSON.parse(r.symptoms_json) as NonNullable<ParentNotice['symptoms']>,
      }),
      ...(r.temperature !== null && { temperature: r.temperature }),
      ...(r.note !== null && { note: r.note }),
      ...(r.arrive_at !== null && { arriveAt: r.arrive_at }),
      sentAt: r.sent_at,
      status: r.read_at === null ? 'sent' : 'read',
      readAt: r.read_at === null ? null : this.#instant(r.read_at),
    };
    return { notice, readBy: r.read_by, readRelayed: r.read_relayed === 1, receivedAt: r.received_at };
  }
}
