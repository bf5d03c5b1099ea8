import type { Clock } from '../../common/time.ts';
import { decodePairingPayload, TabletRollcallSchema, type TabletRollcall } from '../../protocol/index.ts';
import { issuePairingCode } from '../../edge-hub/access/pairing.ts';
import { addStaff } from '../../edge-hub/access/staff-accounts.ts';
import type { RunningHubWithPlain } from '../../edge-hub/hub.ts';
import { HubStore } from '../../edge-hub/store/hub-store.ts';
import { provision, removeDir, startTestHub, type TestSite } from './hub.ts';
import { ParentMessagesCloud } from './parent-cloud.ts';

/** The staff member signed in on the test tablet of startParentTestHub. */
export const PARENT_HUB_STAFF = { id: 's1', name: '保育 一郎', pin: '2468' } as const;

/** A running hub fetching parents' messages from a stand-in cloud, with a tablet signed in. */
export interface ParentTestHub {
  site: TestSite;
  hub: RunningHubWithPlain;
  /** The hub's store, from another connection (as the CLI would). */
  store: HubStore;
  cloud: ParentMessagesCloud;
  base: string;
  /** The tablet tab-1's device and staff session cookies. */
  cookies: string[];
  /** The tablet's roll-call, as tab-1 reads it. */
  tabletRollcall(): Promise<TabletRollcall>;
  /** Closes the store, the hub and the cloud, and removes the site. */
  close(): Promise<void>;
}

/**
 * The hub tests of parents' messages (notices-hub, pickups-hub): a site with one kiosk, staff s1, `seed`
 * writing the store before the hub starts, the hub on `clock` with a ParentMessagesCloud and quick
 * tunings, and tablet tab-1 set up (an in-process pairing code) and signed in as s1.
 */
export async function startParentTestHub(setup: {
  clock: Clock;
  seed?: (store: HubStore) => void;
}): Promise<ParentTestHub> {
  const { clock } = setup;
  const site = await provision(1);
  const seeding = HubStore.open(site.dir);
  try {
    await addStaff(seeding, PARENT_HUB_STAFF);
    setup.seed?.(seeding);
  } finally {
    seeding.close();
  }
  const cloud = new ParentMessagesCloud();
  const hub = await startTestHub(site, {
    clock,
    cloud: { url: await cloud.listen(), token: 'hub1.secret' },
    tuning: {
      rosterPollMs: 50,
      rollcallThrottleMs: 20,
      tabletPush: { coalesceMs: 20, sessionCheckMs: 30 },
      relay: { baseDelayMs: 5, maxDelayMs: 20, configErrorDelayMs: 20, pollIntervalMs: 1000 },
      parentMessages: { waitS: 2, minIntervalMs: 20 },
    },
  });
  const store = HubStore.open(site.dir);
  const base = `http://127.0.0.1:${hub.ports.http}`;

  const issued = await issuePairingCode(store, 'tab-1', { hubUrl: base, role: 'tablet', clock });
  const code = decodePairingPayload(issued.payload)?.code;
  const device = await fetch(`${base}/api/tablet/device`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ deviceId: 'tab-1', code }),
  });
  const deviceCookie = (device.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const session = await fetch(`${base}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: deviceCookie },
    body: JSON.stringify({ staffId: PARENT_HUB_STAFF.id, pin: PARENT_HUB_STAFF.pin }),
  });
  const cookies = [deviceCookie, (session.headers.get('set-cookie') ?? '').split(';')[0] ?? ''];
  return {
    site,
    hub,
    store,
    cloud,
    base,
    cookies,
    tabletRollcall: async () =>
      TabletRollcallSchema.parse(
        await (
          await fetch(`${base}/api/tablet/rollcall`, {
            headers: { cookie: cookies.join('; '), origin: base },
          })
        ).json(),
      ),
    close: async () => {
      store.close();
      await hub.close();
      await cloud.close();
      await removeDir(site.dir);
    },
  };
}
