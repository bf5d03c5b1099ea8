import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { openDatabase, type Db } from '../../common/sqlite.ts';
import { HUB_DB_FILE } from '../../edge-hub/store/hub-store.ts';
import { hubMigrations } from '../../edge-hub/store/migrations.ts';
import { removeDir, tempDir } from './hub.ts';

/** A hub data dir of its own for each test of a migration, removed after it. */
export interface MigrationDir {
  /** The data dir (for HubStore.open). */
  readonly dir: string;
  /** Opens the dir's hub database migrated up to `version` (a later call migrates it further). */
  at(version: number): Db;
}

/** Registers the per-test data dir of a hub migration's tests (call at the top of a describe). */
export function migrationDir(): MigrationDir {
  let dir = '';
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await removeDir(dir);
  });
  return {
    get dir() {
      return dir;
    },
    at: (version) =>
      openDatabase(join(dir, HUB_DB_FILE), { migrations: hubMigrations, targetVersion: version }),
  };
}
