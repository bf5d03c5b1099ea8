import type { Db } from '../../../common/sqlite.ts';
import type { MetaTable } from './meta.ts';

/** Settings other modules keep in the meta table (e.g. the staff PIN): each names its own keys here. */
export type ExtraMetaKey =
  | 'staff_pin'
  | 'staff_pin_failures'
  | 'staff_pin_locked_until'
  /** The newest time the kiosk has seen, ms since 1970 (kiosk-clock.ts): stamps never go below it. */
  | 'clock_floor';

/** The kiosk's own settings (table meta): the staff PIN and its lockout, the clock floor. */
export interface SettingsStore {
  extraMeta(key: ExtraMetaKey): string | undefined;
  /** Sets (or with undefined, removes) settings in one transaction: all of them or none survive. */
  setExtraMeta(values: Partial<Record<ExtraMetaKey, string | undefined>>): void;
}

export class SqliteSettingsStore implements SettingsStore {
  readonly #db: Db;
  readonly #meta: MetaTable;

  constructor(db: Db, meta: MetaTable) {
    this.#db = db;
    this.#meta = meta;
  }

  extraMeta(key: ExtraMetaKey): string | undefined {
    return this.#meta.get(key);
  }

  setExtraMeta(values: Partial<Record<ExtraMetaKey, string | undefined>>): void {
    this.#db.transaction(() => {
      for (const [key, value] of Object.entries(values)) {
        if (value === undefined) this.#meta.delete(key);
        else this.#meta.set(key, value);
      }
    })();
  }
}
