import type { ParentPickup, PickupPeopleUpload } from '../../../protocol/parent-pickups.ts';
import { UUID_RE } from '../facility-notices.ts';
import { checkDate, checkId } from '../inputs.ts';
import {
  insertedPickup,
  peopleOf,
  pickupColumns,
  pickupOf,
  pickupPeopleRecord,
  resentPickup,
  type StoredPickupRow,
} from '../parent-pickups.ts';
import type { ChildPickupPeople, NewParentPickup, ParentPickupStore } from '../pickup-types.ts';
import { unknownFacility } from '../refusals.ts';
import type { PgConnection, Queryable } from './connection.ts';
import { lockSeq, PICKUP_SELECT, pickupRow, takeSeq, type PgPickupRow } from './parent-messages.ts';

/** Pickup people and parents' pickup plans (migration 13) on PostgreSQL. */
export class PgParentPickups implements ParentPickupStore {
  private readonly conn: PgConnection;

  constructor(conn: PgConnection) {
    this.conn = conn;
  }

  private async pickupRow(
    db: Queryable,
    facilityId: string,
    id: string,
  ): Promise<StoredPickupRow | undefined> {
    if (!UUID_RE.test(id)) return undefined;
    const { rows } = await db.query<PgPickupRow>(`${PICKUP_SELECT} WHERE p.facility_id = $1 AND p.id = $2`, [
      facilityId,
      id,
    ]);
    const row = rows[0];
    return row === undefined ? undefined : pickupRow(row);
  }

  async putPickupPeople(
    facilityId: string,
    hubId: string,
    childId: string,
    upload: PickupPeopleUpload,
  ): Promise<boolean> {
    this.conn.checkOpen();
    const record = pickupPeopleRecord(facilityId, childId, upload);
    const now = this.conn.clock.now().toISOString();
    return this.conn.transaction(async (client) => {
      const facility = await client.query('SELECT 1 FROM facilities WHERE facility_id = $1', [facilityId]);
      if (facility.rowCount === 0) throw unknownFacility(facilityId);
      // Only a higher version replaces the row; the WHERE makes a concurrent older upload a no-op.
      const { rowCount } = await client.query(
        `INSERT INTO pickup_people AS s (facility_id, child_id, version, people, hub_id, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (facility_id, child_id) DO UPDATE SET version = EXCLUDED.version,
           people = EXCLUDED.people, hub_id = EXCLUDED.hub_id, updated_at = EXCLUDED.updated_at
         WHERE s.version < EXCLUDED.version`,
        [facilityId, childId, record.upload.version, record.peopleText, hubId, now],
      );
      return (rowCount ?? 0) > 0;
    });
  }

  async pickupPeople(facilityId: string, childIds: readonly string[]): Promise<ChildPickupPeople[]> {
    this.conn.checkOpen();
    const { rows } = await this.conn.pool.query<{ child_id: string; people: string }>(
      'SELECT child_id, people FROM pickup_people WHERE facility_id = $1 AND child_id = ANY($2::text[])',
      [facilityId, [...childIds]],
    );
    const byChild = new Map(rows.map((r) => [r.child_id, r.people]));
    return childIds.flatMap((childId) => {
      const people = byChild.get(childId);
      return people === undefined ? [] : [{ childId, people: peopleOf(people) }];
    });
  }

  async insertPickup(
    facilityId: string,
    pickup: NewParentPickup,
  ): Promise<{ pickup: ParentPickup; created: boolean }> {
    this.conn.checkOpen();
    const columns = pickupColumns(facilityId, pickup);
    const sentAt = pickup.sentAt.toISOString();
    return this.conn.transaction(async (client) => {
      await lockSeq(client, facilityId);
      const stored = await this.pickupRow(client, facilityId, columns.id);
      if (stored !== undefined) return resentPickup(facilityId, stored, columns);
      const seq = await takeSeq(client, facilityId);
      await client.query(
        `INSERT INTO parent_pickups (facility_id, seq, id, guardian_id, child_ids, date, time, person,
           note, sent_at, read_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL)`,
        [
          facilityId,
          seq,
          columns.id,
          columns.guardian_id,
          columns.child_ids,
          columns.date,
          columns.time,
          columns.person,
          columns.note,
          sentAt,
        ],
      );
      return insertedPickup(await this.pickupRow(client, facilityId, columns.id));
    });
  }

  async getPickup(facilityId: string, id: string): Promise<ParentPickup | undefined> {
    this.conn.checkOpen();
    const row = await this.pickupRow(this.conn.pool, facilityId, id);
    return row === undefined ? undefined : pickupOf(row);
  }

  async pickupsOn(facilityId: string, date: string): Promise<ParentPickup[]> {
    this.conn.checkOpen();
    checkId(facilityId, 'facilityId');
    checkDate(date);
    const { rows } = await this.conn.pool.query<PgPickupRow>(
      `${PICKUP_SELECT} WHERE p.facility_id = $1 AND p.date = $2::date ORDER BY p.seq`,
      [facilityId, date],
    );
    return rows.map((r) => pickupOf(pickupRow(r)));
  }
}
