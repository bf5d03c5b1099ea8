import { z } from 'zod';
import type { Db } from '../../common/sqlite.ts';
import { localDate, type Clock } from '../../common/time.ts';
import { decodeStoredJson } from '../../protocol/decode.ts';
import { DateSchema } from '../../protocol/history.ts';
import { FacilitySnapshotSchema } from '../../protocol/ledger.ts';
import { RosterSchema } from '../../protocol/schemas.ts';
import { CARE_TYPES } from '../../protocol/settings.ts';
import { IdSchema } from '../../protocol/primitives.ts';

/**
 * What a snapshot version holds (protocol/ledger.ts FacilitySnapshot without the facility id and zone,
 * which never change; the name is null until the facility is claimed and reads as its id then).
 */
export const SnapshotContentSchema = FacilitySnapshotSchema.omit({
  facilityId: true,
  timeZone: true,
  facilityName: true,
}).extend({ facilityName: z.string().max(200).nullable() });
export type SnapshotContent = z.infer<typeof SnapshotContentSchema>;

export interface StoredSnapshotVersion {
  version: number;
  effectiveFrom: string;
  issuedAt: string;
  content: SnapshotContent;
  /** When the cloud took it; null while it is to be relayed. */
  relayedAt: string | null;
}

/** A roster as imported, with each child's dates (the live tables hold today's part of it). */
export const DatedRosterSchema = z.strictObject({
  classes: z.array(z.strictObject({ id: IdSchema, name: z.string() })),
  children: z.array(
    z.strictObject({
      id: IdSchema,
      name: z.string(),
      kana: z.string(),
      classId: IdSchema,
      careType: z.enum(CARE_TYPES),
      enrolledOn: DateSchema.nullable(),
      leftOn: DateSchema.nullable(),
      /** Hub-only, never in a snapshot: imports before migration 18 have none. */
      birthDate: DateSchema.nullable().default(null),
    }),
  ),
  /** As the kiosks' roster has them: credentials are keyed hashes, never card numbers. */
  guardians: RosterSchema.shape.guardians,
});
export type DatedRoster = z.infer<typeof DatedRosterSchema>;

export interface RosterImport {
  /** Import order: the highest id in effect on a day wins (common/ledger/timeline.ts). */
  version: number;
  effectiveFrom: string;
  importedAt: string;
  roster: DatedRoster;
}

/**
 * The dated history of the facility (tables snapshot_versions, roster_imports): what each day's ledgers
 * are built from, and the imports the live roster is taken from. Versions are only ever added; the
 * retention job deletes those no kept day needs. The logic is in edge-hub/facility/history.ts.
 */
export interface HistoryStore {
  /** The facility's business day now (its time zone): the day changes take effect from by default. */
  today(): string;
  /** Every stored snapshot version, by version. */
  versions(): StoredSnapshotVersion[];
  /** Adds a version (the next number) within the caller's transaction; returns its number. */
  issue(effectiveFrom: string, content: SnapshotContent): number;
  /** Versions the cloud has not taken yet, by version. */
  unrelayed(limit: number): StoredSnapshotVersion[];
  markRelayed(version: number): void;
  /**
   * Stores a version the cloud holds under its own number, as relayed (a restored hub's catch-up,
   * edge-hub/relay/catch-up.ts); within the caller's transaction. The number must be free.
   */
  adopt(version: number, effectiveFrom: string, content: SnapshotContent): void;
  deleteVersions(versions: readonly number[]): number;
  /** Records an import (the next id) within the caller's transaction; returns its id. */
  recordImport(effectiveFrom: string, roster: DatedRoster): number;
  imports(): RosterImport[];
  deleteImports(ids: readonly number[]): number;
  /** What the live roster tables were last made from (edge-hub/facility/history.ts), or null. */
  materialised(): string | null;
  setMaterialised(key: string): void;
}

interface VersionRow {
  version: number;
  effective_from: string;
  issued_at: string;
  content_json: string;
  relayed_at: string | null;
}

function versionOf(r: VersionRow): StoredSnapshotVersion {
  return {
    version: r.version,
    effectiveFrom: r.effective_from,
    issuedAt: r.issued_at,
    content: decodeStoredJson(SnapshotContentSchema, r.content_json),
    relayedAt: r.relayed_at,
  };
}

function deleteIn(db: Db, table: string, column: string, ids: readonly number[]): number {
  const stmt = db.prepare(`DELETE FROM ${table} WHERE ${column} = ?`);
  let n = 0;
  for (const id of ids) n += stmt.run(id).changes;
  return n;
}

export class SqliteHistoryStore implements HistoryStore {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly timeZone: string;

  constructor(db: Db, clock: Clock, timeZone: string) {
    this.db = db;
    this.clock = clock;
    this.timeZone = timeZone;
  }

  today(): string {
    return localDate(this.clock.now(), this.timeZone);
  }

  versions(): StoredSnapshotVersion[] {
    return this.db
      .prepare<[], VersionRow>('SELECT * FROM snapshot_versions ORDER BY version')
      .all()
      .map(versionOf);
  }

  issue(effectiveFrom: string, content: SnapshotContent): number {
    const next =
      (this.db.prepare<[], { v: number | null }>('SELECT MAX(version) AS v FROM snapshot_versions').get()
        ?.v ?? 0) + 1;
    this.db
      .prepare(
        'INSERT INTO snapshot_versions (version, effective_from, issued_at, content_json) VALUES (?, ?, ?, ?)',
      )
      .run(next, effectiveFrom, this.clock.now().toISOString(), JSON.stringify(content));
    return next;
  }

  unrelayed(limit: number): StoredSnapshotVersion[] {
    return this.db
      .prepare<[number], VersionRow>(
        'SELECT * FROM snapshot_versions WHERE relayed_at IS NULL ORDER BY version LIMIT ?',
      )
      .all(limit)
      .map(versionOf);
  }

  markRelayed(version: number): void {
    this.db
      .prepare('UPDATE snapshot_versions SET relayed_at = ? WHERE version = ? AND relayed_at IS NULL')
      .run(this.clock.now().toISOString(), version);
  }

  adopt(version: number, effectiveFrom: string, content: SnapshotContent): void {
    const now = this.clock.now().toISOString();
    this.db
      .prepare(
        `INSERT INTO snapshot_versions (version, effective_from, issued_at, content_json, relayed_at)
         VALUES (?, ?, ?, ?, ?)`,
      )
      .run(version, effectiveFrom, now, JSON.stringify(content), now);
  }

  deleteVersions(versions: readonly number[]): number {
    return deleteIn(this.db, 'snapshot_versions', 'version', versions);
  }

  recordImport(effectiveFrom: string, roster: DatedRoster): number {
    const next =
      (this.db.prepare<[], { v: number | null }>('SELECT MAX(id) AS v FROM roster_imports').get()?.v ?? 0) +
      1;
    this.db
      .prepare(
        'INSERT INTO roster_imports (id, effective_from, imported_at, roster_json) VALUES (?, ?, ?, ?)',
      )
      .run(next, effectiveFrom, this.clock.now().toISOString(), JSON.stringify(roster));
    return next;
  }

  imports(): RosterImport[] {
    return this.db
      .prepare<[], { id: number; effective_from: string; imported_at: string; roster_json: string }>(
        'SELECT * FROM roster_imports ORDER BY id',
      )
      .all()
      .map((r) => ({
        version: r.id,
        effectiveFrom: r.effective_from,
        importedAt: r.imported_at,
        roster: decodeStoredJson(DatedRosterSchema, r.roster_json),
      }));
  }

  deleteImports(ids: readonly number[]): number {
    return deleteIn(this.db, 'roster_imports', 'id', ids);
  }

  materialised(): string | null {
    return (
      this.db
        .prepare<[], { k: string | null }>('SELECT roster_materialised AS k FROM meta WHERE id = 1')
        .get()?.k ?? null
    );
  }

  setMaterialised(key: string): void {
    this.db.prepare('UPDATE meta SET roster_materialised = ? WHERE id = 1').run(key);
  }
}
