import { join } from 'node:path';
import { openDatabase, type Db } from '../../common/sqlite.ts';
import { systemClock, type Clock } from '../../common/time.ts';
import { SqliteAuditStore, type AuditStore } from './audit.ts';
import { SqliteCorrectionsStore, type CorrectionsStore } from './corrections.ts';
import { SqliteDeviceStore, type DeviceStore } from './devices.ts';
import { SqliteEventsStore, type EventsStore } from './events.ts';
import { SqliteFacilityStore, type FacilityStore } from './facility.ts';
import { SqliteFacilityNoticeStore, type FacilityNoticeStore } from './facility-notices.ts';
import { SqliteGuardianPinStore, type GuardianPinStore } from './guardian-pins.ts';
import { SqliteHistoryStore, type HistoryStore } from './history.ts';
import { hubMigrations } from './migrations.ts';
import { SqliteOutboxStore, type OutboxStore } from './outbox.ts';
import { SqliteParentAccessStore, type ParentAccessStore } from './parent-access.ts';
import { SqliteParentNoticeStore, type ParentNoticeStore } from './parent-notices.ts';
import { SqlitePeopleStore, type PeopleStore } from './people.ts';
import { SqlitePickupStore, type PickupStore } from './pickups.ts';
import { SqliteRevocationStore, type RevocationStore } from './revocations.ts';
import { SqliteRosterStore, type RosterStore } from './roster.ts';
import { SqliteSettingsStore, type SettingsStore } from './settings.ts';
import { SqliteSignInLimitStore, type SignInLimitStore } from './sign-in-limits.ts';

export const HUB_DB_FILE = 'hub.sqlite';

export interface StoreOpenOptions {
  /** Time zone of a new data dir (default Asia/Tokyo); an existing one must match when given. */
  timeZone?: string;
  clock?: Clock;
}

/** The hub store's aggregates, each over its own tables of the one database. */
export interface HubAggregates {
  readonly facility: FacilityStore;
  readonly events: EventsStore;
  readonly outbox: OutboxStore;
  readonly roster: RosterStore;
  readonly people: PeopleStore;
  readonly devices: DeviceStore;
  readonly audit: AuditStore;
  readonly settings: SettingsStore;
  readonly history: HistoryStore;
  readonly corrections: CorrectionsStore;
  /** Guardians' kiosk PIN hashes (kept apart from the roster tables). */
  readonly guardianPins: GuardianPinStore;
  /** Removed cards and guardians' QR generations (what kiosks must refuse). */
  readonly revocations: RevocationStore;
  /** Failed staff sign-ins per staff id (the back-off), and admins' short PINs. */
  readonly signInLimits: SignInLimitStore;
  /** Parents' access to the cloud's parent app (invitations, revocations) and the cloud URL. */
  readonly parentAccess: ParentAccessStore;
  /** Parents' notices fetched from the cloud, staff's confirmations, the fetch cursor, cut-offs uploaded. */
  readonly parentNotices: ParentNoticeStore;
  /** Children's authorised pickup people (with photos), their uploads to the cloud, parents' pickup plans. */
  readonly pickups: PickupStore;
  /** The facility's notices to parents (園からのお知らせ), their recipients and reads, their uploads. */
  readonly facilityNotices: FacilityNoticeStore;
}

/** What a caller that writes to several aggregates atomically needs besides them. */
export interface Transactional {
  /** Runs `fn` in one IMMEDIATE transaction (so a writer in another process waits on the busy timeout). */
  transaction<T>(fn: () => T): T;
}

/** The aggregates a caller uses, e.g. `StoreOf<'events' | 'audit'>`; a HubStore is one. */
export type StoreOf<K extends keyof HubAggregates> = Pick<HubAggregates, K>;

/**
 * The hub's SQLite store, DIR/hub.sqlite: opens and migrates the database and holds its aggregates.
 * Synchronous on purpose: better-sqlite3 is synchronous, and the ingest path relies on a group of events
 * being checked and committed without yielding to the event loop.
 */
export class HubStore implements HubAggregates, Transactional {
  readonly db: Db;
  readonly facility: FacilityStore;
  readonly events: EventsStore;
  readonly outbox: OutboxStore;
  readonly roster: RosterStore;
  readonly people: PeopleStore;
  readonly devices: DeviceStore;
  readonly audit: AuditStore;
  readonly settings: SettingsStore;
  readonly history: HistoryStore;
  readonly corrections: CorrectionsStore;
  readonly guardianPins: GuardianPinStore;
  readonly revocations: RevocationStore;
  readonly signInLimits: SignInLimitStore;
  readonly parentAccess: ParentAccessStore;
  readonly parentNotices: ParentNoticeStore;
  readonly pickups: PickupStore;
  readonly facilityNotices: FacilityNoticeStore;

  private constructor(db: Db, clock: Clock, facility: FacilityStore, timeZone: string) {
    this.db = db;
    this.facility = facility;
    this.audit = new SqliteAuditStore(db, clock);
    this.events = new SqliteEventsStore(db, clock, timeZone);
    this.outbox = new SqliteOutboxStore(db, clock);
    this.roster = new SqliteRosterStore(db, clock, this.audit);
    this.people = new SqlitePeopleStore(db, clock);
    this.devices = new SqliteDeviceStore(db, clock);
    this.settings = new SqliteSettingsStore(db);
    this.history = new SqliteHistoryStore(db, clock, timeZone);
    this.corrections = new SqliteCorrectionsStore(db, clock);
    this.guardianPins = new SqliteGuardianPinStore(db, clock);
    this.revocations = new SqliteRevocationStore(db, clock);
    this.signInLimits = new SqliteSignInLimitStore(db);
    this.parentAccess = new SqliteParentAccessStore(db, clock);
    this.parentNotices = new SqliteParentNoticeStore(db, clock, timeZone);
    this.pickups = new SqlitePickupStore(db, clock, timeZone);
    this.facilityNotices = new SqliteFacilityNoticeStore(db, clock, timeZone);
  }

  /** Opens (creating and migrating when needed) DIR/hub.sqlite and makes sure the facility row exists. */
  static open(dataDir: string, options: StoreOpenOptions = {}): HubStore {
    const db = openDatabase(join(dataDir, HUB_DB_FILE), { migrations: hubMigrations });
    try {
      const facility = new SqliteFacilityStore(db);
      const { timeZone } = facility.init(options.timeZone);
      return new HubStore(db, options.clock ?? systemClock, facility, timeZone);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction. Used where the checks must see the same database state as the
   * writes (ingest: events.insertInTransaction), or where writes to several aggregates (a change and its
   * audit entry) must commit together.
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
