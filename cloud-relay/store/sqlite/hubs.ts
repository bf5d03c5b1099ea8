import { hashToken } from '../../../common/secrets.ts';
import type { Db } from '../../../common/sqlite.ts';
import type { CloudHubs } from '../aggregates.ts';
import { canonicalTimeZone, checkId } from '../inputs.ts';
import { hubMismatch, unknownHub } from '../refusals.ts';
import { hubIdOfToken, hubTokenVerdict, newHubToken } from '../tokens.ts';
import type { HubIdentity } from '../types.ts';
import { SqliteFacilityAggregate } from './aggregate.ts';

interface HubRow {
  facility_id: string;
  token_hash: Buffer;
  prev_token_hash: Buffer | null;
  prev_token_expires_at: string | null;
  revoked_at: string | null;
}

/** The aggregate's statements, prepared once on the connection's database. */
function statements(db: Db) {
  return {
    hub: db.prepare<[string], HubRow>(
      `SELECT facility_id, token_hash, prev_token_hash, prev_token_expires_at, revoked_at
       FROM hubs WHERE hub_id = ?`,
    ),
    endGrace: db.prepare<[string, Buffer]>(
      `UPDATE hubs SET prev_token_hash = NULL, prev_token_expires_at = NULL
       WHERE hub_id = ? AND token_hash = ? AND prev_token_hash IS NOT NULL`,
    ),
    rotateWithGrace: db.prepare<[{ hash: Buffer; now: string; expires: string; hub: string }]>(
      // Right-hand sides see the row before the update: the current token becomes the previous one,
      // unless the hub was revoked (then no earlier token comes back).
      `UPDATE hubs SET
         prev_token_hash = CASE WHEN revoked_at IS NULL THEN token_hash END,
         prev_token_expires_at = CASE WHEN revoked_at IS NULL THEN @expires END,
         token_hash = @hash, token_issued_at = @now, revoked_at = NULL
       WHERE hub_id = @hub`,
    ),
    revokeHub: db.prepare<[string, string]>(
      `UPDATE hubs SET revoked_at = ?, prev_token_hash = NULL, prev_token_expires_at = NULL
       WHERE hub_id = ?`,
    ),
    touchHub: db.prepare<[string, string]>('UPDATE hubs SET last_relay_at = ? WHERE hub_id = ?'),
    insertHub: db.prepare<[string, string, Buffer, string, string]>(
      'INSERT INTO hubs (hub_id, facility_id, token_hash, created_at, token_issued_at) VALUES (?, ?, ?, ?, ?)',
    ),
    // Re-adding a hub: the new token alone works, at once (a lost or leaked token is replaced).
    replaceHubToken: db.prepare<[Buffer, string, string]>(
      `UPDATE hubs SET token_hash = ?, token_issued_at = ?, prev_token_hash = NULL,
         prev_token_expires_at = NULL, revoked_at = NULL
       WHERE hub_id = ?`,
    ),
  };
}

/**
 * Hubs (table hubs): registration under a facility, token rotation and revocation, last relay times.
 * Nothing is cached, so a token added or rotated by `genkan cloud hub add` in another process takes
 * effect on the server's next request.
 */
export class SqliteHubs extends SqliteFacilityAggregate implements CloudHubs {
  private readonly stmt = statements(this.conn.db);

  addHub(hubId: string, facilityId: string, timeZone?: string): Promise<string> {
    return this.conn.run(() => {
      checkId(hubId, 'hubId');
      checkId(facilityId, 'facilityId');
      const zone = timeZone === undefined ? undefined : canonicalTimeZone(timeZone);
      const token = newHubToken(hubId);
      const hash = hashToken(token);
      const now = this.conn.clock.now().toISOString();
      const { created, rotated } = this.conn.db
        .transaction(() => {
          const existing = this.stmt.hub.get(hubId);
          if (existing !== undefined && existing.facility_id !== facilityId) {
            throw hubMismatch(hubId, facilityId, existing.facility_id);
          }
          const facility = this.facilities.ensureFacilitySync(facilityId, zone);
          if (existing === undefined) this.stmt.insertHub.run(hubId, facilityId, hash, now, now);
          else this.stmt.replaceHubToken.run(hash, now, hubId);
          return { created: facility.created, rotated: existing !== undefined };
        })
        .immediate();
      if (created) this.conn.log.info({ facilityId }, 'facility added');
      this.conn.log.info({ hubId, facilityId }, rotated ? 'hub token rotated' : 'hub added');
      return token;
    });
  }

  authenticateHub(token: string): Promise<HubIdentity | undefined> {
    return this.conn.run(() => {
      const hubId = hubIdOfToken(token);
      if (hubId === undefined) return undefined;
      const row = this.stmt.hub.get(hubId);
      if (row === undefined) return undefined;
      // Looked up by id, then digests compared in constant time: no timing signal on how much matched.
      const verdict = hubTokenVerdict(
        token,
        {
          tokenHash: row.token_hash,
          prevTokenHash: row.prev_token_hash,
          prevExpiresMs: row.prev_token_expires_at === null ? null : Date.parse(row.prev_token_expires_at),
          revoked: row.revoked_at !== null,
        },
        this.conn.clock.now().getTime(),
      );
      if (verdict === undefined) return undefined;
      // The hub now uses its new token: the previous one has served its purpose.
      if (verdict === 'current' && row.prev_token_hash !== null) {
        this.stmt.endGrace.run(hubId, row.token_hash);
        this.conn.log.info({ hubId }, 'hub uses its rotated token; previous token retired');
      }
      return { hubId, facilityId: row.facility_id };
    });
  }

  rotateHub(hubId: string, graceMs: number): Promise<string> {
    return this.conn.run(() => {
      checkId(hubId, 'hubId');
      const token = newHubToken(hubId);
      const now = this.conn.clock.now();
      const expires = new Date(now.getTime() + Math.max(0, graceMs)).toISOString();
      const { changes } = this.stmt.rotateWithGrace.run({
        hash: hashToken(token),
        now: now.toISOString(),
        expires,
        hub: hubId,
      });
      if (changes === 0) throw unknownHub(hubId);
      this.conn.log.info({ hubId, graceMs }, 'hub token rotated with grace period');
      return token;
    });
  }

  revokeHub(hubId: string): Promise<void> {
    return this.conn.run(() => {
      checkId(hubId, 'hubId');
      const { changes } = this.stmt.revokeHub.run(this.conn.clock.now().toISOString(), hubId);
      if (changes === 0) throw unknownHub(hubId);
      this.conn.log.info({ hubId }, 'hub tokens revoked');
    });
  }

  /** Records a relay from the hub at `at`, inside the caller's transaction (the upload's own). */
  touchHub(hubId: string, at: string): void {
    this.stmt.touchHub.run(at, hubId);
  }
}
