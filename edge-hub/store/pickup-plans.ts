import type { Db, Migration } from '../../common/sqlite.ts';
import { formatRfc3339, type Clock } from '../../common/time.ts';
import type { ParentPickup } from '../../protocol/parent-pickups.ts';

/**
 * Parents' pickup plans at the hub (table pickup_plans, one row per plan and child, stored once) and
 * staff's confirmations (確認) of them with whether the cloud has taken each, as parent_notices keeps them
 * for notices. SqlitePickupStore (pickups.ts) answers for this table through PickupPlanTable.
 */

/** One child's part of a parent's plan. */
export interface PickupPlanRecord {
  id: string;
  childId: string;
  guardianId: string;
  date: string;
  time: string;
  personId: string | null;
  personKind: ParentPickup['person']['kind'];
  personName: string;
  relation: string;
  note: string | null;
  /** As the cloud sent it (ISO 8601 with the facility's offset). */
  sentAt: string;
  /** read once a staff member confirmed the plan here. */
  status: ParentPickup['status'];
  /** When the hub stored it (UTC ISO 8601). */
  receivedAt: string;
  /** When staff confirmed it (ISO 8601 with the facility's offset), or null. */
  readAt: string | null;
  /** The staff id who confirmed it, or null. */
  readBy: string | null;
  /** Whether the cloud has taken the confirmation. */
  readRelayed: boolean;
}

/** Hub migration adding staff's confirmations of pickup plans, as parent_notices has them (migrations.ts). */
export const pickupPlanReadsMigration = (version: number): Migration => ({
  version,
  name: "staff's confirmations of pickup plans",
  up: (db) => {
    // read_at is UTC ISO 8601 (text order is time order), answered with the facility's offset. Every row
    // of a plan (one per child) is confirmed at once: the parent sees one plan.
    db.exec(`
      ALTER TABLE pickup_plans ADD COLUMN read_at TEXT;
      ALTER TABLE pickup_plans ADD COLUMN read_by TEXT CHECK ((read_at IS NULL) = (read_by IS NULL));
      ALTER TABLE pickup_plans ADD COLUMN read_relayed INTEGER NOT NULL DEFAULT 0 CHECK (read_relayed IN (0, 1));
      CREATE INDEX pickup_plans_read_at ON pickup_plans (read_at) WHERE read_at IS NOT NULL;
    `);
  },
});

interface PlanRow {
  id: string;
  child_id: string;
  guardian_id: string;
  date: string;
  time: string;
  person_id: string | null;
  person_kind: PickupPlanRecord['personKind'];
  person_name: string;
  relation: string;
  note: string | null;
  sent_at: string;
  status: PickupPlanRecord['status'];
  received_at: string;
  read_at: string | null;
  read_by: string | null;
  read_relayed: number;
}

/** The pickup_plans table's queries (PickupStore's plan methods). */
export class PickupPlanTable {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #timeZone: string;

  constructor(db: Db, clock: Clock, timeZone: string) {
    this.#db = db;
    this.#clock = clock;
    this.#timeZone = timeZone;
  }

  insert(plan: ParentPickup): number {
    const insert = this.#db.prepare(
      `INSERT OR IGNORE INTO pickup_plans (id, child_id, guardian_id, date, time, person_id, person_kind,
         person_name, relation, note, sent_at, status, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const now = this.#clock.now().toISOString();
    let stored = 0;
    for (const childId of new Set(plan.childIds)) {
      stored += insert.run(
        plan.id,
        childId,
        plan.guardianId,
        plan.date,
        plan.time,
        plan.person.id,
        plan.person.kind,
        plan.person.name,
        plan.person.relation,
        plan.note ?? null,
        plan.sentAt,
        plan.status,
        now,
      ).changes;
    }
    return stored;
  }

  latestOn(date: string): Map<string, PickupPlanRecord> {
    const rows = this.#db
      .prepare<[string], PlanRow>('SELECT * FROM pickup_plans WHERE date = ?')
      .all(date)
      .map((r) => this.#recordOf(r));
    // The cloud's instants may carry different offsets: compared as instants, then by arrival.
    rows.sort(
      (a, b) =>
        Date.parse(b.sentAt) - Date.parse(a.sentAt) ||
        (a.receivedAt < b.receivedAt ? 1 : a.receivedAt > b.receivedAt ? -1 : 0) ||
        (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
    );
    const out = new Map<string, PickupPlanRecord>();
    for (const r of rows) if (!out.has(r.childId)) out.set(r.childId, r);
    return out;
  }

  deleteBefore(date: string): number {
    return this.#db.prepare('DELETE FROM pickup_plans WHERE date < ?').run(date).changes;
  }

  markRead(id: string, staffId: string): { record: PickupPlanRecord; first: boolean } | undefined {
    const first =
      this.#db
        .prepare('UPDATE pickup_plans SET read_at = ?, read_by = ? WHERE id = ? AND read_at IS NULL')
        .run(this.#clock.now().toISOString(), staffId, id).changes > 0;
    const row = this.#db
      .prepare<[string], PlanRow>('SELECT * FROM pickup_plans WHERE id = ? ORDER BY child_id LIMIT 1')
      .get(id);
    return row && { record: this.#recordOf(row), first };
  }

  unrelayedReads(limit: number): { id: string; readAt: string }[] {
    // One per plan, whatever the number of its children.
    return this.#db
      .prepare<[number], { id: string; read_at: string }>(
        `SELECT id, min(read_at) AS read_at FROM pickup_plans WHERE read_at IS NOT NULL AND read_relayed = 0
         GROUP BY id ORDER BY read_at, id LIMIT ?`,
      )
      .all(limit)
      .map((r) => ({ id: r.id, readAt: this.#instant(r.read_at) }));
  }

  markReadsRelayed(ids: readonly string[]): void {
    const mark = this.#db.prepare(
      'UPDATE pickup_plans SET read_relayed = 1 WHERE id = ? AND read_at IS NOT NULL',
    );
    this.#db.transaction(() => {
      for (const id of ids) mark.run(id);
    })();
  }

  #instant(utcIso: string): string {
    return formatRfc3339(new Date(utcIso), this.#timeZone);
  }

  #recordOf(r: PlanRow): PickupPlanRecord {
    return {
      id: r.id,
      childId: r.child_id,
      guardianId: r.guardian_id,
      date: r.date,
      time: r.time,
      personId: r.person_id,
      personKind: r.person_kind,
      personName: r.person_name,
      relation: r.relation,
      note: r.note,
      sentAt: r.sent_at,
      status: r.read_at === null ? r.status : 'read',
      receivedAt: r.received_at,
      readAt: r.read_at === null ? null : this.#instant(r.read_at),
      readBy: r.read_by,
      readRelayed: r.read_relayed === 1,
    };
  }
}
