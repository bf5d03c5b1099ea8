import type { Db, Migration } from '../../common/sqlite.ts';
import type { Clock } from '../../common/time.ts';
import type { ParentInvitation } from '../../protocol/parents.ts';

/**
 * Parents' access to the cloud's parent app (issue 17), per guardian invited at least once (table
 * parent_access): what the cloud is to keep of the guardian (name, children, the open invitation's token
 * hash, revoked) with a version that every change moves, and the version the cloud has taken. Kept apart
 * from the roster tables, which every import replaces. Also the cloud URL the hub was last started with
 * (meta.cloud_url), which invitation links point to by default.
 */
export interface ParentAccessContent {
  name: string;
  childIds: string[];
  /** The open invitation (only the SHA-256 of its token), or null. */
  invitation: ParentInvitation | null;
  revoked: boolean;
}

export interface ParentAccessRecord extends ParentAccessContent {
  guardianId: string;
  /** Moves by one with every change of the content. */
  version: number;
  /** The highest version the cloud answered 200 for (0: none yet). */
  relayedVersion: number;
  /** UTC ISO 8601. */
  updatedAt: string;
}

export interface ParentAccessStore {
  /** The cloud URL (no trailing slash) of the hub's last start with a cloud, or null. */
  cloudUrl(): string | null;
  rememberCloudUrl(url: string): void;
  get(guardianId: string): ParentAccessRecord | undefined;
  /** Every guardian with parent access state, by id. */
  all(): ParentAccessRecord[];
  /**
   * Stores a guardian's content with the next version (1 for a new guardian) and returns it; within the
   * caller's transaction when the content was read from other tables.
   */
  put(guardianId: string, content: ParentAccessContent): number;
  /** Up to `limit` guardians whose current version the cloud has not taken, oldest change first. */
  unrelayed(limit: number): ParentAccessRecord[];
  /** The cloud took `version` of the guardian (a later version stays unrelayed). */
  markRelayed(guardianId: string, version: number): void;
  /**
   * Gives the guardian's content the next version if it is still at `version` (the cloud holds that one or
   * a later one already: a restored hub's versions are behind). Returns whether it did.
   */
  bump(guardianId: string, version: number): boolean;
}

/** Hub migration adding parent_access and meta.cloud_url (listed in migrations.ts). */
export const parentAccessMigration = (version: number): Migration => ({
  version,
  name: 'parent app access, cloud URL',
  up: (db) => {
    db.exec(`
      ALTER TABLE meta ADD COLUMN cloud_url TEXT;
      CREATE TABLE parent_access (
        guardian_id TEXT PRIMARY KEY NOT NULL,
        version INTEGER NOT NULL CHECK (version >= 1),
        relayed_version INTEGER NOT NULL DEFAULT 0,
        name TEXT NOT NULL,
        child_ids_json TEXT NOT NULL CHECK (json_valid(child_ids_json)),
        -- hex SHA-256 of the invitation's token (never the token) and its expiry, or both NULL
        token_hash TEXT,
        expires TEXT,
        revoked INTEGER NOT NULL CHECK (revoked IN (0, 1)),
        -- UTC ISO 8601
        updated_at TEXT NOT NULL,
        CHECK ((token_hash IS NULL) = (expires IS NULL))
      ) STRICT;
      CREATE INDEX parent_access_unrelayed ON parent_access (updated_at) WHERE relayed_version < version;
    `);
  },
});

interface Row {
  guardian_id: string;
  version: number;
  relayed_version: number;
  name: string;
  child_ids_json: string;
  token_hash: string | null;
  expires: string | null;
  revoked: number;
  updated_at: string;
}

function recordOf(r: Row): ParentAccessRecord {
  return {
    guardianId: r.guardian_id,
    version: r.version,
    relayedVersion: r.relayed_version,
    name: r.name,
    childIds: JSON.parse(r.child_ids_json) as string[],
    invitation:
      r.token_hash === null || r.expires === null ? null : { tokenHash: r.token_hash, expires: r.expires },
    revoked: r.revoked === 1,
    updatedAt: r.updated_at,
  };
}

export class SqliteParentAccessStore implements ParentAccessStore {
  readonly #db: Db;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  cloudUrl(): string | null {
    return (
      this.#db.prepare<[], { cloud_url: string | null }>('SELECT cloud_url FROM meta WHERE id = 1').get()
        ?.cloud_url ?? null
    );
  }

  rememberCloudUrl(url: string): void {
    this.#db.prepare('UPDATE meta SET cloud_url = ? WHERE id = 1').run(url.replace(/\/+$/, ''));
  }

  get(guardianId: string): ParentAccessRecord | undefined {
    const row = this.#db
      .prepare<[string], Row>('SELECT * FROM parent_access WHERE guardian_id = ?')
      .get(guardianId);
    return row && recordOf(row);
  }

  all(): ParentAccessRecord[] {
    return this.#db.prepare<[], Row>('SELECT * FROM parent_access ORDER BY guardian_id').all().map(recordOf);
  }

  put(guardianId: string, content: ParentAccessContent): number {
    const row = this.#db
      .prepare<[string, number, string, string, string | null, string | null, number, string], Row>(
        `INSERT INTO parent_access
           (guardian_id, version, name, child_ids_json, token_hash, expires, revoked, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (guardian_id) DO UPDATE SET
           version = version + 1, name = excluded.name, child_ids_json = excluded.child_ids_json,
           token_hash = excluded.token_hash, expires = excluded.expires, revoked = excluded.revoked,
           updated_at = excluded.updated_at
         RETURNING *`,
      )
      .get(
        guardianId,
        1,
        content.name,
        JSON.stringify(content.childIds),
        content.invitation?.tokenHash ?? null,
        content.invitation?.expires ?? null,
        content.revoked ? 1 : 0,
        this.#clock.now().toISOString(),
      );
    if (row === undefined) throw new Error('parent_access: the upsert returned no row');
    return row.version;
  }

  unrelayed(limit: number): ParentAccessRecord[] {
    return this.#db
      .prepare<[number], Row>(
        'SELECT * FROM parent_access WHERE relayed_version < version ORDER BY updated_at, guardian_id LIMIT ?',
      )
      .all(limit)
      .map(recordOf);
  }

  markRelayed(guardianId: string, version: number): void {
    this.#db
      .prepare('UPDATE parent_access SET relayed_version = max(relayed_version, ?) WHERE guardian_id = ?')
      .run(version, guardianId);
  }

  bump(guardianId: string, version: number): boolean {
    return (
      this.#db
        .prepare(
          'UPDATE parent_access SET version = version + 1, updated_at = ? WHERE guardian_id = ? AND version = ?',
        )
        .run(this.#clock.now().toISOString(), guardianId, version).changes === 1
    );
  }
}
