import { createHash, randomBytes } from 'node:crypto';
import type { Db, Migration } from '../../common/sqlite.ts';
import type { Clock } from '../../common/time.ts';
import type { ParentPickup, PickupPerson } from '../../protocol/parent-pickups.ts';
import { PickupPlanTable, type PickupPlanRecord } from './pickup-plans.ts';

export type { PickupPlanRecord } from './pickup-plans.ts';

/**
 * Pickup plans at the hub (issue 17, お迎え予定): each child's authorised pickup people the admin added
 * (table pickup_people; a photo stays here, it never goes to the cloud), what the cloud is to offer parents
 * per child with a version (table pickup_uploads, like parent_access), and the plans parents sent (table
 * pickup_plans, one row per plan and child, stored once, with staff's confirmations: pickup-plans.ts).
 */

/** A person the admin added (not the roster's guardians, which are listed from the live roster). */
export interface PickupPersonRecord {
  id: string;
  childId: string;
  name: string;
  relation: string;
  hasPhoto: boolean;
  /** UTC ISO 8601. */
  createdAt: string;
  updatedAt: string;
}

export interface PickupPhoto {
  data: Buffer;
  /** image/jpeg, image/png or image/webp. */
  type: string;
}

/** A child's list as uploaded to the cloud, its version, and the version the cloud has taken. */
export interface PickupUploadRecord {
  childId: string;
  version: number;
  relayedVersion: number;
  people: PickupPerson[];
}

export interface PickupStore {
  /** The people the admin added for a child, oldest first. */
  people(childId: string): PickupPersonRecord[];
  person(id: string): PickupPersonRecord | undefined;
  photo(id: string): PickupPhoto | undefined;
  addPerson(p: {
    childId: string;
    name: string;
    relation: string;
    photo: PickupPhoto | null;
  }): PickupPersonRecord;
  /** Changes name and relation; `photo` undefined keeps the photo, null removes it. Undefined: unknown id. */
  updatePerson(
    id: string,
    change: { name: string; relation: string; photo?: PickupPhoto | null },
  ): PickupPersonRecord | undefined;
  /** Deletes the person (and photo); the deleted record, or undefined for an unknown id. */
  removePerson(id: string): PickupPersonRecord | undefined;
  /** A digest of every person's id, name, relation and photo presence: moves with every change. */
  peopleRevision(): string;

  /** Stores `people` as the child's list under the next version when it differs from the stored one. */
  putUpload(childId: string, people: readonly PickupPerson[]): { version: number; changed: boolean };
  /** Up to `limit` children whose list the cloud has not taken, oldest change first. */
  unrelayedUploads(limit: number): PickupUploadRecord[];
  markUploadRelayed(childId: string, version: number): void;
  /** The next version for the same list if still at `version` (the cloud holds a later one). */
  bumpUpload(childId: string, version: number): boolean;

  /** Stores a plan once per child (by plan id and child); returns how many rows were new. */
  insertPlan(plan: ParentPickup): number;
  /** Each child's latest sent plan for `date` (a later plan replaces an earlier one), by child id. */
  latestPlansOn(date: string): Map<string, PickupPlanRecord>;
  /** Deletes the plans of the days before `date` (retention), within the caller's transaction. */
  deletePlansBefore(date: string): number;
  /**
   * Confirms (確認) every child's row of plan `id` by `staffId` unless it is confirmed already; undefined
   * for an unknown id. `first` says whether this call confirmed it.
   */
  markPlanRead(id: string, staffId: string): { record: PickupPlanRecord; first: boolean } | undefined;
  /** Up to `limit` confirmed plans the cloud has not taken (one per plan id), oldest first. */
  unrelayedPlanReads(limit: number): { id: string; readAt: string }[];
  markPlanReadsRelayed(ids: readonly string[]): void;
}

/** A new person's id: `p-` and 96 random bits (IdSchema-safe). */
export function newPickupPersonId(): string {
  return `p-${randomBytes(12).toString('base64url')}`;
}

/** Hub migration adding the pickup people, their uploads and the plans (listed in migrations.ts). */
export const pickupsMigration = (version: number): Migration => ({
  version,
  name: 'pickup people and plans',
  up: (db) => {
    // No foreign key to children: a roster import replaces every child row. Times are UTC ISO 8601.
    db.exec(`
      CREATE TABLE pickup_people (
        id TEXT PRIMARY KEY NOT NULL,
        child_id TEXT NOT NULL,
        name TEXT NOT NULL,
        relation TEXT NOT NULL,
        photo BLOB,
        photo_type TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        CHECK ((photo IS NULL) = (photo_type IS NULL))
      ) STRICT;
      CREATE INDEX pickup_people_child ON pickup_people (child_id, created_at);
      CREATE TABLE pickup_uploads (
        child_id TEXT PRIMARY KEY NOT NULL,
        version INTEGER NOT NULL CHECK (version >= 1),
        relayed_version INTEGER NOT NULL DEFAULT 0,
        people_json TEXT NOT NULL CHECK (json_valid(people_json)),
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX pickup_uploads_unrelayed ON pickup_uploads (updated_at) WHERE relayed_version < version;
      CREATE TABLE pickup_plans (
        id TEXT NOT NULL,
        child_id TEXT NOT NULL,
        guardian_id TEXT NOT NULL,
        date TEXT NOT NULL,
        time TEXT NOT NULL,
        person_id TEXT,
        person_kind TEXT NOT NULL CHECK (person_kind IN ('guardian', 'person', 'other')),
        person_name TEXT NOT NULL,
        relation TEXT NOT NULL,
        note TEXT,
        sent_at TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('sent', 'read')),
        received_at TEXT NOT NULL,
        PRIMARY KEY (id, child_id)
      ) STRICT;
      CREATE INDEX pickup_plans_date ON pickup_plans (date, child_id);
    `);
  },
});

interface PersonRow {
  id: string;
  child_id: string;
  name: string;
  relation: string;
  has_photo: number;
  created_at: string;
  updated_at: string;
}

const PERSON_COLUMNS = 'id, child_id, name, relation, photo IS NOT NULL AS has_photo, created_at, updated_at';

function personOf(r: PersonRow): PickupPersonRecord {
  return {
    id: r.id,
    childId: r.child_id,
    name: r.name,
    relation: r.relation,
    hasPhoto: r.has_photo === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class SqlitePickupStore implements PickupStore {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #plans: PickupPlanTable;

  constructor(db: Db, clock: Clock, timeZone: string) {
    this.#db = db;
    this.#clock = clock;
    this.#plans = new PickupPlanTable(db, clock, timeZone);
  }

  people(childId: string): PickupPersonRecord[] {
    return this.#db
      .prepare<[string], PersonRow>(
        `SELECT ${PERSON_COLUMNS} FROM pickup_people WHERE child_id = ? ORDER BY created_at, id`,
      )
      .all(childId)
      .map(personOf);
  }

  person(id: string): PickupPersonRecord | undefined {
    const row = this.#db
      .prepare<[string], PersonRow>(`SELECT ${PERSON_COLUMNS} FROM pickup_people WHERE id = ?`)
      .get(id);
    return row && personOf(row);
  }

  photo(id: string): PickupPhoto | undefined {
    const row = this.#db
      .prepare<[string], { photo: Buffer | null; photo_type: string | null }>(
        'SELECT photo, photo_type FROM pickup_people WHERE id = ?',
      )
      .get(id);
    if (row?.photo == null || row.photo_type === null) return undefined;
    return { data: row.photo, type: row.photo_type };
  }

  addPerson(p: {
    childId: string;
    name: string;
    relation: string;
    photo: PickupPhoto | null;
  }): PickupPersonRecord {
    const id = newPickupPersonId();
    const now = this.#clock.now().toISOString();
    this.#db
      .prepare(
        `INSERT INTO pickup_people (id, child_id, name, relation, photo, photo_type, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, p.childId, p.name, p.relation, p.photo?.data ?? null, p.photo?.type ?? null, now, now);
    const record = this.person(id);
    if (record === undefined) throw new Error('pickup_people: the insert left no row');
    return record;
  }

  updatePerson(
    id: string,
    change: { name: string; relation: string; photo?: PickupPhoto | null },
  ): PickupPersonRecord | undefined {
    const now = this.#clock.now().toISOString();
    const changes =
      change.photo === undefined
        ? this.#db
            .prepare('UPDATE pickup_people SET name = ?, relation = ?, updated_at = ? WHERE id = ?')
            .run(change.name, change.relation, now, id).changes
        : this.#db
            .prepare(
              `UPDATE pickup_people SET name = ?, relation = ?, photo = ?, photo_type = ?, updated_at = ?
               WHERE id = ?`,
            )
            .run(
              change.name,
              change.relation,
              change.photo?.data ?? null,
              change.photo?.type ?? null,
              now,
              id,
            ).changes;
    return changes === 1 ? this.person(id) : undefined;
  }

  removePerson(id: string): PickupPersonRecord | undefined {
    const record = this.person(id);
    if (record === undefined) return undefined;
    this.#db.prepare('DELETE FROM pickup_people WHERE id = ?').run(id);
    return record;
  }

  peopleRevision(): string {
    // What the uploads are made of, hashed: a change within the same millisecond still shows.
    const rows = this.#db
      .prepare<[], { id: string; name: string; relation: string; has_photo: number }>(
        'SELECT id, name, relation, photo IS NOT NULL AS has_photo FROM pickup_people ORDER BY id',
      )
      .all();
    return createHash('sha256').update(JSON.stringify(rows)).digest('base64url');
  }

  putUpload(childId: string, people: readonly PickupPerson[]): { version: number; changed: boolean } {
    const json = JSON.stringify(people);
    const row = this.#db
      .prepare<[string], { version: number; people_json: string }>(
        'SELECT version, people_json FROM pickup_uploads WHERE child_id = ?',
      )
      .get(childId);
    // Read first: the relay compares on every change it sees, and a write each time would take the lock.
    if (row !== undefined && row.people_json === json) return { version: row.version, changed: false };
    const now = this.#clock.now().toISOString();
    const stored = this.#db
      .prepare<[string, string, string], { version: number }>(
        `INSERT INTO pickup_uploads (child_id, version, people_json, updated_at) VALUES (?, 1, ?, ?)
         ON CONFLICT (child_id) DO UPDATE SET
           version = version + 1, people_json = excluded.people_json, updated_at = excluded.updated_at
         RETURNING version`,
      )
      .get(childId, json, now);
    if (stored === undefined) throw new Error('pickup_uploads: the upsert returned no row');
    return { version: stored.version, changed: true };
  }

  unrelayedUploads(limit: number): PickupUploadRecord[] {
    return this.#db
      .prepare<[number], { child_id: string; version: number; relayed_version: number; people_json: string }>(
        `SELECT child_id, version, relayed_version, people_json FROM pickup_uploads
         WHERE relayed_version < version ORDER BY updated_at, child_id LIMIT ?`,
      )
      .all(limit)
      .map((r) => ({
        childId: r.child_id,
        version: r.version,
        relayedVersion: r.relayed_version,
        people: JSON.parse(r.people_json) as PickupPerson[],
      }));
  }

  markUploadRelayed(childId: string, version: number): void {
    this.#db
      .prepare('UPDATE pickup_uploads SET relayed_version = max(relayed_version, ?) WHERE child_id = ?')
      .run(version, childId);
  }

  bumpUpload(childId: string, version: number): boolean {
    return (
      this.#db
        .prepare(
          'UPDATE pickup_uploads SET version = version + 1, updated_at = ? WHERE child_id = ? AND version = ?',
        )
        .run(this.#clock.now().toISOString(), childId, version).changes === 1
    );
  }

  insertPlan(plan: ParentPickup): number {
    return this.#plans.insert(plan);
  }

  latestPlansOn(date: string): Map<string, PickupPlanRecord> {
    return this.#plans.latestOn(date);
  }

  deletePlansBefore(date: string): number {
    return this.#plans.deleteBefore(date);
  }

  markPlanRead(id: string, staffId: string): { record: PickupPlanRecord; first: boolean } | undefined {
    return this.#plans.markRead(id, staffId);
  }

  unrelayedPlanReads(limit: number): { id: string; readAt: string }[] {
    return this.#plans.unrelayedReads(limit);
  }

  markPlanReadsRelayed(ids: readonly string[]): void {
    this.#plans.markReadsRelayed(ids);
  }
}
