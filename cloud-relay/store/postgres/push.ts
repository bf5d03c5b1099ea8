import type { ParentIdentity } from '../parent-types.ts';
import type { ParentPushSubscription, PushStore, PushSubscriptionKeys, VapidKeyPair } from '../push-types.ts';
import {
  checkSubscription,
  SUBSCRIPTION_COLUMNS,
  subscriptionOf,
  vapidOf,
  type SubscriptionRow,
} from '../push.ts';
import { iso, type PgConnection } from './connection.ts';

/** Times come back as timestamptz (Date). */
type PgSubscriptionRow = Omit<SubscriptionRow, 'created_at' | 'last_success_at'> & {
  created_at: Date;
  last_success_at: Date | null;
};

function pgSubscriptionOf(row: PgSubscriptionRow): ParentPushSubscription {
  return subscriptionOf({
    ...row,
    created_at: row.created_at.toISOString(),
    last_success_at: iso(row.last_success_at),
  });
}

/** Web Push subscriptions and the VAPID keys (tables parent_push_subscriptions, push_vapid; migration 11) on PostgreSQL. */
export class PgPush implements PushStore {
  private readonly conn: PgConnection;

  constructor(conn: PgConnection) {
    this.conn = conn;
  }

  async subscribe(
    who: ParentIdentity,
    keys: PushSubscriptionKeys,
    now: Date,
    maxPerGuardian: number,
  ): Promise<boolean> {
    this.conn.checkOpen();
    checkSubscription(who, keys, maxPerGuardian);
    const { facilityId, guardianId } = who;
    return this.conn.transaction(async (client) => {
      // The row lock holds off a revocation (and a concurrent subscribe of the guardian) until the commit.
      const { rows } = await client.query<{ revoked: boolean }>(
        'SELECT revoked FROM parent_guardians WHERE facility_id = $1 AND guardian_id = $2 FOR UPDATE',
        [facilityId, guardianId],
      );
      const guardian = rows[0];
      if (guardian === undefined || guardian.revoked) return false;
      await client.query(
        `INSERT INTO parent_push_subscriptions AS s (facility_id, guardian_id, endpoint, p256dh, auth,
           created_at, last_success_at, failures)
         VALUES ($1, $2, $3, $4, $5, $6, NULL, 0)
         ON CONFLICT (facility_id, endpoint) DO UPDATE SET guardian_id = EXCLUDED.guardian_id,
           p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth, created_at = EXCLUDED.created_at,
           last_success_at = NULL, failures = 0`,
        [facilityId, guardianId, keys.endpoint, keys.p256dh, keys.auth, now.toISOString()],
      );
      // Keeps the new one and the newest maxPerGuardian - 1 others of the guardian.
      await client.query(
        `DELETE FROM parent_push_subscriptions
         WHERE facility_id = $1 AND guardian_id = $2 AND endpoint <> $3
           AND endpoint NOT IN (
             SELECT endpoint FROM parent_push_subscriptions
             WHERE facility_id = $1 AND guardian_id = $2 AND endpoint <> $3
             ORDER BY created_at DESC, endpoint DESC LIMIT $4)`,
        [facilityId, guardianId, keys.endpoint, maxPerGuardian - 1],
      );
      return true;
    });
  }

  async unsubscribe(who: ParentIdentity, endpoint: string): Promise<boolean> {
    this.conn.checkOpen();
    const { rowCount } = await this.conn.pool.query(
      'DELETE FROM parent_push_subscriptions WHERE facility_id = $1 AND guardian_id = $2 AND endpoint = $3',
      [who.facilityId, who.guardianId, endpoint],
    );
    return (rowCount ?? 0) > 0;
  }

  async subscriptionsOf(who: ParentIdentity): Promise<ParentPushSubscription[]> {
    this.conn.checkOpen();
    const { rows } = await this.conn.pool.query<PgSubscriptionRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM parent_push_subscriptions s WHERE s.facility_id = $1 AND s.guardian_id = $2
       ORDER BY s.created_at, s.endpoint`,
      [who.facilityId, who.guardianId],
    );
    return rows.map(pgSubscriptionOf);
  }

  async subscriptionsForChild(facilityId: string, childId: string): Promise<ParentPushSubscription[]> {
    this.conn.checkOpen();
    const { rows } = await this.conn.pool.query<PgSubscriptionRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM parent_push_subscriptions s
       JOIN parent_guardians g ON g.facility_id = s.facility_id AND g.guardian_id = s.guardian_id
       WHERE s.facility_id = $1 AND NOT g.revoked AND g.child_ids::jsonb @> jsonb_build_array($2::text)
       ORDER BY s.guardian_id, s.created_at, s.endpoint`,
      [facilityId, childId],
    );
    return rows.map(pgSubscriptionOf);
  }

  async pushDelivered(facilityId: string, endpoint: string, now: Date): Promise<void> {
    this.conn.checkOpen();
    await this.conn.pool.query(
      `UPDATE parent_push_subscriptions SET last_success_at = $1, failures = 0
       WHERE facility_id = $2 AND endpoint = $3`,
      [now.toISOString(), facilityId, endpoint],
    );
  }

  async pushFailed(facilityId: string, endpoint: string): Promise<void> {
    this.conn.checkOpen();
    await this.conn.pool.query(
      'UPDATE parent_push_subscriptions SET failures = failures + 1 WHERE facility_id = $1 AND endpoint = $2',
      [facilityId, endpoint],
    );
  }

  async removeEndpoint(facilityId: string, endpoint: string): Promise<boolean> {
    this.conn.checkOpen();
    const { rowCount } = await this.conn.pool.query(
      'DELETE FROM parent_push_subscriptions WHERE facility_id = $1 AND endpoint = $2',
      [facilityId, endpoint],
    );
    return (rowCount ?? 0) > 0;
  }

  async vapidKeys(candidate: VapidKeyPair, now: Date): Promise<VapidKeyPair> {
    this.conn.checkOpen();
    // Insert if absent, then read back: of several processes starting at once, the first insert wins and
    // every one of them reads that pair.
    await this.conn.pool.query(
      `INSERT INTO push_vapid (id, public_key, private_key, subject, created_at) VALUES (1, $1, $2, $3, $4)
       ON CONFLICT (id) DO NOTHING`,
      [candidate.publicKey, candidate.privateKey, candidate.subject, now.toISOString()],
    );
    const { rows } = await this.conn.pool.query<{ public_key: string; private_key: string; subject: string }>(
      'SELECT public_key, private_key, subject FROM push_vapid WHERE id = 1',
    );
    return vapidOf(rows[0]);
  }
}
