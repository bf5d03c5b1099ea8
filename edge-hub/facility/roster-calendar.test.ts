import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../common/time.ts';
import { snapshotOn } from './history.ts';
import { importRoster } from './roster.ts';
import type { RunningHub } from '../hub.ts';
import { HubStore } from '../store/hub-store.ts';
import { provision, removeDir, ROSTER_HEADER, startTestHub, type TestSite } from '../../test/support/hub.ts';
import { until } from '../../test/support/wait.ts';

/** The running hub's roster follows the calendar: a scheduled import takes over on its day, unattended. */
describe('hub roster calendar', () => {
  let site: TestSite | undefined;
  let hub: RunningHub | undefined;
  afterEach(async () => {
    await hub?.close();
    if (site) await removeDir(site.dir);
    hub = undefined;
    site = undefined;
  });

  it('switches to a scheduled roster at midnight of its day, and names the facility from today', async () => {
    let now = new Date('2026-03-31T23:59:00+09:00');
    const clock: Clock = { now: () => now };
    site = await provision(0);
    const store = HubStore.open(site.dir, { clock });
    try {
      const april = [ROSTER_HEADER, 'k1,ひよこ組,c100,新入 一,しんにゅう いち,g100,新入 親,'].join('\n');
      expect(importRoster(store, april, '2026-04-01').version).toBe(1);
    } finally {
      store.close();
    }
    hub = await startTestHub(site, { clock, facilityName: 'ひまわり園' });
    const rollcall = async () => {
      const res = await fetch(`http://127.0.0.1:${String(hub?.ports.http)}/api/rollcall`, {
        headers: { authorization: 'Bearer test-admin-token' },
      });
      const body = (await res.json()) as { classes: { children: { id: string }[] }[] };
      return body.classes.flatMap((c) => c.children.map((child) => child.id)).sort();
    };
    expect(await rollcall()).toEqual(['c001', 'c002', 'c003', 'c004']);

    now = new Date('2026-04-01T00:00:05+09:00');
    await until(
      async () => JSON.stringify(await rollcall()) === JSON.stringify(['c100']),
      "the hub's roll-call to show the April roster",
    );
    await hub.close();
    hub = undefined;

    const after = HubStore.open(site.dir, { clock });
    try {
      expect(after.roster.rosterVersion()).toBe(2);
      // Named on the 31st: the days before keep the id as the name, the April version (issued before the
      // hub was named) has the name too.
      expect(snapshotOn(after, 'f1', 'Asia/Tokyo', '2026-03-30').facilityName).toBe('f1');
      expect(snapshotOn(after, 'f1', 'Asia/Tokyo', '2026-03-31').facilityName).toBe('ひまわり園');
      expect(snapshotOn(after, 'f1', 'Asia/Tokyo', '2026-04-01').facilityName).toBe('ひまわり園');
      expect(snapshotOn(after, 'f1', 'Asia/Tokyo', '2026-04-01').children.map((c) => c.id)).toEqual(['c100']);
    } finally {
      after.close();
    }
  });
});
