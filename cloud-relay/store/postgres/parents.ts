import type { ParentGuardianUpload } from '../../../protocol/parents.ts';
import type {
  ParentChallengePurpose,
  ParentCredential,
  ParentGuardian,
  ParentIdentity,
  ParentStore,
} from '../parent-types.ts';
import {
  CREDENTIAL_COLUMNS,
  credentialOf,
  GUARDIAN_COLUMNS,
  guardianOf,
  guardianRecord,
  isTokenHash,
  type CredentialRow,
  type GuardianRow,
} from '../parents.ts';
import { unknownFacility } from '../refusals.ts';
import type { PgConnection } from './connection.ts';

/** The parent app's records (tables parent_*; migration 9) on PostgreSQL. */
export class PgParents implements ParentStore {
  private readonly conn: PgConnection;

  constructor(conn: PgConnection) {
    this.conn = conn;
  }

  async putGuardian(
    facilityId: string,
    hubId: string,
    guardianId: string,
    upload: ParentGuardianUpload,
  ): Promise<boolean> {
    this.conn.checkOpen();
    const record = guardianRecord(facilityId, guardianId, upload);
    const now = this.conn.clock.now().toISOString();
    return this.conn.transaction(async (client) => {
      const facility = await client.query('SELECT 1 FROM facilities WHERE facility_id = $1', [facilityId]);
      if (facility.rowCount === 0) throw unknownFacility(facilityId);
      // Only a higher version replaces the row; the WHERE makes a concurrent older upload a no-op.
      const { rowCount } = await client.query(
        `INSERT INTO parent_guardians AS p (facility_id, guardian_id, version, name, child_ids, revoked,
           invitation_hash, invitation_expires, invitation_used_at, hub_id, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10)
         ON CONFLICT (facility_id, guardian_id) DO UPDATE SET version = EXCLUDED.version,
           name = EXCLUDED.name, child_ids = EXCLUDED.child_ids, revoked = EXCLUDED.revoked,
           -- The same invitation keeps whether it was used: a later upload never reopens a used link.
           invitation_used_at = CASE WHEN p.invitation_hash IS NOT DISTINCT FROM EXCLUDED.invitation_hash
             THEN p.invitation_used_at END,
           invitation_hash = EXCLUDED.invitation_hash, invitation_expires = EXCLUDED.invitation_expires,
           hub_id = EXCLUDED.hub_id, updated_at = EXCLUDED.updated_at
         WHERE p.version < EXCLUDED.version`,
        [
          facilityId,
          guardianId,
          record.upload.version,
          record.upload.name,
          record.childIdsText,
          record.upload.revoked,
          record.invitationHash,
          record.invitationExpires,
          hubId,
          now,
        ],
      );
      if (rowCount === 0) return false;
      if (record.upload.revoked) {
        await client.query('DELETE FROM parent_sessions WHERE facility_id = $1 AND guardian_id = $2', [
          facilityId,
          guardianId,
        ]);
        await client.query('DELETE FROM parent_credentials WHERE facility_id = $1 AND guardian_id = $2', [
          facilityId,
          guardianId,
        ]);
        await client.query(
          'DELETE FROM parent_push_subscriptions WHERE facility_id = $1 AND guardian_id = $2',
          [facilityId, guardianId],
        );
      }
      return true;
    });
  }

  async getGuardian(facilityId: string, guardianId: string): Promise<ParentGuardian | undefined> {
    this.conn.checkOpen();
    const { rows } = await this.conn.pool.query<GuardianRow>(
      `SELECT ${GUARDIAN_COLUMNS} FROM parent_guardians WHERE facility_id = $1 AND guardian_id = $2`,
      [facilityId, guardianId],
    );
    const row = rows[0];
    return row === undefined ? undefined : guardianOf(row);
  }

  async guardianByInvitation(tokenHash: string, now: Date): Promise<ParentGuardian | undefined> {
    this.conn.checkOpen();
    if (!isTokenHash(tokenHash)) return undefined;
    const { rows } = await this.conn.pool.query<GuardianRow>(
      `SELECT ${GUARDIAN_COLUMNS} FROM parent_guardians
       WHERE invitation_hash = $1 AND invitation_used_at IS NULL AND NOT revoked
         AND invitation_expires > $2`,
      [tokenHash, now.toISOString()],
    );
    const row = rows[0];
    return row === undefined ? undefined : guardianOf(row);
  }

  async addCredential(credential: ParentCredential, tokenHash: string, now: Date): Promise<boolean> {
    this.conn.checkOpen();
    const at = now.toISOString();
    return this.conn.transaction(async (client) => {
      // The row lock of the UPDATE makes two registrations with one link take turns: one wins.
      const { rowCount } = await client.query(
        `UPDATE parent_guardians SET invitation_used_at = $1
         WHERE facility_id = $2 AND guardian_id = $3 AND invitation_hash = $4
           AND invitation_used_at IS NULL AND NOT revoked AND invitation_expires > $1`,
        [at, credential.facilityId, credential.guardianId, tokenHash],
      );
      if (rowCount === 0) return false;
      await client.query(
        `INSERT INTO parent_credentials (credential_id, facility_id, guardian_id, public_key, counter,
           transports, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          credential.credentialId,
          credential.facilityId,
          credential.guardianId,
          Buffer.from(credential.publicKey),
          credential.counter,
          JSON.stringify(credential.transports),
          at,
        ],
      );
      return true;
    });
  }

  async getCredential(credentialId: string): Promise<ParentCredential | undefined> {
    this.conn.checkOpen();
    const { rows } = await this.conn.pool.query<CredentialRow>(
      `SELECT ${CREDENTIAL_COLUMNS} FROM parent_credentials WHERE credential_id = $1`,
      [credentialId],
    );
    const row = rows[0];
    return row === undefined ? undefined : credentialOf(row);
  }

  async credentialsOf(facilityId: string, guardianId: string): Promise<ParentCredential[]> {
    this.conn.checkOpen();
    const { rows } = await this.conn.pool.query<CredentialRow>(
      `SELECT ${CREDENTIAL_COLUMNS} FROM parent_credentials WHERE facility_id = $1 AND guardian_id = $2
       ORDER BY created_at, credential_id`,
      [facilityId, guardianId],
    );
    return rows.map(credentialOf);
  }

  async credentialUsed(credentialId: string, counter: number, now: Date): Promise<void> {
    this.conn.checkOpen();
    await this.conn.pool.query(
      'UPDATE parent_credentials SET counter = $1, last_used_at = $2 WHERE credential_id = $3',
      [counter, now.toISOString(), credentialId],
    );
  }

  async createSession(sessionHash: Uint8Array, who: ParentIdentity, now: Date, expires: Date): Promise<void> {
    this.conn.checkOpen();
    await this.conn.pool.query(
      `INSERT INTO parent_sessions (session_hash, facility_id, guardian_id, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [Buffer.from(sessionHash), who.facilityId, who.guardianId, now.toISOString(), expires.toISOString()],
    );
  }

  async touchSession(
    sessionHash: Uint8Array,
    now: Date,
    extendTo: Date,
  ): Promise<(ParentIdentity & { expires: Date }) | undefined> {
    this.conn.checkOpen();
    const hash = Buffer.from(sessionHash);
    const { rows } = await this.conn.pool.query<{
      facility_id: string;
      guardian_id: string;
      expires_at: Date;
    }>(
      `SELECT s.facility_id, s.guardian_id, s.expires_at FROM parent_sessions s
       JOIN parent_guardians g USING (facility_id, guardian_id)
       WHERE s.session_hash = $1 AND NOT g.revoked`,
      [hash],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    if (row.expires_at.getTime() <= now.getTime()) {
      await this.deleteSession(sessionHash);
      return undefined;
    }
    if (extendTo.getTime() <= row.expires_at.getTime()) {
      return { facilityId: row.facility_id, guardianId: row.guardian_id, expires: row.expires_at };
    }
    await this.conn.pool.query(
      'UPDATE parent_sessions SET expires_at = greatest(expires_at, $1) WHERE session_hash = $2',
      [extendTo.toISOString(), hash],
    );
    return { facilityId: row.facility_id, guardianId: row.guardian_id, expires: extendTo };
  }

  async deleteSession(sessionHash: Uint8Array): Promise<void> {
    this.conn.checkOpen();
    await this.conn.pool.query('DELETE FROM parent_sessions WHERE session_hash = $1', [
      Buffer.from(sessionHash),
    ]);
  }

  async putChallenge(
    challenge: string,
    purpose: ParentChallengePurpose,
    who: ParentIdentity | null,
    expires: Date,
  ): Promise<void> {
    this.conn.checkOpen();
    await this.conn.pool.query(
      `INSERT INTO parent_challenges (challenge, purpose, facility_id, guardian_id, expires_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [challenge, purpose, who?.facilityId ?? null, who?.guardianId ?? null, expires.toISOString()],
    );
  }

  async takeChallenge(
    challenge: string,
    purpose: ParentChallengePurpose,
    now: Date,
  ): Promise<{ who: ParentIdentity | null } | undefined> {
    this.conn.checkOpen();
    const { rows } = await this.conn.pool.query<{
      facility_id: string | null;
      guardian_id: string | null;
      expires_at: Date;
    }>(
      `DELETE FROM parent_challenges WHERE challenge = $1 AND purpose = $2
       RETURNING facility_id, guardian_id, expires_at`,
      [challenge, purpose],
    );
    // Abandoned ceremonies leave challenges behind: each take clears the expired ones.
    await this.conn.pool.query('DELETE FROM parent_challenges WHERE expires_at <= $1', [now.toISOString()]);
    const row = rows[0];
    if (row === undefined || row.expires_at.getTime() <= now.getTime()) return undefined;
    const who =
      row.facility_id === null || row.guardian_id === null
        ? null
        : { facilityId: row.facility_id, guardianId: row.guardian_id };
    return { who };
  }
}
