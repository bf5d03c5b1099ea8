import type { Db } from '../../../common/sqlite.ts';
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
import { SqliteFacilityAggregate } from './aggregate.ts';

/** The aggregate's statements, prepared once on the connection's database. */
function statements(db: Db) {
  return {
    guardian: db.prepare<[string, string], GuardianRow & { invitation_hash: string | null }>(
      `SELECT ${GUARDIAN_COLUMNS}, invitation_hash FROM parent_guardians
       WHERE facility_id = ? AND guardian_id = ?`,
    ),
    insertGuardian: db.prepare<
      [
        {
          f: string;
          g: string;
          version: number;
          name: string;
          children: string;
          revoked: number;
          hash: string | null;
          expires: string | null;
          hub: string;
          now: string;
        },
      ]
    >(
      `INSERT INTO parent_guardians (facility_id, guardian_id, version, name, child_ids, revoked,
         invitation_hash, invitation_expires, invitation_used_at, hub_id, updated_at)
       VALUES (@f, @g, @version, @name, @children, @revoked, @hash, @expires, NULL, @hub, @now)
       ON CONFLICT (facility_id, guardian_id) DO UPDATE SET version = excluded.version,
         name = excluded.name, child_ids = excluded.child_ids, revoked = excluded.revoked,
         -- The same invitation keeps whether it was used: a later upload never reopens a used link.
         invitation_used_at = CASE WHEN invitation_hash IS excluded.invitation_hash
           THEN invitation_used_at END,
         invitation_hash = excluded.invitation_hash, invitation_expires = excluded.invitation_expires,
         hub_id = excluded.hub_id, updated_at = excluded.updated_at`,
    ),
    deleteCredentialsOf: db.prepare<[string, string]>(
      'DELETE FROM parent_credentials WHERE facility_id = ? AND guardian_id = ?',
    ),
    deleteSessionsOf: db.prepare<[string, string]>(
      'DELETE FROM parent_sessions WHERE facility_id = ? AND guardian_id = ?',
    ),
    deletePushOf: db.prepare<[string, string]>(
      'DELETE FROM parent_push_subscriptions WHERE facility_id = ? AND guardian_id = ?',
    ),
    byInvitation: db.prepare<[string, string], GuardianRow>(
      `SELECT ${GUARDIAN_COLUMNS} FROM parent_guardians
       WHERE invitation_hash = ? AND invitation_used_at IS NULL AND revoked = 0
         AND invitation_expires > ?`,
    ),
    useInvitation: db.prepare<[string, string, string, string, string]>(
      `UPDATE parent_guardians SET invitation_used_at = ?
       WHERE facility_id = ? AND guardian_id = ? AND invitation_hash = ? AND invitation_used_at IS NULL
         AND revoked = 0 AND invitation_expires > ?`,
    ),
    insertCredential: db.prepare<[string, string, string, Buffer, number, string, string]>(
      `INSERT INTO parent_credentials (credential_id, facility_id, guardian_id, public_key, counter,
         transports, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    credential: db.prepare<[string], CredentialRow>(
      `SELECT ${CREDENTIAL_COLUMNS} FROM parent_credentials WHERE credential_id = ?`,
    ),
    credentialsOf: db.prepare<[string, string], CredentialRow>(
      `SELECT ${CREDENTIAL_COLUMNS} FROM parent_credentials WHERE facility_id = ? AND guardian_id = ?
       ORDER BY created_at, credential_id`,
    ),
    credentialUsed: db.prepare<[number, string, string]>(
      'UPDATE parent_credentials SET counter = ?, last_used_at = ? WHERE credential_id = ?',
    ),
    insertSession: db.prepare<[Buffer, string, string, string, string]>(
      `INSERT INTO parent_sessions (session_hash, facility_id, guardian_id, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?)`,
    ),
    session: db.prepare<[Buffer], { facility_id: string; guardian_id: string; expires_at: string }>(
      `SELECT s.facility_id, s.guardian_id, s.expires_at FROM parent_sessions s
       JOIN parent_guardians g USING (facility_id, guardian_id)
       WHERE s.session_hash = ? AND g.revoked = 0`,
    ),
    extendSession: db.prepare<[string, Buffer]>(
      'UPDATE parent_sessions SET expires_at = ? WHERE session_hash = ?',
    ),
    deleteSession: db.prepare<[Buffer]>('DELETE FROM parent_sessions WHERE session_hash = ?'),
    insertChallenge: db.prepare<[string, string, string | null, string | null, string]>(
      `INSERT INTO parent_challenges (challenge, purpose, facility_id, guardian_id, expires_at)
       VALUES (?, ?, ?, ?, ?)`,
    ),
    takeChallenge: db.prepare<
      [string, string],
      { facility_id: string | null; guardian_id: string | null; expires_at: string }
    >(
      `DELETE FROM parent_challenges WHERE challenge = ? AND purpose = ?
       RETURNING facility_id, guardian_id, expires_at`,
    ),
    sweepChallenges: db.prepare<[string]>('DELETE FROM parent_challenges WHERE expires_at <= ?'),
  };
}

/** The parent app's records (tables parent_*; migration 9) on SQLite. */
export class SqliteParents extends SqliteFacilityAggregate implements ParentStore {
  private readonly stmt = statements(this.conn.db);

  putGuardian(
    facilityId: string,
    hubId: string,
    guardianId: string,
    upload: ParentGuardianUpload,
  ): Promise<boolean> {
    return this.conn.run(() => {
      const record = guardianRecord(facilityId, guardianId, upload);
      const now = this.conn.clock.now().toISOString();
      return this.conn.db
        .transaction(() => {
          this.facilities.facilityOf(facilityId);
          const stored = this.stmt.guardian.get(facilityId, guardianId);
          if (stored !== undefined && stored.version >= record.upload.version) return false;
          this.stmt.insertGuardian.run({
            f: facilityId,
            g: guardianId,
            version: record.upload.version,
            name: record.upload.name,
            children: record.childIdsText,
            revoked: record.upload.revoked ? 1 : 0,
            hash: record.invitationHash,
            expires: record.invitationExpires,
            hub: hubId,
            now,
          });
          if (record.upload.revoked) {
            this.stmt.deleteSessionsOf.run(facilityId, guardianId);
            this.stmt.deleteCredentialsOf.run(facilityId, guardianId);
            this.stmt.deletePushOf.run(facilityId, guardianId);
          }
          return true;
        })
        .immediate();
    });
  }

  getGuardian(facilityId: string, guardianId: string): Promise<ParentGuardian | undefined> {
    return this.conn.run(() => {
      const row = this.stmt.guardian.get(facilityId, guardianId);
      return row === undefined ? undefined : guardianOf(row);
    });
  }

  guardianByInvitation(tokenHash: string, now: Date): Promise<ParentGuardian | undefined> {
    return this.conn.run(() => {
      if (!isTokenHash(tokenHash)) return undefined;
      const row = this.stmt.byInvitation.get(tokenHash, now.toISOString());
      return row === undefined ? undefined : guardianOf(row);
    });
  }

  addCredential(credential: ParentCredential, tokenHash: string, now: Date): Promise<boolean> {
    return this.conn.run(() => {
      const at = now.toISOString();
      return this.conn.db
        .transaction(() => {
          const { changes } = this.stmt.useInvitation.run(
            at,
            credential.facilityId,
            credential.guardianId,
            tokenHash,
            at,
          );
          if (changes === 0) return false;
          this.stmt.insertCredential.run(
            credential.credentialId,
            credential.facilityId,
            credential.guardianId,
            Buffer.from(credential.publicKey),
            credential.counter,
            JSON.stringify(credential.transports),
            at,
          );
          return true;
        })
        .immediate();
    });
  }

  getCredential(credentialId: string): Promise<ParentCredential | undefined> {
    return this.conn.run(() => {
      const row = this.stmt.credential.get(credentialId);
      return row === undefined ? undefined : credentialOf(row);
    });
  }

  credentialsOf(facilityId: string, guardianId: string): Promise<ParentCredential[]> {
    return this.conn.run(() => this.stmt.credentialsOf.all(facilityId, guardianId).map(credentialOf));
  }

  credentialUsed(credentialId: string, counter: number, now: Date): Promise<void> {
    return this.conn.run(() => {
      this.stmt.credentialUsed.run(counter, now.toISOString(), credentialId);
    });
  }

  createSession(sessionHash: Uint8Array, who: ParentIdentity, now: Date, expires: Date): Promise<void> {
    return this.conn.run(() => {
      this.stmt.insertSession.run(
        Buffer.from(sessionHash),
        who.facilityId,
        who.guardianId,
        now.toISOString(),
        expires.toISOString(),
      );
    });
  }

  touchSession(
    sessionHash: Uint8Array,
    now: Date,
    extendTo: Date,
  ): Promise<(ParentIdentity & { expires: Date }) | undefined> {
    return this.conn.run(() => {
      const hash = Buffer.from(sessionHash);
      const row = this.stmt.session.get(hash);
      if (row === undefined) return undefined;
      const expires = new Date(row.expires_at);
      if (expires.getTime() <= now.getTime()) {
        this.stmt.deleteSession.run(hash);
        return undefined;
      }
      const later = extendTo.getTime() > expires.getTime() ? extendTo : expires;
      if (later !== expires) this.stmt.extendSession.run(later.toISOString(), hash);
      return { facilityId: row.facility_id, guardianId: row.guardian_id, expires: later };
    });
  }

  deleteSession(sessionHash: Uint8Array): Promise<void> {
    return this.conn.run(() => {
      this.stmt.deleteSession.run(Buffer.from(sessionHash));
    });
  }

  putChallenge(
    challenge: string,
    purpose: ParentChallengePurpose,
    who: ParentIdentity | null,
    expires: Date,
  ): Promise<void> {
    return this.conn.run(() => {
      this.stmt.insertChallenge.run(
        challenge,
        purpose,
        who?.facilityId ?? null,
        who?.guardianId ?? null,
        expires.toISOString(),
      );
    });
  }

  takeChallenge(
    challenge: string,
    purpose: ParentChallengePurpose,
    now: Date,
  ): Promise<{ who: ParentIdentity | null } | undefined> {
    return this.conn.run(() => {
      const at = now.toISOString();
      const row = this.stmt.takeChallenge.get(challenge, purpose);
      // Abandoned ceremonies leave challenges behind: each take clears the expired ones.
      this.stmt.sweepChallenges.run(at);
      if (row === undefined || row.expires_at <= at) return undefined;
      const who =
        row.facility_id === null || row.guardian_id === null
          ? null
          : { facilityId: row.facility_id, guardianId: row.guardian_id };
      return { who };
    });
  }
}
