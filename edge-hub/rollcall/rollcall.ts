import {
  compareTimed,
  foldDay,
  foldSorted,
  NOT_ARRIVED,
  rollcallLayout as layoutOf,
  timed,
  type ChildDay,
  type RollcallLayout,
  type Timed,
} from '../../common/attendance.ts';
import type { Logger } from '../../common/logger.ts';
import { formatRfc3339, LocalDates, type Clock } from '../../common/time.ts';
import type { AttendanceEvent, Rollcall } from '../../protocol/index.ts';
import type { StoredEvent } from '../store/events.ts';
import type { StoreOf } from '../store/hub-store.ts';
import type { RosterData } from '../store/roster.ts';

// The pure fold lives in common/attendance.ts so that the cloud can build the same ledgers; re-exported
// here for the hub's importers.
export {
  foldDay,
  NOT_ARRIVED,
  sortEvents,
  step,
  voidedIds,
  type ChildDay,
  type LayoutRoster,
  type RollcallLayout,
} from '../../common/attendance.ts';

/** Roster shaped for the roll-call: classes in roster order, each class's children by kana. */
export function rollcallLayout(roster: RosterData): RollcallLayout {
  return layoutOf(roster);
}

/**
 * One child's events of today. Without voids, the fold of `step` has a closed form that does not depend on
 * arrival order: checkInAt is the earliest check-in, checkOutAt the latest check-out if it comes after
 * that, and the child has left if that check-out is later than the latest check-in; with no check-in,
 * absent if any absent event. So each event costs O(1) however late it arrives, and reading costs O(1).
 * A void (rare) switches the child to a full fold, cached until the next event. The equivalence with
 * foldDay is tested.
 */
class ChildTimeline {
  private readonly events: AttendanceEvent[] = [];
  private firstIn: Timed | undefined;
  private lastIn: Timed | undefined;
  private lastOut: Timed | undefined;
  private absent = false;
  private hasVoids = false;
  private folded: ChildDay | undefined;

  add(e: AttendanceEvent): void {
    this.events.push(e);
    this.folded = undefined;
    switch (e.type) {
      case 'check_in': {
        const t = timed(e);
        if (this.firstIn === undefined || compareTimed(t, this.firstIn) < 0) this.firstIn = t;
        if (this.lastIn === undefined || compareTimed(t, this.lastIn) > 0) this.lastIn = t;
        break;
      }
      case 'check_out': {
        const t = timed(e);
        if (this.lastOut === undefined || compareTimed(t, this.lastOut) > 0) this.lastOut = t;
        break;
      }
      case 'absent':
        this.absent = true;
        break;
      case 'void':
        this.hasVoids = true;
        break;
    }
  }

  get(): ChildDay {
    if (this.hasVoids) {
      this.folded ??= foldSorted(this.events.map(timed).sort(compareTimed));
      return this.folded;
    }
    const { firstIn, lastIn, lastOut } = this;
    if (firstIn === undefined || lastIn === undefined) {
      return this.absent ? { status: 'absent', checkInAt: null, checkOutAt: null } : NOT_ARRIVED;
    }
    const out = lastOut !== undefined && compareTimed(lastOut, firstIn) > 0 ? lastOut : undefined;
    return {
      status: out !== undefined && compareTimed(out, lastIn) > 0 ? 'left' : 'present',
      checkInAt: firstIn.e.occurredAt,
      checkOutAt: out?.e.occurredAt ?? null,
    };
  }
}

export function buildRollcall(
  facilityId: string,
  date: string,
  generatedAt: string,
  layout: RollcallLayout,
  dayOf: (childId: string) => ChildDay,
): Rollcall {
  return {
    facilityId,
    date,
    generatedAt,
    classes: layout.classes.map((c) => ({
      id: c.id,
      name: c.name,
      children: c.children.map(({ id, name }) => ({ id, name, ...dayOf(id) })),
    })),
  };
}

/** The roll-call of any business day, straight from the database. */
export function rollcallOn(
  store: StoreOf<'events'>,
  facilityId: string,
  layout: RollcallLayout,
  date: string,
  generatedAt: string,
): Rollcall {
  const days = foldDay(store.events.rollcallEventsOn(date));
  return buildRollcall(facilityId, date, generatedAt, layout, (id) => days.get(id) ?? NOT_ARRIVED);
}

export interface RollcallServiceOptions {
  store: StoreOf<'events'>;
  clock: Clock;
  logger: Logger;
  facilityId: string;
  timeZone: string;
  roster: RosterData;
  /** Publishes the snapshot (retained); called at most once per throttleMs. */
  publish: (rollcall: Rollcall) => void;
  throttleMs?: number;
}

/**
 * Today's roll-call, kept in memory: rebuilt from the database at start and when the day changes, updated
 * from each commit, and published (coalesced to one publish per throttle period; the last change always
 * goes out because the snapshot is taken when the timer fires).
 */
export class RollcallService {
  private readonly store: StoreOf<'events'>;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly facilityId: string;
  private readonly timeZone: string;
  private readonly localDates: LocalDates;
  private readonly publishFn: (rollcall: Rollcall) => void;
  private readonly throttleMs: number;
  private layout: RollcallLayout;
  private date = '';
  private timelines = new Map<string, ChildTimeline>();
  /** Ids of the events in today's timelines, so that a void filed under another day can reach them. */
  private todaysEvents = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private lastPublish = 0;
  private closed = false;

  constructor(options: RollcallServiceOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.logger = options.logger;
    this.facilityId = options.facilityId;
    this.timeZone = options.timeZone;
    this.localDates = new LocalDates(options.timeZone);
    this.publishFn = options.publish;
    this.throttleMs = options.throttleMs ?? 100;
    this.layout = rollcallLayout(options.roster);
    this.rebuild(this.today());
  }

  today(): string {
    return this.localDates.of(this.clock.now());
  }

  get layoutNow(): RollcallLayout {
    return this.layout;
  }

  setRoster(roster: RosterData): void {
    this.layout = rollcallLayout(roster);
    this.schedulePublish();
  }

  /** Call periodically: at the day change the roll-call starts over from the database. */
  checkDay(): void {
    const today = this.today();
    if (today !== this.date) {
      this.rebuild(today);
      this.schedulePublish();
    }
  }

  onCommitted(stored: readonly StoredEvent[]): void {
    const today = this.today();
    if (today !== this.date) {
      // The rebuild reads the database, which already holds these events.
      this.rebuild(today);
    } else {
      for (const { event, localDate: day } of stored) {
        // The second case: a void filed under another day that cancels one of today's events.
        if (day === this.date || (event.voids !== undefined && this.todaysEvents.has(event.voids))) {
          this.todaysEvents.add(event.id);
          this.timeline(event.childId).add(event);
        }
      }
    }
    if (stored.length > 0) this.schedulePublish();
  }

  snapshot(): Rollcall {
    return buildRollcall(
      this.facilityId,
      this.date,
      formatRfc3339(this.clock.now(), this.timeZone),
      this.layout,
      (id) => this.timelines.get(id)?.get() ?? NOT_ARRIVED,
    );
  }

  /** Publishes now (start-up, roster change) and resets the throttle. */
  publishNow(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.closed) return;
    this.lastPublish = Date.now();
    try {
      this.publishFn(this.snapshot());
    } catch (err) {
      this.logger.error({ err }, 'roll-call publish failed');
    }
  }

  schedulePublish(): void {
    if (this.timer || this.closed) return;
    const wait = Math.max(0, this.lastPublish + this.throttleMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.publishNow();
    }, wait);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private timeline(childId: string): ChildTimeline {
    let t = this.timelines.get(childId);
    if (!t) {
      t = new ChildTimeline();
      this.timelines.set(childId, t);
    }
    return t;
  }

  private rebuild(date: string): void {
    this.date = date;
    this.timelines = new Map();
    this.todaysEvents = new Set();
    const events = this.store.events.rollcallEventsOn(date);
    for (const e of events) {
      this.todaysEvents.add(e.id);
      this.timeline(e.childId).add(e);
    }
    this.logger.debug({ date, events: events.length }, 'roll-call rebuilt');
  }
}
