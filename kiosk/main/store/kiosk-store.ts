import { join } from 'node:path';
import { openDatabase, type Db } from '../../../common/sqlite.ts';
import { SqliteCacheStore, type CacheStore } from './cache.ts';
import { SqlitePinLockoutStore, type PinLockoutStore } from './guardian-pin-lockouts.ts';
import { SqliteIdentityStore, type IdentityStore } from './identity.ts';
import { MetaTable } from './meta.ts';
import { kioskMigrations } from './migrations.ts';
import { SqliteOutboxStore, type OutboxStore } from './outbox.ts';
import { SqliteSettingsStore, type SettingsStore } from './settings.ts';

export const KIOSK_DB_FILE = 'kiosk.sqlite';

/** The kiosk store's aggregates, each over its own tables (or meta keys) of the one database. */
export interface KioskAggregates {
  readonly identity: IdentityStore;
  readonly outbox: OutboxStore;
  readonly cache: CacheStore;
  readonly settings: SettingsStore;
  /** Wrong guardian PINs and lockouts (the family chooser's PIN pad). */
  readonly pinLockouts: PinLockoutStore;
}

/** What a caller that writes to several aggregates atomically needs besides them. */
export interface KioskTransactional {
  /** Runs `fn` in one IMMEDIATE transaction: every write in it survives together, or none does. */
  transaction<T>(fn: () => T): T;
}

/** The aggregates a caller uses, e.g. `KioskStoreOf<'outbox'>`; a KioskStore is one. */
export type KioskStoreOf<K extends keyof KioskAggregates> = Pick<KioskAggregates, K>;

/**
 * The kiosk's durable store, DATA/kiosk.sqlite: the outbox of events not yet acknowledged by the hub
 * (and the acknowledged ones, as the kiosk's own history), the device's sequence counter, and the
 * last roster and roll-call for offline restarts. Every write is one synchronous=FULL transaction, so
 * when a method returns its effect survives a power cut.
 */
export class KioskStore implements KioskAggregates, KioskTransactional {
  readonly file: string;
  readonly identity: IdentityStore;
  readonly outbox: OutboxStore;
  readonly cache: CacheStore;
  readonly settings: SettingsStore;
  readonly pinLockouts: PinLockoutStore;
  readonly #db: Db;

  private constructor(db: Db, file: string) {
    this.#db = db;
    this.file = file;
    const meta = new MetaTable(db);
    this.identity = new SqliteIdentityStore(meta);
    this.outbox = new SqliteOutboxStore(db, meta);
    this.cache = new SqliteCacheStore(db);
    this.settings = new SqliteSettingsStore(db, meta);
    this.pinLockouts = new SqlitePinLockoutStore(db);
  }

  /** Opens (creating and migrating) DIR/kiosk.sqlite. */
  static open(dir: string): KioskStore {
    const file = join(dir, KIOSK_DB_FILE);
    return new KioskStore(openDatabase(file, { migrations: kioskMigrations }), file);
  }

  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
