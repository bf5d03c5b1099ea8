import { hashToken } from '../../../common/secrets.ts';
import type { CloudOrgs } from '../aggregates.ts';
import { canonicalTimeZone, checkId, checkName } from '../inputs.ts';
import { assembleOrgFacilities } from '../orgs.ts';
import { orgMismatch, unknownOrg } from '../refusals.ts';
import { hubIdOfToken, newHubToken } from '../tokens.ts';
import type { Facility, OrgFacility, Organisation } from '../types.ts';
import { iso, type PgConnection } from './connection.ts';
import type { PgFacilities } from './facilities.ts';

/**
 * Organisations (tables organisations, org_tokens, and the org_id of facilities): their admin tokens and
 * which facilities they own.
 */
export class PgOrgs implements CloudOrgs {
  private readonly conn: PgConnection;
  private readonly facilities: PgFacilities;

  constructor(conn: PgConnection, facilities: PgFacilities) {
    this.conn = conn;
    this.facilities = facilities;
  }

  async addOrganisation(orgId: string, name: string): Promise<Organisation> {
    this.conn.checkOpen();
    checkId(orgId, 'orgId');
    const orgName = checkName(name);
    await this.conn.pool.query(
      `INSERT INTO organisations (org_id, name, created_at) VALUES ($1, $2, $3)
       ON CONFLICT (org_id) DO UPDATE SET name = EXCLUDED.name`,
      [orgId, orgName, this.conn.clock.now().toISOString()],
    );
    this.conn.log.info({ orgId }, 'organisation saved');
    return { orgId, name: orgName };
  }

  async getOrganisation(orgId: string): Promise<Organisation | undefined> {
    this.conn.checkOpen();
    const { rows } = await this.conn.pool.query<{ name: string }>(
      'SELECT name FROM organisations WHERE org_id = $1',
      [orgId],
    );
    const row = rows[0];
    return row === undefined ? undefined : { orgId, name: row.name };
  }

  async addFacility(facilityId: string, orgId: string, timeZone?: string): Promise<Facility> {
    this.conn.checkOpen();
    checkId(facilityId, 'facilityId');
    checkId(orgId, 'orgId');
    const zone = timeZone === undefined ? undefined : canonicalTimeZone(timeZone);
    const { created, ...facility } = await this.conn.transaction(async (client) => {
      // Share-locks the organisation: it cannot vanish (it never does) nor be attached concurrently twice.
      const org = await client.query('SELECT 1 FROM organisations WHERE org_id = $1 FOR SHARE', [orgId]);
      if (org.rows.length === 0) throw unknownOrg(orgId);
      const ensured = await this.facilities.ensureFacilityOn(client, facilityId, zone);
      // Attaches only a facility without an organisation; the returned owner tells a mismatch apart.
      const { rows } = await client.query<{ org_id: string | null }>(
        `UPDATE facilities SET org_id = coalesce(org_id, $2) WHERE facility_id = $1 RETURNING org_id`,
        [facilityId, orgId],
      );
      const owner = rows[0]?.org_id ?? null;
      if (owner !== orgId) throw orgMismatch(facilityId, owner ?? '(none)', orgId);
      return ensured;
    });
    this.conn.log.info({ facilityId, orgId, created }, 'facility attached to organisation');
    return facility;
  }

  async facilityOrg(facilityId: string): Promise<string | null | undefined> {
    this.conn.checkOpen();
    const { rows } = await this.conn.pool.query<{ org_id: string | null }>(
      'SELECT org_id FROM facilities WHERE facility_id = $1',
      [facilityId],
    );
    const row = rows[0];
    return row === undefined ? undefined : row.org_id;
  }

  async issueOrgToken(orgId: string): Promise<string> {
    this.conn.checkOpen();
    checkId(orgId, 'orgId');
    const token = newHubToken(orgId);
    const { rowCount } = await this.conn.pool.query(
      `INSERT INTO org_tokens (token_hash, org_id, created_at)
       SELECT $1, org_id, $3 FROM organisations WHERE org_id = $2`,
      [hashToken(token), orgId, this.conn.clock.now().toISOString()],
    );
    if (rowCount === 0) throw unknownOrg(orgId);
    this.conn.log.info({ orgId }, 'org token issued');
    return token;
  }

  async revokeOrgTokens(orgId: string): Promise<number> {
    this.conn.checkOpen();
    checkId(orgId, 'orgId');
    if ((await this.getOrganisation(orgId)) === undefined) throw unknownOrg(orgId);
    const { rowCount } = await this.conn.pool.query('DELETE FROM org_tokens WHERE org_id = $1', [orgId]);
    this.conn.log.info({ orgId, revoked: rowCount ?? 0 }, 'org tokens revoked');
    return rowCount ?? 0;
  }

  async authenticateOrg(token: string): Promise<string | undefined> {
    this.conn.checkOpen();
    const orgId = hubIdOfToken(token);
    if (orgId === undefined) return undefined;
    // Looked up by the digest of a 256-bit random secret: timing can only reveal digest prefixes,
    // which do not help to forge a token.
    const { rows } = await this.conn.pool.query<{ org_id: string }>(
      'SELECT org_id FROM org_tokens WHERE token_hash = $1 AND org_id = $2',
      [hashToken(token), orgId],
    );
    return rows[0]?.org_id;
  }

  async orgFacilities(orgId: string): Promise<OrgFacility[]> {
    this.conn.checkOpen();
    const [facilities, versions, hubs] = await Promise.all([
      this.conn.pool.query<{ facility_id: string; time_zone: string }>(
        'SELECT facility_id, time_zone FROM facilities WHERE org_id = $1 ORDER BY facility_id',
        [orgId],
      ),
      // A facility has few versions: the one in effect today is picked in assembleOrgFacilities.
      this.conn.pool.query<{
        facility_id: string;
        version: string;
        effective_from: string;
        name: string | null;
      }>(
        `SELECT v.facility_id, v.version, v.effective_from, (v.snapshot::json ->> 'facilityName') AS name
         FROM facilities f JOIN snapshot_versions v ON v.facility_id = f.facility_id
         WHERE f.org_id = $1`,
        [orgId],
      ),
      this.conn.pool.query<{ hub_id: string; facility_id: string; last_relay_at: Date | null }>(
        `SELECT h.hub_id, h.facility_id, h.last_relay_at
         FROM facilities f JOIN hubs h ON h.facility_id = f.facility_id
         WHERE f.org_id = $1 ORDER BY h.hub_id`,
        [orgId],
      ),
    ]);
    return assembleOrgFacilities(
      facilities.rows.map((f) => ({ facilityId: f.facility_id, timeZone: f.time_zone })),
      versions.rows.map((v) => ({
        facilityId: v.facility_id,
        // bigint comes back as text.
        version: Number(v.version),
        effectiveFrom: v.effective_from,
        name: v.name,
      })),
      hubs.rows.map((h) => ({
        hubId: h.hub_id,
        facilityId: h.facility_id,
        lastRelayAt: iso(h.last_relay_at),
      })),
      this.conn.clock.now(),
    );
  }
}
