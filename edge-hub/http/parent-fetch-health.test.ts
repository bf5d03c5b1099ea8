import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminRecordsHealthSchema, type RelayHealth } from '../../protocol/admin.ts';
import { movableClock } from '../../test/support/clock.ts';
import { acceptAll, FakeCloud, json } from '../../test/support/fake-cloud.ts';
import { directorCookie, startAdminTestHub, type AdminTestHub } from '../../test/support/hub.ts';
import { until } from '../../test/support/wait.ts';

/**
 * /healthz and the admin app's records health while the hub cannot fetch parents' messages: the failing
 * run in `relay.parentMessages` at once (since its first failure, in the facility's zone), the warning
 * `parent_messages_stalled` only after two minutes of it, and both gone once the cloud answers again.
 */
describe("hub health: parents' messages not arriving", () => {
  let t: AdminTestHub;
  let cloud: FakeCloud;
  let cookie: string;
  /** The cloud answers 503 to GET /v1/hub/parent-messages while down; it takes everything else. */
  let down = true;
  const clock = movableClock('2026-04-01T10:02:00.000+09:00');

  beforeAll(async () => {
    cloud = new FakeCloud((req, res, body) => {
      const fetch = req.url?.startsWith('/v1/hub/parent-messages') === true;
      if (down && fetch) json(503, { error: { code: 'unavailable', message: 'down' } })(req, res, body);
      else acceptAll(req, res, body);
    });
    const url = await cloud.listen();
    t = await startAdminTestHub({
      // A guardian uses the parent app: without one, a failing fetch is nobody's concern (relay.test.ts).
      seed: (store) => {
        store.parentAccess.put('g001', {
          name: '山田 花子',
          childIds: ['c001'],
          invitation: null,
          revoked: false,
        });
      },
      options: {
        clock,
        cloud: { url, token: 'hub1.secret' },
        tuning: { rosterPollMs: 50, rollcallThrottleMs: 20, relay: { baseDelayMs: 5, maxDelayMs: 20 } },
      },
    });
    cookie = await directorCookie(t.base);
  });
  afterAll(async () => {
    await t.close();
    await cloud.close();
  });

  const healthz = async () =>
    (await (await fetch(`${t.base}/healthz`)).json()) as { relay: RelayHealth; warnings: string[] };
  const records = async () =>
    AdminRecordsHealthSchema.parse(
      await (await fetch(`${t.base}/api/admin/records-health`, { headers: { cookie } })).json(),
    );
  const failing = {
    parentMessages: { failingSince: '2026-04-01T10:02:00.000+09:00', reason: 'HTTP 503 unavailable' },
  };

  it('reports the failing fetch at once, and warns once it has failed for over two minutes', async () => {
    const first = await until(async () => {
      const h = await healthz();
      return h.relay.configured && h.relay.parentMessages !== undefined && h;
    }, 'the failing fetch in /healthz');
    expect(first.relay).toMatchObject({
      ...failing,
      // The relay itself gets through: the failing fetch is its error to show, as before.
      lastError: { reason: 'parent_messages: HTTP 503 unavailable' },
    });
    expect(first.warnings).toEqual([]);

    clock.set('2026-04-01T10:04:00.000+09:00');
    expect((await healthz()).warnings).toEqual([]);
    expect((await records()).warnings).toEqual([]);

    clock.set('2026-04-01T10:04:01.000+09:00');
    const late = await healthz();
    expect(late.relay).toMatchObject(failing);
    expect(late.warnings).toEqual(['parent_messages_stalled']);
    const admin = await records();
    expect(admin.relay).toMatchObject(failing);
    expect(admin.warnings).toEqual(['parent_messages_stalled']);
  });

  it('clears the field and the warning once the cloud answers again', async () => {
    down = false;
    const answered = await until(async () => {
      const h = await healthz();
      return h.relay.configured && h.relay.parentMessages === undefined && h;
    }, 'the fetch answered');
    expect(answered.warnings).toEqual([]);
    expect(answered.relay).toMatchObject({ lastError: null });
    const admin = await records();
    expect(admin.relay).not.toHaveProperty('parentMessages');
    expect(admin.warnings).toEqual([]);
  });
});
