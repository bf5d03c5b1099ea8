import { beforeEach, describe, expect, it } from 'vitest';
import { movableClock } from '../../test/support/clock.ts';
import { useTempHubStore } from '../../test/support/hub.ts';
import { testNotice } from '../../test/support/parent-cloud.ts';
import { HubStore } from './hub-store.ts';

/** Parents' notices at the hub: stored once, confirmed once, relayed, retained; the fetch cursor; cut-offs. */

const N1 = '11111111-1111-4111-8111-111111111111';
const N2 = '22222222-2222-4222-8222-222222222222';
const N3 = '33333333-3333-4333-8333-333333333333';

describe('parent notice store', () => {
  let store: HubStore;
  let dir: string;
  const clock = movableClock('2026-04-01T08:00:00.000+09:00');
  beforeEach(() => {
    clock.set('2026-04-01T08:00:00.000+09:00');
  });
  useTempHubStore(
    (opened, openedIn) => {
      store = opened;
      dir = openedIn;
    },
    { clock },
  );

  it('stores a notice once by id and reads it back as sent', () => {
    const notice = testNotice({
      id: N1,
      childIds: ['c001', 'c002'],
      until: '2026-04-03',
      symptoms: ['fever', 'cough'],
      temperature: 38.2,
      note: '朝から熱',
    });
    expect(store.parentNotices.insert(notice)).toBe(true);
    expect(store.parentNotices.insert({ ...notice, note: 'changed' })).toBe(false);
    expect(store.parentNotices.get(N1)).toEqual({
      notice,
      readBy: null,
      readRelayed: false,
      receivedAt: '2026-03-31T23:00:00.000Z',
    });
    const late = testNotice({ id: N2, kind: 'late', reason: 'family', arriveAt: '10:30' });
    store.parentNotices.insert(late);
    expect(store.parentNotices.get(N2)?.notice).toEqual(late);
    expect(store.parentNotices.get(N3)).toBeUndefined();
  });

  it('lists the notices of a day: covering it or later, and those confirmed that day', () => {
    store.parentNotices.insert(testNotice({ id: N1, date: '2026-03-30', until: '2026-03-31' }));
    store.parentNotices.insert(testNotice({ id: N2, date: '2026-04-01', until: '2026-04-02' }));
    store.parentNotices.insert(testNotice({ id: N3, date: '2026-03-31' }));
    const ids = () =>
      store.parentNotices
        .forDay('2026-04-01')
        .map((r) => r.notice.id)
        .sort();
    expect(ids()).toEqual([N2]);
    // Confirmed this morning (local day): listed although it is over.
    store.parentNotices.markRead(N3, 's1');
    expect(ids()).toEqual([N2, N3]);
    // Confirmed yesterday evening (local): not listed.
    clock.set('2026-03-31T23:59:00.000+09:00');
    store.parentNotices.markRead(N1, 's1');
    expect(ids()).toEqual([N2, N3]);
  });

  it('keeps the first confirmation and relays each once, with the facility offset', () => {
    store.parentNotices.insert(testNotice({ id: N1 }));
    store.parentNotices.insert(testNotice({ id: N2 }));
    const first = store.parentNotices.markRead(N1, 's1');
    expect(first?.first).toBe(true);
    expect(first?.record).toMatchObject({
      readBy: 's1',
      readRelayed: false,
      notice: { status: 'read', readAt: '2026-04-01T08:00:00.000+09:00' },
    });
    clock.set('2026-04-01T09:00:00.000+09:00');
    const again = store.parentNotices.markRead(N1, 's2');
    expect(again?.first).toBe(false);
    expect(again?.record).toMatchObject({
      readBy: 's1',
      notice: { readAt: '2026-04-01T08:00:00.000+09:00' },
    });
    expect(store.parentNotices.markRead(N3, 's1')).toBeUndefined();

    store.parentNotices.markRead(N2, 's2');
    expect(store.parentNotices.unrelayedReads(10)).toEqual([
      { id: N1, readAt: '2026-04-01T08:00:00.000+09:00' },
      { id: N2, readAt: '2026-04-01T09:00:00.000+09:00' },
    ]);
    expect(store.parentNotices.unrelayedReads(1)).toHaveLength(1);
    store.parentNotices.markReadsRelayed([N1]);
    expect(store.parentNotices.unrelayedReads(10).map((r) => r.id)).toEqual([N2]);
    expect(store.parentNotices.get(N1)?.readRelayed).toBe(true);
  });

  it('deletes the notices whose last day is before a date', () => {
    store.parentNotices.insert(testNotice({ id: N1, date: '2026-03-30', until: '2026-03-31' }));
    store.parentNotices.insert(testNotice({ id: N2, date: '2026-03-31', until: '2026-04-01' }));
    expect(store.transaction(() => store.parentNotices.deleteBefore('2026-04-01'))).toBe(1);
    expect(store.parentNotices.get(N1)).toBeUndefined();
    expect(store.parentNotices.get(N2)).toBeDefined();
  });

  it('keeps the fetch cursor across a reopen', () => {
    expect(store.parentNotices.messagesCursor()).toBe(0);
    store.parentNotices.setMessagesCursor(42);
    store.close();
    const reopened = HubStore.open(dir, { clock });
    try {
      expect(reopened.parentNotices.messagesCursor()).toBe(42);
    } finally {
      reopened.close();
    }
  });

  it('versions the cut-offs for the cloud: a new version only when they change', () => {
    expect(store.parentNotices.settingsUpload()).toEqual({ version: 0, content: null, relayedVersion: 0 });
    const content = { defaultCutoff: '10:00', classCutoffs: { k1: '09:30' } };
    expect(store.parentNotices.putSettings(content)).toBe(1);
    expect(store.parentNotices.putSettings({ ...content, classCutoffs: { k1: '09:30' } })).toBe(1);
    store.parentNotices.markSettingsRelayed(1);
    expect(store.parentNotices.settingsUpload()).toEqual({ version: 1, content, relayedVersion: 1 });
    expect(store.parentNotices.putSettings({ ...content, defaultCutoff: '09:00' })).toBe(2);
    expect(store.parentNotices.settingsUpload().relayedVersion).toBe(1);
    // The cloud holds a later version (a restored hub): the same content goes again as version 3.
    expect(store.parentNotices.bumpSettings(2)).toBe(true);
    expect(store.parentNotices.bumpSettings(2)).toBe(false);
    expect(store.parentNotices.settingsUpload()).toMatchObject({
      version: 3,
      content: { defaultCutoff: '09:00' },
    });
  });
});
