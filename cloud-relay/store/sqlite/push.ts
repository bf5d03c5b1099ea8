import type { Db } from '../../../common/sqlite.ts';
import type { ParentIdentity } from '../parent-types.ts';
import type { ParentPushSubscription, PushStore, PushSubscriptionKeys, VapidKeyPair } from '../push-types.ts';
import {
  checkSubscription,
  SUBSCRIPTION_COLUMNS,
  subscriptionOf,
  vapidOf,
  type SubscriptionRow,
} from '../push.ts';
import { SqliteAggregate } from './aggregate.ts';

/** The aggregate's statements, prepared once on the connection's database. */
function statements(db: Db) {
  return {
    guardian: db.prepare<[string, string], { revoked: number }>(
      'SELECT revoked FROM parent_guardians WHERE facility_id = ? AND guardian_id = ?',
    ),
    upsert: db.prepare<
      [{ f: string; g: string; endpoint: string; p256dh: string; auth: string; now: string }]
    >(
      `INSERT INTO parent_push_subscriptions (facility_id, guardian_id, endpoint, p256dh, auth, created_at,
         last_success_at, failures)
       VALUES (@f, @g, @endpoint, @p256dh, @auth, @now, NULL, 0)
       ON CONFLICT (facility_id, endpoint) DO UPDATE SET guardian_id = excluded.guardian_id,
         p256dh = excluded.p256dh, auth = excluded.auth, created_at = excluded.created_at,
         last_success_at = NULL, failures = 0`,
    ),
    // Keeps the new one and the newest `keep` others of the guardian.
    trim: db.prepare<[{ f: string; g: string; endpoint: string; keep: number }]>(
      `DELETE FROM parent_push_subscriptions
       WHERE facility_id = @f AND guardian_id = @g AND endpoint <> @endpoint
         AND endpoint NOT IN (
           SELECT endpoint FROM parent_push_subscriptions
           WHERE facility_id = @f AND guardian_id = @g AND endpoint <> @endpoint
           ORDER BY created_at DESC, endpoint DESC LIMIT @keep)`,
    ),
    unsubscribe: db.prepare<[string, string, string]>(
      'DELETE FROM parent_push_subscriptions WHERE facility_id = ? AND guardian_id = ? AND endpoint = ?',
    ),
    of: db.prepare<[string, string], SubscriptionRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM parent_push_subscriptions s WHERE s.facility_id = ? AND s.guardian_id = ?
       ORDER BY s.created_at, s.endpoint`,
    ),
    forChild: db.prepare<[string, string], SubscriptionRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM parent_push_subscriptions s
       JOIN parent_guardians g ON g.facility_id = s.facility_id AND g.guardian_id = s.guardian_id
       WHERE s.facility_id = ? AND g.revoked = 0
         AND EXISTS (SELECT 1 FROM json_each(g.child_ids) c WHERE c.value = ?)
       ORDER BY s.guardian_id, s.created_at, s.endpoint`,
    ),
    delivered: db.prepare<[string, string, string]>(
      `UPDATE parent_push_subscriptions SET last_success_at = ?, failures = 0
       WHERE facility_id = ? AND endpoint = ?`,
    ),
    failed: db.prepare<[string, string]>(
      'UPDATE parent_push_subscriptions SET failures = failures + 1 WHERE facility_id = ? AND endpoint = ?',
    ),
    remove: db.prepare<[string, string]>(
      'DELETE FROM parent_push_subscriptions WHERE facility_id = ? AND endpoint = ?',
    ),
    insertVapid: db.prepare<[string, string, string, string]>(
      `INSERT INTO push_vapid (id, public_key, private_key, subject, created_at) VALUES (1, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
    ),
    vapid: db.prepare<[], { public_key: string; private_key: string; subject: string }>(
      'SELECT public_key, private_key, subject FROM push_vapid WHERE id = 1',
    ),
  };
}

/** Web Push subscriptions and the VAPID keys (tables parent_push_subscriptions, push_vapid; migration 11) on SQLite. */
export class SqlitePush extends SqliteAggregate implements PushStore {
  private readonly stmt = statements(this.conn.db);

  subscribe(
    who: ParentIdentity,
    keys: PushSubscriptionKeys,
    now: Date,
    maxPerGuardian: number,
  ): Promise<boolean> {
    return this.conn.run(() => {
      checkSubscription(who, keys, maxPerGuardian);
      const f = who.facilityId;
      const g = who.guardianId;
      return this.conn.db
        .transaction(() => {
          const guardian = this.stmt.guardian.get(f, g);
          if (guardian === undefined || guardian.revoked === 1) return false;
          const { endpoint, p256dh, auth } = keys;
          this.stmt.upsert.run({ f, g, endpoint, p256dh, auth, now: now.toISOString() });
          this.stmt.trim.run({ f, g, endpoint, keep: maxPerGuardian - 1 });
          return true;
        })
        .immediate();
    });
  }

  unsubscribe(who: ParentIdentity, endpoint: string): Promise<boolean> {
    return this.conn.run(
      () => this.stmt.unsubscribe.run(who.facilityId, who.guardianId, endpoint).changes > 0,
    );
  }

  subscriptionsOf(who: ParentIdentity): Promise<ParentPushSubscription[]> {
    return this.conn.run(() => this.stmt.of.all(who.facilityId, who.guardianId).map(subscriptionOf));
  }

  subscriptionsForChild(facilityId: string, childId: string): Promise<ParentPushSubscription[]> {
    return this.conn.run(() => this.stmt.forChild.all(facilityId, childId).map(subscriptionOf));
  }

  pushDelivered(facilityId: string, endpoint: string, now: Date): Promise<void> {
    return this.conn.run(() => {
      this.stmt.delivered.run(now.toISOString(), facilityId, endpoint);
    });
  }

  pushFailed(facilityId: string, endpoint: string): Promise<void> {
    return this.conn.run(() => {
      this.stmt.failed.run(facilityId, endpoint);
    });
  }

  removeEndpoint(facilityId: string, endpoint: string): Promise<boolean> {
    return this.conn.run(() => this.stmt.remove.run(facilityId, endpoint).changes > 0);
  }

  vapidKeys(candidate: VapidKeyPair, now: Date): Promise<VapidKeyPair> {
    return this.conn.run(() =>
      this.conn.db
        .transaction(() => {
          this.stmt.insertVapid.run(
            candidate.publicKey,
            candidate.privateKey,
            candidate.subject,
            now.toISOString(),
          );
          // The row was just inserted or already there: the same transaction cannot miss it.
          return vapidOf(this.stmt.vapid.get());
        })
        .immediate(),
    );
  }
}
