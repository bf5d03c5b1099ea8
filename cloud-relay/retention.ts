import type { Logger } from '../common/logger.ts';
import { retentionCutoff, startOfLocalDay } from '../common/retention.ts';
import { localDate, type Clock } from '../common/time.ts';
import type { CloudStore } from './store/types.ts';

/**
 * The cloud's retention job (docs/admin.md "Retention, disposal and disclosure"): per facility, the hub's
 * rule (common/retention.ts) in the facility's zone with the retentionYears of its latest snapshot
 * version. The server runs it at start and then every hour; a facility whose cutoff has not moved since
 * the last run is not touched.
 */

/** How often the server runs it. */
export const RETENTION_INTERVAL_MS = 3_600_000;

export interface CloudRetentionOptions {
  store: Pick<CloudStore, 'retentionPolicies' | 'disposeBefore' | 'parentNotices'>;
  clock: Clock;
  logger: Logger;
}

export class CloudRetentionJob {
  private readonly o: CloudRetentionOptions;
  /** The cutoff last disposed of per facility (in memory: after a restart each is checked again). */
  private readonly done = new Map<string, string>();
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(options: CloudRetentionOptions) {
    this.o = options;
  }

  /**
   * Disposes of what is past the retention in every facility whose cutoff moved. A facility that fails is
   * logged and tried again at the next run; the others go on. One run at a time.
   */
  run(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= this.runAll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Starts no more runs, and settles once a run in progress is done (before the store closes). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running?.catch(() => undefined);
  }

  private async runAll(): Promise<void> {
    const { store, clock, logger } = this.o;
    const now = clock.now();
    for (const policy of await store.retentionPolicies()) {
      if (this.stopped) return;
      const { facilityId, timeZone, retentionYears } = policy;
      const cutoff = retentionCutoff(localDate(now, timeZone), retentionYears);
      if (this.done.get(facilityId) === cutoff) continue;
      try {
        const disposal = await store.disposeBefore(facilityId, cutoff, retentionYears);
        // Parents' notices that ended before the cutoff, pickup plans of days before it, and facility
        // notices and the parent audit of before its first instant.
        const parents = await store.parentNotices.purgeParentRecords(
          facilityId,
          cutoff,
          startOfLocalDay(cutoff, timeZone),
        );
        this.done.set(facilityId, cutoff);
        if (Object.values(parents).some((n) => n > 0)) {
          logger.info(
            { facilityId, cutoff, retentionYears, parents },
            'parent records past retention deleted',
          );
        }
        if (disposal !== undefined) {
          logger.info(
            { facilityId, cutoff, retentionYears, counts: disposal.counts },
            'records past retention deleted',
          );
        }
      } catch (err) {
        logger.error({ err, facilityId }, 'retention failed for a facility');
      }
    }
  }
}
