import type { z } from 'zod';
import type { Logger } from '../../common/logger.ts';
import type { Clock } from '../../common/time.ts';
import {
  CATCH_UP_PAGE_MAX,
  CLOUD_TIME_WINDOW,
  describeIssues,
  FacilitySnapshotSchema,
  HubAmendmentsPageSchema,
  HubEventsPageSchema,
  HubSnapshotsPageSchema,
  validateEvents,
  type Amendment,
  type FacilitySnapshot,
  type SnapshotVersion,
} from '../../protocol/index.ts';
import { readRestoreMark, writeRestoreMark } from '../backup/restore-mark.ts';
import { snapshotOf } from '../facility/history.ts';
import { correctionOf } from '../store/corrections.ts';
import type { StoredEvent } from '../store/events.ts';
import type { SnapshotContent } from '../store/history.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import { errorCodeOf, jsonOf, networkReason, parseRetryAfter, RequestDeadline } from './http.ts';

export interface CloudCatchUpOptions {
  /** Base URL of the cloud relay, without a trailing slash. */
  baseUrl: string;
  token: string;
  facilityId: string;
  timeZone: string;
  /** The hub's data dir, where the restore mark (edge-hub/backup/restore-mark.ts) is kept. */
  dataDir: string;
  store: StoreOf<'history' | 'corrections' | 'events'> & Transactional;
  logger: Logger;
  clock: Clock;
  timeoutMs: number;
  /** Events stored from the cloud: the roll-call, the tablets and the relay see them (bus events.stored). */
  onStored: (stored: readonly StoredEvent[]) => void;
  /** The relay's close(): aborts a request in flight. */
  stopping: AbortSignal;
}

export type CatchUpResult = { ok: true } | { ok: false; reason: string; retryAfterMs?: number };

class CatchUpFailure extends Error {
  readonly retryAfterMs: number | undefined;
  constructor(reason: string, retryAfterMs?: number) {
    super(reason);
    this.retryAfterMs = retryAfterMs;
  }
}

/** The same snapshot whatever the key order it was written in: both through the schema's own order. */
function sameSnapshot(a: FacilitySnapshot, b: FacilitySnapshot): boolean {
  return JSON.stringify(FacilitySnapshotSchema.parse(a)) === JSON.stringify(FacilitySnapshotSchema.parse(b));
}

/** The wire snapshot as the hub stores a version's content (snapshotOf the other way). */
function contentOf(snapshot: FacilitySnapshot): SnapshotContent {
  const { facilityId, facilityName, ...rest } = snapshot;
  const content: Omit<FacilitySnapshot, 'facilityId' | 'facilityName' | 'timeZone'> & { timeZone?: string } =
    { ...rest };
  delete content.timeZone;
  return { ...content, facilityName: facilityName === facilityId ? null : facilityName };
}

/**
 * A hub restored from a backup fetches what the cloud holds of its facility and the backup does not
 * (docs/deployment.md, "Events between the backup and the failure"): the snapshot versions and amendments
 * the lost hub relayed after the backup (so that its own next version is numbered above them, and the
 * cloud does not refuse it as snapshot_version_conflict), and the events the cloud received since the
 * backup (so that its roll-call and ledgers match the cloud's). Run by the Relay before it sends anything;
 * each run starts over and is idempotent (versions by number and content, amendments by id, events by id),
 * and success is recorded in the restore mark, so it never runs again.
 */
export class CloudCatchUp {
  private readonly o: CloudCatchUpOptions;
  private finished = false;

  constructor(options: CloudCatchUpOptions) {
    this.o = options;
  }

  /** Whether the data dir still asks for a catch-up (a restored hub that has not caught up yet). */
  static pending(dataDir: string): boolean {
    const mark = readRestoreMark(dataDir);
    return mark !== undefined && mark.caughtUpAt === null;
  }

  get done(): boolean {
    return this.finished;
  }

  async run(): Promise<CatchUpResult> {
    const mark = readRestoreMark(this.o.dataDir);
    if (mark === undefined || mark.caughtUpAt !== null) {
      this.finished = true;
      return { ok: true };
    }
    try {
      const versions = await this.adoptVersions();
      const amendments = await this.adoptAmendments();
      const events = await this.fetchEvents(mark.since);
      const latest = readRestoreMark(this.o.dataDir) ?? mark;
      writeRestoreMark(this.o.dataDir, { ...latest, caughtUpAt: this.o.clock.now().toISOString() });
      this.finished = true;
      this.o.logger.info(
        { versions, amendments, events, since: mark.since },
        'restored hub caught up from the cloud',
      );
      return { ok: true };
    } catch (err) {
      if (err instanceof CatchUpFailure) {
        return {
          ok: false,
          reason: err.message,
          ...(err.retryAfterMs !== undefined && { retryAfterMs: err.retryAfterMs }),
        };
      }
      throw err;
    }
  }

  /**
   * The cloud's versions above the highest one this hub knows the cloud took. A local version the cloud
   * has not taken and whose number the cloud holds with other content (issued here after the restore) is
   * issued again above the cloud's, with every unrelayed version after it, in their order.
   */
  private async adoptVersions(): Promise<number> {
    const { history } = this.o.store;
    const relayed = history.versions().filter((v) => v.relayedAt !== null);
    let after = Math.max(0, ...relayed.map((v) => v.version));
    const cloud: SnapshotVersion[] = [];
    for (;;) {
      const page = await this.get(
        `/v1/hub/snapshots?after=${String(after)}&limit=${String(CATCH_UP_PAGE_MAX)}`,
        HubSnapshotsPageSchema,
      );
      cloud.push(...page.versions);
      const last = page.versions.at(-1);
      if (!page.more || last === undefined) break;
      after = last.version;
    }
    if (cloud.length === 0) return 0;
    const { facilityId, timeZone } = this.o;
    return this.o.store.transaction(() => {
      const local = new Map(history.versions().map((v) => [v.version, v]));
      const cloudByNumber = new Map(cloud.map((v) => [v.version, v]));
      const unrelayed = [...local.values()].filter((v) => v.relayedAt === null);
      const clash = unrelayed.find((v) => {
        const c = cloudByNumber.get(v.version);
        return (
          c !== undefined &&
          !(
            c.effectiveFrom === v.effectiveFrom &&
            sameSnapshot(c.snapshot, snapshotOf(v.content, facilityId, timeZone))
          )
        );
      });
      const moved = clash === undefined ? [] : unrelayed.filter((v) => v.version >= clash.version);
      history.deleteVersions(moved.map((v) => v.version));
      for (const v of moved) local.delete(v.version);
      let adopted = 0;
      for (const c of cloud) {
        const held = local.get(c.version);
        if (held === undefined) {
          history.adopt(c.version, c.effectiveFrom, contentOf(c.snapshot));
          adopted++;
        } else if (held.relayedAt === null) {
          // The same version the backup held and the lost hub relayed after it.
          history.markRelayed(c.version);
        }
      }
      for (const v of moved) history.issue(v.effectiveFrom, v.content);
      if (moved.length > 0) {
        this.o.logger.warn(
          { renumbered: moved.length, above: Math.max(...cloud.map((c) => c.version)) },
          'versions issued since the restore renumbered above the cloud’s',
        );
      }
      return adopted;
    });
  }

  /** The cloud's amendments this hub does not hold, stored as relayed corrections of closed months. */
  private async adoptAmendments(): Promise<number> {
    const fetched: Amendment[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page = await this.get(
        `/v1/hub/amendments?limit=${String(CATCH_UP_PAGE_MAX)}${query}`,
        HubAmendmentsPageSchema,
      );
      fetched.push(...page.amendments);
      cursor = page.cursor;
    } while (cursor !== null);
    const { corrections } = this.o.store;
    return this.o.store.transaction(() => {
      let adopted = 0;
      for (const a of fetched) {
        if (corrections.ofChild(a.childId).some((c) => c.id === a.correctionId)) continue;
        // Its events come back with the events; which of them it recorded is not known here.
        corrections.insert(correctionOf(a));
        corrections.markRelayed(a.correctionId);
        adopted++;
      }
      return adopted;
    });
  }

  /** The events the cloud received since `since`, stored idempotently, page by page. */
  private async fetchEvents(since: string): Promise<number> {
    let cursor: string | null = null;
    let stored = 0;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page = await this.get(
        `/v1/hub/events?since=${encodeURIComponent(since)}&limit=${String(CATCH_UP_PAGE_MAX)}${query}`,
        HubEventsPageSchema,
      );
      // The hub's own events, taken before: the same checks as any event, with the cloud's time window.
      const { events, rejected } = validateEvents(page.events, {
        now: this.o.clock.now(),
        window: CLOUD_TIME_WINDOW,
      });
      if (rejected.length > 0) {
        this.o.logger.warn({ count: rejected.length }, 'events from the cloud failed the checks; skipped');
      }
      const outcome = this.o.store.events.insertEvents(events);
      if (outcome.inserted.length > 0) this.o.onStored(outcome.inserted);
      stored += outcome.inserted.length;
      cursor = page.cursor;
    } while (cursor !== null);
    return stored;
  }

  private async get<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    const { baseUrl, token, timeoutMs, stopping } = this.o;
    let res: Response;
    let text: string;
    const deadline = new RequestDeadline(timeoutMs, stopping);
    try {
      res = await fetch(`${baseUrl}${path}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: deadline.signal,
      });
      text = await res.text();
    } catch (err) {
      throw new CatchUpFailure(deadline.timedOut ? 'timeout' : networkReason(err));
    }
    const what = path.split('?')[0] ?? path;
    const body = jsonOf(text);
    if (res.status !== 200) {
      throw new CatchUpFailure(
        `${what}: HTTP ${String(res.status)}${errorCodeOf(body)}`,
        parseRetryAfter(res.headers.get('retry-after')),
      );
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new CatchUpFailure(`${what}: bad response: ${describeIssues(parsed.error)}`);
    return parsed.data;
  }
}
