import { describe, expect, it } from 'vitest';
import { PickupPeopleUploadSchema } from '../../protocol/parent-pickups.ts';
import { acceptAll, json, type Handler } from '../../test/support/fake-cloud.ts';
import { ROSTER_HEADER, TEST_ROSTER, useTempHubStore } from '../../test/support/hub.ts';
import { useRelayToFakeCloud } from '../../test/support/relay.ts';
import { until } from '../../test/support/wait.ts';
import { importRoster } from '../facility/roster.ts';
import type { HubStore } from '../store/hub-store.ts';
import { inviteParent } from './invite.ts';

/**
 * Children's pickup lists on their way to the cloud (PUT /v1/hub/pickup-people/CHILD): only for children
 * of guardians with parent access, versioned, again on each change (the admin's, a roster import),
 * retried after a failure, and sent again with the next version when the cloud holds a later one.
 */

const CLI = { kind: 'cli', id: null } as const;

describe('pickup list relay', () => {
  let store: HubStore;
  useTempHubStore(
    (opened) => {
      store = opened;
    },
    { roster: TEST_ROSTER },
  );
  const hub = useRelayToFakeCloud();
  const startRelay = (handler: Handler) => hub.start(store, handler);
  const puts = () =>
    (hub.cloud?.received ?? [])
      .filter((r) => r.url.startsWith('/v1/hub/pickup-people/'))
      .map((r) => ({ url: r.url, auth: r.auth, body: PickupPeopleUploadSchema.parse(r.body) }));
  const relayed = () => store.pickups.unrelayedUploads(10).length === 0;

  it('sends nothing before a guardian has parent access, then each child, then each change once', async () => {
    store.pickups.addPerson({ childId: 'c001', name: '山田 梅子', relation: '祖母', photo: null });
    await startRelay(acceptAll);
    // Give the relay a few idle steps: nothing is due.
    await until(
      () => (hub.cloud?.received.length ?? 0) === 0 && hub.relay?.health().lastError === null,
      'idle',
    );
    expect(puts()).toEqual([]);

    inviteParent(store, 'g001', { parentUrl: 'https://cloud.example', actor: CLI });
    await until(() => puts().length === 2 && relayed(), 'both children relayed');
    const byUrl = new Map(puts().map((p) => [p.url, p]));
    expect(byUrl.get('/v1/hub/pickup-people/c001')).toMatchObject({
      auth: 'Bearer hub1.secret',
      body: {
        version: 1,
        people: [
          { id: 'g001', kind: 'guardian', name: '山田 花子', relation: '', hasPhoto: false },
          { kind: 'person', name: '山田 梅子', relation: '祖母', hasPhoto: false },
        ],
      },
    });
    expect(byUrl.get('/v1/hub/pickup-people/c002')?.body.people.map((p) => p.id)).toEqual(['g001']);

    // The admin adds a photo: c001 goes again with version 2, c002 does not.
    const [person] = store.pickups.people('c001');
    if (person === undefined) throw new Error('no person');
    store.pickups.updatePerson(person.id, {
      name: person.name,
      relation: person.relation,
      photo: { data: Buffer.from([0xff, 0xd8, 0xff, 0]), type: 'image/jpeg' },
    });
    await until(() => puts().length === 3 && relayed(), 'the change relayed');
    expect(puts()[2]).toMatchObject({ url: '/v1/hub/pickup-people/c001', body: { version: 2 } });
    expect(puts()[2]?.body.people[1]?.hasPhoto).toBe(true);

    // A roster import renames the guardian: both lists go again.
    importRoster(
      store,
      [
        ROSTER_HEADER,
        'k1,ひよこ組,c001,山田 太郎,やまだ たろう,g001,山田 華子,04A23B4C',
        'k1,ひよこ組,c002,山田 次郎,やまだ じろう,g001,山田 華子,',
      ].join('\n'),
    );
    await until(() => puts().length === 5 && relayed(), 'the roster change relayed');
    expect(
      puts()
        .slice(3)
        .map((p) => p.body.people[0]?.name),
    ).toEqual(['山田 華子', '山田 華子']);
  });

  it('retries a failed upload, and sends the next version when the cloud holds a later one', async () => {
    inviteParent(store, 'g001', { parentUrl: 'https://cloud.example', actor: CLI });
    let calls = 0;
    await startRelay((req, res, body) => {
      if (req.url === '/v1/hub/pickup-people/c001') {
        calls++;
        if (calls === 1) {
          json(503, { error: { code: 'overloaded', message: 'busy' } })(req, res, body);
          return;
        }
        if (calls === 2) {
          json(200, { stored: false })(req, res, body);
          return;
        }
      }
      acceptAll(req, res, body);
    });
    await until(() => relayed() && calls >= 3, 'c001 taken at last');
    const versions = puts()
      .filter((p) => p.url.endsWith('/c001'))
      .map((p) => p.body.version);
    expect(versions).toEqual([1, 1, 2]);
    expect(hub.relay?.health().lastError).toBeNull();
  });
});
