import type { Db } from '../../../common/sqlite.ts';
import type { ParentPickup, PickupPeopleUpload } from '../../../protocol/parent-pickups.ts';
import { checkDate, checkId } from '../inputs.ts';
import {
  insertedPickup,
  peopleOf,
  pickupColumns,
  pickupOf,
  pickupPeopleRecord,
  resentPickup,
  type PickupColumns,
  type StoredPickupRow,
} from '../parent-pickups.ts';
import type { ChildPickupPeople, NewParentPickup, ParentPickupStore } from '../pickup-types.ts';
import { SqliteFacilityAggregate } from './aggregate.ts';
import { parentMessageStatements, PICKUP_SELECT, takeSeq } from './parent-messages.ts';

function statements(db: Db) {
  return {
    putPeople: db.prepare<[string, string, number, string, string, string]>(
      `INSERT INTO pickup_people (facility_id, child_id, version, people, hub_id, updated_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (facility_id, child_id) DO UPDATE SET version = excluded.version,
         people = excluded.people, hub_id = excluded.hub_id, updated_at = excluded.updated_at
       WHERE excluded.version > pickup_people.version`,
    ),
    people: db.prepare<[string, string], { child_id: string; people: string }>(
      'SELECT child_id, people FROM pickup_people WHERE facility_id = ? AND child_id = ?',
    ),
    pickup: db.prepare<[string, string], StoredPickupRow>(
      `${PICKUP_SELECT} WHERE p.facility_id = ? AND p.id = ?`,
    ),
    insert: db.prepare<[PickupColumns & { facility_id: string; seq: number; sent_at: string }]>(
      `INSERT INTO parent_pickups (facility_id, seq, id, guardian_id, child_ids, date, time, person, note,
         sent_at, read_at)
       VALUES (@facility_id, @seq, @id, @guardian_id, @child_ids, @date, @time, @person, @note, @sent_at,
         NULL)`,
    ),
    on: db.prepare<[string, string], StoredPickupRow>(
      `${PICKUP_SELECT} WHERE p.facility_id = ? AND p.date = ? ORDER BY p.seq`,
    ),
  };
}

/** Pickup people and parents' pickup plans (migration 13) on SQLite. */
export class SqliteParentPickups extends SqliteFacilityAggregate implements ParentPickupStore {
  private readonly stmt = statements(this.conn.db);
  private readonly seq = parentMessageStatements(this.conn.db);

  putPickupPeople(
    facilityId: string,
    hubId: string,
    childId: string,
    upload: PickupPeopleUpload,
  ): Promise<boolean> {
    return this.conn.run(() => {
      const record = pickupPeopleRecord(facilityId, childId, upload);
      return this.conn.db
        .transaction(() => {
          this.facilities.facilityOf(facilityId);
          const { changes } = this.stmt.putPeople.run(
            facilityId,
            childId,
            record.upload.version,
            record.peopleText,
            hubId,
            this.conn.clock.now().toISOString(),
          );
          return changes > 0;
        })
        .immediate();
    });
  }

  pickupPeople(facilityId: string, childIds: readonly string[]): Promise<ChildPickupPeople[]> {
    return this.conn.run(() =>
      childIds.flatMap((childId) => {
        const row = this.stmt.people.get(facilityId, childId);
        return row === undefined ? [] : [{ childId, people: peopleOf(row.people) }];
      }),
    );
  }

  insertPickup(
    facilityId: string,
    pickup: NewParentPickup,
  ): Promise<{ pickup: ParentPickup; created: boolean }> {
    return this.conn.run(() => {
      const columns = pickupColumns(facilityId, pickup);
      const sentAt = pickup.sentAt.toISOString();
      // IMMEDIATE: one writer at a time, so the seq taken here is the next to commit.
      return this.conn.db
        .transaction(() => {
          this.facilities.facilityOf(facilityId);
          const stored = this.stmt.pickup.get(facilityId, columns.id);
          if (stored !== undefined) return resentPickup(facilityId, stored, columns);
          const seq = takeSeq(this.seq, facilityId);
          this.stmt.insert.run({ ...columns, facility_id: facilityId, seq, sent_at: sentAt });
          return insertedPickup(this.stmt.pickup.get(facilityId, columns.id));
        })
        .immediate();
    });
  }

  getPickup(facilityId: string, id: string): Promise<ParentPickup | undefined> {
    return this.conn.run(() => {
      const row = this.stmt.pickup.get(facilityId, id.toLowerCase());
      return row === undefined ? undefined : pickupOf(row);
    });
  }

  pickupsOn(facilityId: string, date: string): Promise<ParentPickup[]> {
    return this.conn.run(() => {
      checkId(facilityId, 'facilityId');
      return this.stmt.on.all(facilityId, checkDate(date)).map(pickupOf);
    });
  }
}
