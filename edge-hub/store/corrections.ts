import type { Db } from '../../common/sqlite.ts';
import type { Clock } from '../../common/time.ts';
import { decodeStoredJson } from '../../protocol/decode.ts';
import { DayStateSchema, type Amendment, type DayState } from '../../protocol/history.ts';

/** A past-day correction as stored (table corrections); its events are in the events table. */
export interface CorrectionRecord {
  id: string;
  childId: string;
  /** The corrected day, YYYY-MM-DD. */
  date: string;
  /** RFC 3339 with the facility's offset. */
  createdAt: string;
  actor: string;
  actorName: string;
  childName: string;
  reason: string;
  before: DayState;
  after: DayState;
  eventIds: string[];
  /** Made to a closed month: listed at the end of that month's ledgers. */
  amendment: boolean;
}

export interface MonthClosure {
  month: string;
  closedAt: string;
  closedBy: string;
}

/**
 * Past-day corrections and the months closed (確定). Written within the caller's transaction, with the
 * events and the audit entry of the same change.
 */
export interface CorrectionsStore {
  insert(record: CorrectionRecord): void;
  /** Corrections of days in [from, to], oldest first. */
  between(from: string, to: string): CorrectionRecord[];
  /** The amendments of days in [from, to], oldest first, as the ledgers list them. */
  amendments(from: string, to: string): Amendment[];
  ofChild(childId: string): CorrectionRecord[];
  /** Amendments the cloud has not taken yet, oldest first. */
  unrelayedAmendments(limit: number): Amendment[];
  markRelayed(correctionId: string): void;
  /** Closes the month; false when it was closed already. */
  closeMonth(closure: MonthClosure): boolean;
  closures(): MonthClosure[];
  isClosed(month: string): boolean;
  /** Deletes the corrections of days before `date` and the closures of months before its month. */
  deleteBefore(date: string): { corrections: number; closures: number };
}

interface CorrectionRow {
  id: string;
  child_id: string;
  local_date: string;
  created_at: string;
  actor: string;
  actor_name: string;
  child_name: string;
  reason: string;
  before_json: string;
  after_json: string;
  event_ids_json: string;
  amendment: number;
}

function recordOf(r: CorrectionRow): CorrectionRecord {
  return {
    id: r.id,
    childId: r.child_id,
    date: r.local_date,
    createdAt: r.created_at,
    actor: r.actor,
    actorName: r.actor_name,
    childName: r.child_name,
    reason: r.reason,
    before: decodeStoredJson(DayStateSchema, r.before_json),
    after: decodeStoredJson(DayStateSchema, r.after_json),
    eventIds: JSON.parse(r.event_ids_json) as string[],
    amendment: r.amendment === 1,
  };
}

/** The amendment a ledger lists for a correction. */
export function amendmentOf(c: CorrectionRecord): Amendment {
  return {
    correctionId: c.id,
    date: c.date,
    childId: c.childId,
    childName: c.childName,
    before: c.before,
    after: c.after,
    actor: c.actor,
    actorName: c.actorName,
    reason: c.reason,
    at: c.createdAt,
  };
}

/**
 * The correction record a fetched amendment is kept as: an amendment, without the ids of its events
 * (those come back with the events; which of them it recorded is not known here).
 */
export function correctionOf(a: Amendment): CorrectionRecord {
  return {
    id: a.correctionId,
    childId: a.childId,
    date: a.date,
    createdAt: a.at,
    actor: a.actor,
    actorName: a.actorName,
    childName: a.childName,
    reason: a.reason,
    before: a.before,
    after: a.after,
    eventIds: [],
    amendment: true,
  };
}

export class SqliteCorrectionsStore implements CorrectionsStore {
  private readonly db: Db;
  private readonly clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.db = db;
    this.clock = clock;
  }

  insert(c: CorrectionRecord): void {
    this.db
      .prepare(
        `INSERT INTO corrections (id, child_id, local_date, created_at, actor, actor_name, child_name, reason,
           before_json, after_json, event_ids_json, amendment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        c.id,
        c.childId,
        c.date,
        c.createdAt,
        c.actor,
        c.actorName,
        c.childName,
        c.reason,
        JSON.stringify(c.before),
        JSON.stringify(c.after),
        JSON.stringify(c.eventIds),
        c.amendment ? 1 : 0,
      );
  }

  between(from: string, to: string): CorrectionRecord[] {
    return this.db
      .prepare<[string, string], CorrectionRow>(
        'SELECT * FROM corrections WHERE local_date BETWEEN ? AND ? ORDER BY created_at, id',
      )
      .all(from, to)
      .map(recordOf);
  }

  amendments(from: string, to: string): Amendment[] {
    return this.between(from, to)
      .filter((c) => c.amendment)
      .map(amendmentOf);
  }

  ofChild(childId: string): CorrectionRecord[] {
    return this.db
      .prepare<[string], CorrectionRow>(
        'SELECT * FROM corrections WHERE child_id = ? ORDER BY created_at, id',
      )
      .all(childId)
      .map(recordOf);
  }

  unrelayedAmendments(limit: number): Amendment[] {
    return this.db
      .prepare<[number], CorrectionRow>(
        `SELECT * FROM corrections WHERE amendment = 1 AND relayed_at IS NULL ORDER BY created_at, id LIMIT ?`,
      )
      .all(limit)
      .map((r) => amendmentOf(recordOf(r)));
  }

  markRelayed(correctionId: string): void {
    this.db
      .prepare('UPDATE corrections SET relayed_at = ? WHERE id = ? AND relayed_at IS NULL')
      .run(this.clock.now().toISOString(), correctionId);
  }

  closeMonth(closure: MonthClosure): boolean {
    return (
      this.db
        .prepare(
          'INSERT INTO month_closures (month, closed_at, closed_by) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
        )
        .run(closure.month, closure.closedAt, closure.closedBy).changes === 1
    );
  }

  closures(): MonthClosure[] {
    return this.db
      .prepare<[], MonthClosure>(
        'SELECT month, closed_at AS closedAt, closed_by AS closedBy FROM month_closures ORDER BY month',
      )
      .all();
  }

  isClosed(month: string): boolean {
    return this.db.prepare('SELECT 1 FROM month_closures WHERE month = ?').get(month) !== undefined;
  }

  deleteBefore(date: string): { corrections: number; closures: number } {
    return {
      corrections: this.db.prepare('DELETE FROM corrections WHERE local_date < ?').run(date).changes,
      closures: this.db.prepare('DELETE FROM month_closures WHERE month < ?').run(date.slice(0, 7)).changes,
    };
  }
}
