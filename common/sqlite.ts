import Database from 'better-sqlite3';
import { dirname } from 'node:path';
import { GenkanError } from './errors.ts';
import { ensurePrivateDir, makeDatabasePrivate, touchPrivateFile } from './private-files.ts';

export type Db = Database.Database;

/** A numbered schema migration. Versions start at 1 and increase by one; `up` runs in a transaction. */
export interface Migration {
  version: number;
  name: string;
  up: (db: Db) => void;
}

export interface OpenOptions {
  migrations: readonly Migration[];
  /** Stop after this version (tests of a single migration). */
  targetVersion?: number;
  readonly?: boolean;
}

/**
 * Opens a SQLite file for durable use: WAL journal with synchronous=FULL, so a committed transaction
 * survives power loss, and a busy timeout so that a CLI command and a running server can share the file.
 */
export function openDatabase(file: string, options: OpenOptions): Db {
  const onDisk = file !== ':memory:' && options.readonly !== true;
  if (onDisk) {
    // The data dir and the database files are the owner's only (common/private-files.ts).
    ensurePrivateDir(dirname(file));
    touchPrivateFile(file);
  }
  const db = new Database(file, { readonly: options.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  try {
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      if (onDisk) makeDatabasePrivate(file);
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      migrate(db, options.migrations, options.targetVersion);
    }
  } catch (err) {
    // A refused migration (e.g. a schema newer than this program) must not leave the file open.
    db.close();
    throw err;
  }
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies the pending migrations in order, each in its own transaction together with its version bump. */
export function migrate(db: Db, migrations: readonly Migration[], targetVersion?: number): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new GenkanError(
        'migration_order',
        `migration ${m.name} has version ${m.version}, expected ${i + 1}`,
      );
    }
  });
  const current = schemaVersion(db);
  const latest = migrations.length;
  if (current > latest) {
    throw new GenkanError(
      'schema_too_new',
      `database schema version ${current} is newer than this program (${latest}); upgrade Genkan`,
    );
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    if (targetVersion !== undefined && m.version > targetVersion) break;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}
