import type { Statement } from 'better-sqlite3';
import type { Db } from '../../../common/sqlite.ts';
import {
  decodeJson,
  RollcallSchema,
  RosterSchema,
  type Rollcall,
  type Roster,
} from '../../../protocol/index.ts';

export interface Cached<T> {
  value: T;
  /** When the kiosk received it, ISO 8601 UTC by the kiosk's clock. */
  receivedAt: string;
}

/** The last roster and roll-call per facility (tables roster_cache, rollcall_cache), for offline restarts. */
export interface CacheStore {
  saveRoster(roster: Roster, receivedAt: Date): void;
  /** The cached roster; a copy that no longer reads (damaged, or older than the schema) is a miss. */
  loadRoster(facilityId: string): Cached<Roster> | undefined;
  saveRollcall(rollcall: Rollcall, receivedAt: Date): void;
  /** The cached roll-call; like loadRoster, a copy that no longer reads is a miss. */
  loadRollcall(facilityId: string): Cached<Rollcall> | undefined;
}

type CachedRow = { json: string; received_at: string };

export class SqliteCacheStore implements CacheStore {
  readonly #q: {
    saveRoster: Statement<[string, number, string, string]>;
    loadRoster: Statement<[string], CachedRow>;
    saveRollcall: Statement<[string, string, string, string]>;
    loadRollcall: Statement<[string], CachedRow>;
  };

  constructor(db: Db) {
    this.#q = {
      saveRoster: db.prepare<[string, number, string, string]>(
        `INSERT INTO roster_cache (facility_id, version, json, received_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (facility_id) DO UPDATE
           SET version = excluded.version, json = excluded.json, received_at = excluded.received_at`,
      ),
      loadRoster: db.prepare<[string], CachedRow>(
        'SELECT json, received_at FROM roster_cache WHERE facility_id = ?',
      ),
      saveRollcall: db.prepare<[string, string, string, string]>(
        `INSERT INTO rollcall_cache (facility_id, date, json, received_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (facility_id) DO UPDATE
           SET date = excluded.date, json = excluded.json, received_at = excluded.received_at`,
      ),
      loadRollcall: db.prepare<[string], CachedRow>(
        'SELECT json, received_at FROM rollcall_cache WHERE facility_id = ?',
      ),
    };
  }

  saveRoster(roster: Roster, receivedAt: Date): void {
    this.#q.saveRoster.run(
      roster.facilityId,
      roster.version,
      JSON.stringify(roster),
      receivedAt.toISOString(),
    );
  }

  loadRoster(facilityId: string): Cached<Roster> | undefined {
    const row = this.#q.loadRoster.get(facilityId);
    if (!row) return undefined;
    const r = decodeJson(RosterSchema, row.json);
    return r.ok ? { value: r.value, receivedAt: row.received_at } : undefined;
  }

  saveRollcall(rollcall: Rollcall, receivedAt: Date): void {
    this.#q.saveRollcall.run(
      rollcall.facilityId,
      rollcall.date,
      JSON.stringify(rollcall),
      receivedAt.toISOString(),
    );
  }

  loadRollcall(facilityId: string): Cached<Rollcall> | undefined {
    const row = this.#q.loadRollcall.get(facilityId);
    if (!row) return undefined;
    const r = decodeJson(RollcallSchema, row.json);
    return r.ok ? { value: r.value, receivedAt: row.received_at } : undefined;
  }
}
