import { hashToken } from '../../../common/secrets.ts';
import type { Db } from '../../../common/sqlite.ts';
import type { CloudOrgs } from '../aggregates.ts';
import { canonicalTimeZone, checkId, checkName } from '../inputs.ts';
import { assembleOrgFacilities } from '../orgs.ts';
import { orgMismatch, unknownOrg } from '../refusals.ts';
import { hubIdOfToken, newHubToken } from '../tokens.ts';
import type { Facility, OrgFacility, Organisation } from '../types.ts';
import { SqliteFacilityAggregate } from './aggregate.ts';

interface OrgFacilityRow {
  facility_id: string;
  time_zone: string;
}

interface VersionNameRow {
  facility_id: string;
  version: number;
  effective_from: string;
  name: string | null;
}

/** The aggregate's statements, prepared once on the connection's database. */
function statements(db: Db) {
  return {
    org: db.prepare<[string], { org_id: string; name: string }>(
      'SELECT org_id, name FROM organisations WHERE org_id = ?',
    ),
    upsertOrg: db.prepare<[string, string, string]>(
      `INSERT INTO organisations (org_id, name, created_at) VALUES (?, ?, ?)
       ON CONFLICT (org_id) DO UPDATE SET name = excluded.name`,
    ),
    facilityOrg: db.prepare<[string], { org_id: string | null }>(
      'SELECT org_id FROM facilities WHERE facility_id = ?',
    ),
    setFacilityOrg: db.prepare<[string, string]>('UPDATE facilities SET org_id = ? WHERE facility_id = ?'),
    insertOrgToken: db.prepare<[Buffer, string, string]>(
      'INSERT INTO org_tokens (token_hash, org_id, created_at) VALUES (?, ?, ?)',
    ),
    revokeOrgTokens: db.prepare<[string]>('DELETE FROM org_tokens WHERE org_id = ?'),
    orgToken: db.prepare<[Buffer, string], { org_id: string }>(
      'SELECT org_id FROM org_tokens WHERE token_hash = ? AND org_id = ?',
    ),
    orgFacilities: db.prepare<[string], OrgFacilityRow>(
      'SELECT facility_id, time_zone FROM facilities WHERE org_id = ? ORDER BY facility_id',
    ),
    // A facility has few versions: the one in effect today is picked in assembleOrgFacilities.
    orgVersionNames: db.prepare<[string], VersionNameRow>(
      `SELECT v.facility_id, v.version, v.effective_from, json_extract(v.snapshot, '$.facilityName') AS name
       FROM facilities f JOIN snapshot_versions v ON v.facility_id = f.facility_id
       WHERE f.org_id = ?`,
    ),
    orgHubs: db.prepare<[string], { hub_id: string; facility_id: string; last_relay_at: string | null }>(
      `SELECT h.hub_id, h.facility_id, h.last_relay_at
       FROM facilities f JOIN hubs h ON h.facility_id = f.facility_id
       WHERE f.org_id = ? ORDER BY h.hub_id`,
    ),
  };
}

/**
 * Organisations (tables organisations, org_tokens, and the org_id of facilities): their admin tokens and
 * which facilities they own.
 */
export class SqliteOrgs extends SqliteFacilityAggregate implements CloudOrgs {
  private readonly stmt = statements(this.conn.db);

  addOrganisation(orgId: string, name: string): Promise<Organisation> {
    return this.conn.run(() => {
      checkId(orgId, 'orgId');
      const orgName = checkName(name);
      this.stmt.upsertOrg.run(orgId, orgName, this.conn.clock.now().toISOString());
      this.conn.log.info({ orgId }, 'organisation saved');
      return { orgId, name: orgName };
    });
  }

  getOrganisation(orgId: string): Promise<Organisation | undefined> {
    return this.conn.run(() => {
      const row = this.stmt.org.get(orgId);
      return row === undefined ? undefined : { orgId: row.org_id, name: row.name };
    });
  }

  addFacility(facilityId: string, orgId: string, timeZone?: string): Promise<Facility> {
    return this.conn.run(() => {
      checkId(facilityId, 'facilityId');
      checkId(orgId, 'orgId');
      const zone = timeZone === undefined ? undefined : canonicalTimeZone(timeZone);
      const { created, ...facility } = this.conn.db
        .transaction(() => {
          this.requireOrg(orgId);
          const current = this.stmt.facilityOrg.get(facilityId)?.org_id ?? null;
          if (current !== null && current !== orgId) throw orgMismatch(facilityId, current, orgId);
          const ensured = this.facilities.ensureFacilitySync(facilityId, zone);
          if (current === null) this.stmt.setFacilityOrg.run(orgId, facilityId);
          return ensured;
        })
        .immediate();
      this.conn.log.info({ facilityId, orgId, created }, 'facility attached to organisation');
      return facility;
    });
  }

  facilityOrg(facilityId: string): Promise<string | null | undefined> {
    return this.conn.run(() => {
      const row = this.stmt.facilityOrg.get(facilityId);
      return row === undefined ? undefined : row.org_id;
    });
  }

  issueOrgToken(orgId: string): Promise<string> {
    return this.conn.run(() => {
      checkId(orgId, 'orgId');
      this.requireOrg(orgId);
      const token = newHubToken(orgId);
      this.stmt.insertOrgToken.run(hashToken(token), orgId, this.conn.clock.now().toISOString());
      this.conn.log.info({ orgId }, 'org token issued');
      return token;
    });
  }

  revokeOrgTokens(orgId: string): Promise<number> {
    return this.conn.run(() => {
      checkId(orgId, 'orgId');
      this.requireOrg(orgId);
      const { changes } = this.stmt.revokeOrgTokens.run(orgId);
      this.conn.log.info({ orgId, revoked: changes }, 'org tokens revoked');
      return changes;
    });
  }

  authenticateOrg(token: string): Promise<string | undefined> {
    return this.conn.run(() => {
      const orgId = hubIdOfToken(token);
      if (orgId === undefined) return undefined;
      // Looked up by the digest of a 256-bit random secret: timing can only reveal digest prefixes,
      // which do not help to forge a token.
      return this.stmt.orgToken.get(hashToken(token), orgId)?.org_id;
    });
  }

  orgFacilities(orgId: string): Promise<OrgFacility[]> {
    return this.conn.run(() => {
      const facilities = this.stmt.orgFacilities.all(orgId);
      const versions = this.stmt.orgVersionNames.all(orgId);
      const hubs = this.stmt.orgHubs.all(orgId);
      return assembleOrgFacilities(
        facilities.map((f) => ({ facilityId: f.facility_id, timeZone: f.time_zone })),
        versions.map((v) => ({
          facilityId: v.facility_id,
          version: v.version,
          effectiveFrom: v.effective_from,
          name: v.name,
        })),
        hubs.map((h) => ({ hubId: h.hub_id, facilityId: h.facility_id, lastRelayAt: h.last_relay_at })),
        this.conn.clock.now(),
      );
    });
  }

  private requireOrg(orgId: string): void {
    if (this.stmt.org.get(orgId) === undefined) throw unknownOrg(orgId);
  }
}
