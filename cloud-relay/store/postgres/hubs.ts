import { hashToken } from '../../../common/secrets.ts';
import type { CloudHubs } from '../aggregates.ts';
import { canonicalTimeZone, checkId } from '../inputs.ts';
import { hubMismatch, unknownHub } from '../refusals.ts';
import { hubIdOfToken, hubTokenVerdict, newHubToken } from '../tokens.ts';
import type { HubIdentity } from '../types.ts';
import type { PgConnection } from './connection.ts';
import type { PgFacilities } from './facilities.ts';

/**
 * Hubs (table hubs): registration under a facility, token rotation and revocation, last relay times.
 * Nothing about hubs is cached, so a token rotated by another process takes effect at once.
 */
export class PgHubs implements CloudHubs {
  private readonly conn: PgConnection;
  private readonly facilities: PgFacilities;

  constructor(conn: PgConnection, facilities: PgFacilities) {
    this.conn = conn;
    this.facilities = facilities;
  }

  async addHub(hubId: string, facilityId: string, timeZone?: string): Promise<string> {
    this.conn.checkOpen();
    checkId(hubId, 'hubId');
    checkId(facilityId, 'facilityId');
    const zone = timeZone === undefined ? undefined : canonicalTimeZone(timeZone);
    const token = newHubToken(hubId);
    const hash = hashToken(token);
    const now = this.conn.clock.now().toISOString();
    const { created, rotated } = await this.conn.transaction(async (client) => {
      // Row lock on an existing hub: a concurrent add of the same hub waits, then sees this one's result.
      const existing = await client.query<{ facility_id: string }>(
        'SELECT facility_id FROM hubs WHERE hub_id = $1 FOR UPDATE',
        [hubId],
      );
      const owner = existing.rows[0]?.facility_id;
      if (owner !== undefined && owner !== facilityId) throw hubMismatch(hubId, facilityId, owner);
      const facility = await this.facilities.ensureFacilityOn(client, facilityId, zone);
      // The WHERE guards against a hub created under another facility since the SELECT above.
      const upsert = await client.query<{ inserted: boolean }>(
        `INSERT INTO hubs (hub_id, facility_id, token_hash, created_at, token_issued_at)
         VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (hub_id) DO UPDATE SET token_hash = EXCLUDED.token_hash,
           token_issued_at = EXCLUDED.token_issued_at, prev_token_hash = NULL,
           prev_token_expires_at = NULL, revoked_at = NULL
         WHERE hubs.facility_id = EXCLUDED.facility_id
         RETURNING (xmax = 0) AS inserted`,
        [hubId, facilityId, hash, now],
      );
      const row = upsert.rows[0];
      if (row === undefined) throw hubMismatch(hubId, facilityId);
      return { created: facility.created, rotated: !row.inserted };
    });
    if (created) this.conn.log.info({ facilityId }, 'facility added');
    this.conn.log.info({ hubId, facilityId }, rotated ? 'hub token rotated' : 'hub added');
    return token;
  }

  async authenticateHub(token: string): Promise<HubIdentity | undefined> {
    this.conn.checkOpen();
    const hubId = hubIdOfToken(token);
    if (hubId === undefined) return undefined;
    const { rows } = await this.conn.pool.query<{
      facility_id: string;
      token_hash: Buffer;
      prev_token_hash: Buffer | null;
      prev_token_expires_at: Date | null;
      revoked: boolean;
    }>(
      `SELECT facility_id, token_hash, prev_token_hash, prev_token_expires_at, revoked_at IS NOT NULL AS revoked
       FROM hubs WHERE hub_id = $1`,
      [hubId],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    // Looked up by id, then digests compared in constant time: no timing signal on how much matched.
    const verdict = hubTokenVerdict(
      token,
      {
        tokenHash: row.token_hash,
        prevTokenHash: row.prev_token_hash,
        prevExpiresMs: row.prev_token_expires_at?.getTime() ?? null,
        revoked: row.revoked,
      },
      this.conn.clock.now().getTime(),
    );
    if (verdict === undefined) return undefined;
    // The hub now uses its new token: the previous one has served its purpose. The token_hash guard
    // keeps a rotation made meanwhile by another process intact.
    if (verdict === 'current' && row.prev_token_hash !== null) {
      await this.conn.pool.query(
        `UPDATE hubs SET prev_token_hash = NULL, prev_token_expires_at = NULL
         WHERE hub_id = $1 AND token_hash = $2 AND prev_token_hash IS NOT NULL`,
        [hubId, row.token_hash],
      );
      this.conn.log.info({ hubId }, 'hub uses its rotated token; previous token retired');
    }
    return { hubId, facilityId: row.facility_id };
  }

  async rotateHub(hubId: string, graceMs: number): Promise<string> {
    this.conn.checkOpen();
    checkId(hubId, 'hubId');
    const token = newHubToken(hubId);
    const now = this.conn.clock.now();
    const expires = new Date(now.getTime() + Math.max(0, graceMs));
    // Right-hand sides see the row before the update: the current token becomes the previous one,
    // unless the hub was revoked (then no earlier token comes back).
    const { rowCount } = await this.conn.pool.query(
      `UPDATE hubs SET
         prev_token_hash = CASE WHEN revoked_at IS NULL THEN token_hash END,
         prev_token_expires_at = CASE WHEN revoked_at IS NULL THEN $3::timestamptz END,
         token_hash = $1, token_issued_at = $2, revoked_at = NULL
       WHERE hub_id = $4`,
      [hashToken(token), now.toISOString(), expires.toISOString(), hubId],
    );
    if (rowCount === 0) throw unknownHub(hubId);
    this.conn.log.info({ hubId, graceMs }, 'hub token rotated with grace period');
    return token;
  }

  async revokeHub(hubId: string): Promise<void> {
    this.conn.checkOpen();
    checkId(hubId, 'hubId');
    const { rowCount } = await this.conn.pool.query(
      `UPDATE hubs SET revoked_at = $1, prev_token_hash = NULL, prev_token_expires_at = NULL
       WHERE hub_id = $2`,
      [this.conn.clock.now().toISOString(), hubId],
    );
    if (rowCount === 0) throw unknownHub(hubId);
    this.conn.log.info({ hubId }, 'hub tokens revoked');
  }

  /**
   * Records a relay from the hub. A separate statement after the upload's own: the upload stays one
   * statement with its lock order, and a failure here costs only freshness of the last relay time.
   */
  async touchHub(hubId: string, at: string): Promise<void> {
    try {
      await this.conn.pool.query('UPDATE hubs SET last_relay_at = $2 WHERE hub_id = $1', [hubId, at]);
    } catch (err) {
      this.conn.log.warn(
        { hubId, err: err instanceof Error ? err.message : String(err) },
        'last relay time not recorded',
      );
    }
  }
}
