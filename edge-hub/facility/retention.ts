import { disposableVersions } from '../../common/ledger/timeline.ts';
import type { Logger } from '../../common/logger.ts';
import { retentionCutoff, startOfLocalDay } from '../../common/retention.ts';
import { localDate, type Clock } from '../../common/time.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';

/**
 * Retention and disposal on the hub (docs/admin.md "Retention, disposal and disclosure"): what is past
 * the retention (common/retention.ts) is deleted in one transaction, and the disposal is recorded in the
 * audit log with counts only. This job is the only thing that deletes records.
 */

/** How many rows of each kind a disposal deleted. */
export interface DisposalCounts {
  events: number;
  /** Of `events`, those the cloud relay had not sent yet (they are deleted all the same). */
  unrelayedEvents: number;
  audit: number;
  snapshots: number;
  rosterImports: number;
  corrections: number;
  closures: number;
  relayRejects: number;
  staffOnDuty: number;
  /** The dated record of the staff counts entered (each change a row). */
  staffOnDutyChanges: number;
  /** Parents' notices whose last day is before the cutoff (their absences are among `events`). */
  parentNotices: number;
  /** Parents' pickup plans of the days before the cutoff. */
  pickupPlans: number;
  /** The facility's notices published before the cutoff (with their reads). */
  facilityNotices: number;
  facilityNoticeReads: number;
}

/** The disposal record: the `after` of the audit entry `retention.dispose`. No personal data. */
export interface Disposal {
  /** The first day kept: everything of the days before it went. */
  cutoff: string;
  retentionYears: number;
  counts: DisposalCounts;
  /** When (UTC ISO 8601). */
  at: string;
}

export type RetentionStore = StoreOf<
  | 'events'
  | 'audit'
  | 'history'
  | 'corrections'
  | 'settings'
  | 'people'
  | 'parentNotices'
  | 'pickups'
  | 'facilityNotices'
> &
  Transactional;

/**
 * Deletes everything of the business days before `cutoff` in one transaction: events (a void of such a day
 * that cancels a kept event stays), audit entries made before the cutoff's local midnight, snapshot
 * versions and roster imports no day from the cutoff on needs, corrections of those days, closures of the
 * months before the cutoff's, the cloud's refusals of deleted events, staff-on-duty counts with their
 * dated record, and parents' notices whose last day is before the cutoff. Then appends the disposal record to the audit log (it is newer than the cutoff, so it
 * stays). Nothing at all, not even a record, when nothing was due.
 */
export function disposeBefore(
  store: RetentionStore,
  cutoff: string,
  options: { timeZone: string; retentionYears: number; clock: Clock },
): Disposal | undefined {
  return store.transaction(() => {
    const events = store.events.deleteBefore(cutoff);
    const audit = store.audit.deleteBefore(startOfLocalDay(cutoff, options.timeZone));
    const snapshots = store.history.deleteVersions(
      disposableVersions(store.history.versions(), cutoff).map((v) => v.version),
    );
    const rosterImports = store.history.deleteImports(
      disposableVersions(store.history.imports(), cutoff).map((i) => i.version),
    );
    const { corrections, closures } = store.corrections.deleteBefore(cutoff);
    const staffOnDuty = store.people.deleteStaffOnDutyBefore(cutoff);
    const staffOnDutyChanges = store.people.deleteStaffOnDutyChangesBefore(cutoff);
    const parentNotices = store.parentNotices.deleteBefore(cutoff);
    const pickupPlans = store.pickups.deletePlansBefore(cutoff);
    const facilityNotices = store.facilityNotices.deleteBefore(startOfLocalDay(cutoff, options.timeZone));
    const counts: DisposalCounts = {
      events: events.events,
      unrelayedEvents: events.unrelayed,
      audit,
      snapshots,
      rosterImports,
      corrections,
      closures,
      relayRejects: events.relayRejects,
      staffOnDuty,
      staffOnDutyChanges,
      parentNotices,
      pickupPlans,
      facilityNotices: facilityNotices.notices,
      facilityNoticeReads: facilityNotices.reads,
    };
    if (Object.values(counts).every((n) => n === 0)) return undefined;
    const disposal: Disposal = {
      cutoff,
      retentionYears: options.retentionYears,
      counts,
      at: options.clock.now().toISOString(),
    };
    // 'cli' with no actor id is how the hub's own doings are audited (the CHECK allows no other kind).
    store.audit.append({
      actorKind: 'cli',
      actorId: null,
      action: 'retention.dispose',
      subject: null,
      outcome: 'ok',
      after: disposal,
    });
    return disposal;
  });
}

export interface RetentionJobOptions {
  store: RetentionStore;
  /** The facility's zone: its business days decide the cutoff. */
  timeZone: string;
  clock: Clock;
  logger: Logger;
  /** Whether a cloud relay is set up (only then are deleted unsent events worth a warning). */
  relay: boolean;
}

/**
 * The hub's retention job: the hub runs it at start and then every hour. The cutoff moves once a year
 * (April 1) or when the setting retention.years changes; while it stays, a run does nothing.
 */
export class RetentionJob {
  private readonly o: RetentionJobOptions;
  /** The cutoff last disposed of (in memory: after a restart the first run checks again). */
  private done: string | undefined;

  constructor(options: RetentionJobOptions) {
    this.o = options;
  }

  /** The cutoff today under the current setting. */
  cutoff(): { cutoff: string; years: number } {
    const { store, clock, timeZone } = this.o;
    const years = store.settings.facilitySettings().retention.years;
    return { cutoff: retentionCutoff(localDate(clock.now(), timeZone), years), years };
  }

  /** Disposes of what is past the retention, unless this cutoff was done already; throws on failure. */
  run(): Disposal | undefined {
    const { cutoff, years } = this.cutoff();
    if (cutoff === this.done) return undefined;
    const { store, clock, timeZone, logger } = this.o;
    const disposal = disposeBefore(store, cutoff, { timeZone, retentionYears: years, clock });
    this.done = cutoff;
    if (disposal === undefined) return undefined;
    logger.info({ cutoff, retentionYears: years, counts: disposal.counts }, 'records past retention deleted');
    if (disposal.counts.unrelayedEvents > 0 && this.o.relay) {
      logger.warn(
        { cutoff, unrelayedEvents: disposal.counts.unrelayedEvents },
        'deleted events past retention that the cloud relay never sent: check the relay',
      );
    }
    return disposal;
  }

  /** run() for the timer: a failure is logged and retried at the next tick. */
  tick(): void {
    try {
      this.run();
    } catch (err) {
      this.o.logger.error({ err }, 'retention job failed');
    }
  }
}
