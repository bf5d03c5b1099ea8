import { GenkanError } from '../../../common/errors.ts';
import { DEFAULT_TIME_ZONE, LocalDates } from '../../../common/time.ts';
import type { CloudFacilities } from '../aggregates.ts';
import { canonicalTimeZone, checkId } from '../inputs.ts';
import { timeZoneMismatch, unknownFacility } from '../refusals.ts';
import type { Facility } from '../types.ts';
import type { PgConnection, Queryable } from './connection.ts';

/**
 * Creates the facility when missing and returns it either way, in one statement. When another transaction
 * inserts the same facility concurrently, ON CONFLICT waits for it but the statement's snapshot predates
 * its commit, so no row comes back; the caller then runs the statement again.
 */
const ENSURE_FACILITY = `
  WITH created AS (
    INSERT INTO facilities (facility_id, time_zone, created_at) VALUES ($1, $2, $3)
    ON CONFLICT (facility_id) DO NOTHING
    RETURNING time_zone
  )
  SELECT time_zone, true AS created FROM created
  UNION ALL
  SELECT time_zone, false AS created FROM facilities WHERE facility_id = $1`;

/**
 * Facilities and their time zones (table facilities, org_id aside). Zones are cached: they never change
 * once created (see ensureFacilityOn), and facilities are never deleted.
 */
export class PgFacilities implements CloudFacilities {
  private readonly conn: PgConnection;
  private readonly zones = new Map<string, { timeZone: string; dates: LocalDates }>();

  constructor(conn: PgConnection) {
    this.conn = conn;
  }

  async ensureFacility(facilityId: string, timeZone?: string): Promise<Facility> {
    this.conn.checkOpen();
    checkId(facilityId, 'facilityId');
    const zone = timeZone === undefined ? undefined : canonicalTimeZone(timeZone);
    const { created, ...facility } = await this.ensureFacilityOn(this.conn.pool, facilityId, zone);
    if (created) this.conn.log.info({ facilityId }, 'facility added');
    return facility;
  }

  async getFacility(facilityId: string): Promise<Facility | undefined> {
    this.conn.checkOpen();
    const { rows } = await this.conn.pool.query<{ time_zone: string }>(
      'SELECT time_zone FROM facilities WHERE facility_id = $1',
      [facilityId],
    );
    const row = rows[0];
    return row === undefined ? undefined : { facilityId, timeZone: row.time_zone };
  }

  /** The business-date function of a stored facility; NotFoundError when it does not exist. */
  async localDatesOf(facilityId: string): Promise<LocalDates> {
    return (await this.zoneOf(facilityId)).dates;
  }

  /** A stored facility, from the cache when seen before; NotFoundError when it does not exist. */
  async facilityOf(facilityId: string): Promise<Facility> {
    return { facilityId, timeZone: (await this.zoneOf(facilityId)).timeZone };
  }

  /**
   * The facility on `db` (the pool, or a client inside the caller's transaction), created with the given
   * or default zone when missing; a given zone must be the stored one.
   */
  async ensureFacilityOn(
    db: Queryable,
    facilityId: string,
    zone: string | undefined,
  ): Promise<Facility & { created: boolean }> {
    // A second attempt always sees the row (a new statement, a new snapshot); the bound is only a guard.
    for (let attempt = 1; attempt <= 3; attempt++) {
      const { rows } = await db.query<{ time_zone: string; created: boolean }>(ENSURE_FACILITY, [
        facilityId,
        zone ?? DEFAULT_TIME_ZONE,
        this.conn.clock.now().toISOString(),
      ]);
      const row = rows[0];
      if (row === undefined) continue; // created concurrently, committed after this statement's snapshot
      // Business dates are derived with the zone at insert time, so it cannot change under stored events.
      if (zone !== undefined && zone !== row.time_zone) {
        throw timeZoneMismatch(facilityId, row.time_zone, zone);
      }
      const facility = { facilityId, timeZone: row.time_zone };
      this.remember(facility);
      return { ...facility, created: row.created };
    }
    throw new GenkanError('facility_race', `facility ${facilityId} could not be read after creation`);
  }

  private async zoneOf(facilityId: string): Promise<{ timeZone: string; dates: LocalDates }> {
    const cached = this.zones.get(facilityId);
    if (cached !== undefined) return cached;
    const facility = await this.getFacility(facilityId);
    if (facility === undefined) throw unknownFacility(facilityId);
    return this.remember(facility);
  }

  private remember(facility: Facility): { timeZone: string; dates: LocalDates } {
    let zone = this.zones.get(facility.facilityId);
    if (zone === undefined) {
      zone = { timeZone: facility.timeZone, dates: new LocalDates(facility.timeZone) };
      this.zones.set(facility.facilityId, zone);
    }
    return zone;
  }
}
