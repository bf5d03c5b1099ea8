import { DEFAULT_TIME_ZONE } from '../../../common/time.ts';
import type { CloudFacilities } from '../aggregates.ts';
import { canonicalTimeZone, checkId } from '../inputs.ts';
import { timeZoneMismatch, unknownFacility } from '../refusals.ts';
import type { Facility } from '../types.ts';
import type { SqliteConnection } from './connection.ts';

interface FacilityRow {
  facility_id: string;
  time_zone: string;
}

/** Facilities and their time zones (table facilities, org_id aside). Nothing is cached. */
export class SqliteFacilities implements CloudFacilities {
  private readonly conn: SqliteConnection;
  private readonly stmt;

  constructor(conn: SqliteConnection) {
    this.conn = conn;
    this.stmt = {
      facility: conn.db.prepare<[string], FacilityRow>(
        'SELECT facility_id, time_zone FROM facilities WHERE facility_id = ?',
      ),
      insertFacility: conn.db.prepare<[string, string, string]>(
        'INSERT INTO facilities (facility_id, time_zone, created_at) VALUES (?, ?, ?)',
      ),
    };
  }

  ensureFacility(facilityId: string, timeZone?: string): Promise<Facility> {
    return this.conn.run(() => {
      checkId(facilityId, 'facilityId');
      const zone = timeZone === undefined ? undefined : canonicalTimeZone(timeZone);
      const { created, ...facility } = this.conn.db
        .transaction(() => this.ensureFacilitySync(facilityId, zone))
        .immediate();
      if (created) this.conn.log.info({ facilityId }, 'facility added');
      return facility;
    });
  }

  getFacility(facilityId: string): Promise<Facility | undefined> {
    return this.conn.run(() => this.find(facilityId));
  }

  /** The stored facility, read now (synchronously, so also inside the caller's transaction). */
  find(facilityId: string): Facility | undefined {
    const row = this.stmt.facility.get(facilityId);
    return row === undefined ? undefined : { facilityId: row.facility_id, timeZone: row.time_zone };
  }

  /** As find, for a facility that must exist: NotFoundError otherwise. */
  facilityOf(facilityId: string): Facility {
    const facility = this.find(facilityId);
    if (facility === undefined) throw unknownFacility(facilityId);
    return facility;
  }

  /** Inside a transaction: the facility, created with the given or default zone when missing. */
  ensureFacilitySync(facilityId: string, zone: string | undefined): Facility & { created: boolean } {
    const row = this.stmt.facility.get(facilityId);
    if (row === undefined) {
      const timeZone = zone ?? DEFAULT_TIME_ZONE;
      this.stmt.insertFacility.run(facilityId, timeZone, this.conn.clock.now().toISOString());
      return { facilityId, timeZone, created: true };
    }
    // Business dates are derived with the zone at insert time, so it cannot change under stored events.
    if (zone !== undefined && zone !== row.time_zone) throw timeZoneMismatch(facilityId, row.time_zone, zone);
    return { facilityId, timeZone: row.time_zone, created: false };
  }
}
