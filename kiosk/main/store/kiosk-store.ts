import { join } from 'node:path';
import { errorMessage, GenkanError } from '../../../common/errors.ts';
import { openDatabase, type Db } from '../../../common/sqlite.ts';
import { KioskError } from '../errors.ts';
import { SqliteCacheStore, type CacheStore } from './cache.ts';
import { SqlitePinLockoutStore, type PinLockoutStore } from './guardian-pin-lockouts.ts';
import { SqliteIdentityStore, type IdentityStore } from './identity.ts';
import { MetaTable } from './meta.ts';
import { kioskMigrations } from './migrations.ts';
import { SqliteOutboxStore, type OutboxStore } from './outbox.ts';
import { MetaResyncStore, type ResyncStore } from './resync.ts';
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
  /** The resync requests of a restored hub this kiosk served. */
  readonly resync: ResyncStore;
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
  readonly resync: ResyncStore;
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
    this.resync = new MetaResyncStore(meta);
  }

  /**
   * Opens (creating and migrating) DIR/kiosk.sqlite. A file that is not a database, or one whose pages
   * fail SQLite's quick check, is refused with KioskStoreUnusableError: a kiosk must not say ready and
   * then fail every tap.
   */
  static open(dir: string): KioskStore {
    const file = join(dir, KIOSK_DB_FILE);
    let db: Db;
    try {
      db = openDatabase(file, { migrations: kioskMigrations });
    } catch (err) {
      if (err instanceof GenkanError) throw err; // a schema newer than this program: its own message
      throw new KioskStoreUnusableError(file, err);
    }
    try {
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(String(check));
    } catch (err) {
      db.close();
      throw new KioskStoreUnusableError(file, err);
    }
    return new KioskStore(db, file);
  }

  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

/** kiosk.sqlite cannot be opened or is damaged: the kiosk is out of order until staff replace it. */
export class KioskStoreUnusableError extends KioskError {
  constructor(file: string, cause: unknown) {
    super(
      'kiosk_store_unusable',
      `${file} cannot be used (${errorMessage(cause)}): this kiosk is out of order. Move the file aside and pair the kiosk again; taps not yet sent from it are lost`,
      { cause },
    );
  }
}
