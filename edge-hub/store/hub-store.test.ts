import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../common/passwords.ts';
import { makeEvent, removeDir, tempDir, useTempHubStore } from '../../test/support/hub.ts';
import { addDevice, checkAdminToken, hashAdminToken, verifyDevice } from '../access/devices.ts';
import { openHubEventStore } from './event-store.ts';
import { HubStore } from './hub-store.ts';

describe('HubStore', () => {
  let dir: string;
  let store: HubStore;
  useTempHubStore((opened, at) => {
    store = opened;
    dir = at;
  });

  it('creates the facility row with a credential key and no facility until the hub claims one', () => {
    const meta = store.facility.meta();
    expect(meta).toMatchObject({
      facilityId: null,
      timeZone: 'Asia/Tokyo',
      rosterVersion: 0,
      adminTokenHash: null,
    });
    expect(Buffer.from(meta.credentialKey, 'base64')).toHaveLength(32);
  });

  it('fixes the facility on the first claim and refuses another one later', () => {
    expect(store.facility.claimFacility('f1', 'Sakura')).toBe('f1');
    expect(store.facility.claimFacility()).toBe('f1');
    expect(store.facility.claimFacility('f1')).toBe('f1');
    expect(store.facility.meta()).toMatchObject({ facilityId: 'f1', facilityName: 'Sakura' });
    expect(() => store.facility.claimFacility('f2')).toThrow(/belongs to facility "f1", not "f2"/);
    expect(() => store.facility.claimFacility('bad/id')).toThrow(/not a valid facility id/);
  });

  it('defaults the facility to demo', () => {
    expect(store.facility.claimFacility()).toBe('demo');
    expect(store.facility.meta().facilityName).toBe('demo');
  });

  it('refuses to reopen with another time zone', () => {
    store.close();
    expect(() => HubStore.open(dir, { timeZone: 'Europe/Paris' })).toThrow(/time zone Asia\/Tokyo/);
    store = HubStore.open(dir, { timeZone: 'Asia/Tokyo' });
  });

  it('files events under the business day of the facility time zone', () => {
    const e = makeEvent({ occurredAt: '2026-03-31T15:30:00Z' });
    const out = store.events.insertEvents([e, e]);
    expect(out.inserted).toEqual([{ event: e, localDate: '2026-04-01' }]);
    expect(out.duplicates).toEqual([e.id]);
    expect(store.events.eventsOn('2026-04-01')).toEqual([e]);
  });

  it('lists events after a relay cursor and advances it', () => {
    const events = [makeEvent(), makeEvent(), makeEvent()];
    store.events.insertEvents(events);
    expect(store.outbox.eventsAfter(0, 2).map((r) => r.hubSeq)).toEqual([1, 2]);
    store.outbox.advanceRelay(2, [{ id: events[1]?.id ?? '', hubSeq: 2, code: 'x', message: 'y' }]);
    expect(store.outbox.relayCursor()).toBe(2);
    expect(store.outbox.eventsAfter(store.outbox.relayCursor(), 500).map((r) => r.event)).toEqual([
      events[2],
    ]);
    store.outbox.advanceRelay(1, []); // never moves back
    expect(store.outbox.relayCursor()).toBe(2);
  });
});

describe('openHubEventStore', () => {
  it('refuses an invalid event with a typed error and stores nothing of the call', async () => {
    const dir = await tempDir();
    const events = openHubEventStore(dir, 'Asia/Tokyo');
    try {
      const good = makeEvent();
      const bad = { ...makeEvent(), type: 'teleport' } as unknown as typeof good;
      await expect(events.insertEvents([good, bad])).rejects.toMatchObject({ code: 'invalid_event' });
      expect(await events.countEvents()).toBe(0);
    } finally {
      await events.close();
      await removeDir(dir);
    }
  });
});

describe('device credentials', () => {
  let store: HubStore;
  useTempHubStore((opened) => {
    store = opened;
  });

  it('hashes passwords with scrypt and a salt', async () => {
    const a = await hashPassword('secret', 'chosen');
    const b = await hashPassword('secret', 'chosen');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('secret', a)).toBe(true);
    expect(await verifyPassword('Secret', a)).toBe(false);
    expect(await verifyPassword('secret', 'garbage')).toBe(false);
  });

  it('adds a device with a random password and rotates it when added again', async () => {
    const first = await addDevice(store, 'kiosk-1', 'kiosk');
    expect(first.deviceId).toBe('kiosk-1');
    expect(first.password).toMatch(/^[\w-]{32}$/);
    expect(store.devices.devicePasswordHash('kiosk-1')).not.toContain(first.password);
    expect(await verifyDevice(store, 'kiosk-1', first.password)).toBe(true);
    const second = await addDevice(store, 'kiosk-1', 'tablet');
    expect(second.password).not.toBe(first.password);
    expect(await verifyDevice(store, 'kiosk-1', first.password)).toBe(false);
    expect(await verifyDevice(store, 'kiosk-1', second.password)).toBe(true);
    expect(await verifyDevice(store, 'kiosk-2', second.password)).toBe(false);
  });

  it('redoes a device password hash made at the old cost once, unless the password changed meanwhile', async () => {
    const device = await addDevice(store, 'kiosk-1', 'kiosk');
    expect(store.devices.devicePasswordHash('kiosk-1')).toMatch(/^scrypt\$1024\$/);
    const old = await hashPassword(device.password, 'chosen');
    store.devices.upsertDevice('kiosk-1', 'kiosk', old);
    expect(await verifyDevice(store, 'kiosk-1', device.password)).toBe(true);
    expect(store.devices.devicePasswordHash('kiosk-1')).toMatch(/^scrypt\$1024\$/);
    expect(await verifyDevice(store, 'kiosk-1', device.password)).toBe(true);
    // A pairing that changed the password wins over a rehash of the old one.
    expect(store.devices.replacePasswordHash('kiosk-1', old, 'scrypt$stale')).toBe(false);
  });

  it('refuses bad device ids and roles', async () => {
    await expect(addDevice(store, 'kiosk/1', 'kiosk')).rejects.toMatchObject({ code: 'bad_device_id' });
    await expect(addDevice(store, 'k', 'printer' as 'kiosk')).rejects.toMatchObject({ code: 'bad_role' });
  });

  it('checks admin tokens against their hash', () => {
    const hash = hashAdminToken('token');
    expect(hash).not.toContain('token');
    expect(checkAdminToken('token', hash)).toBe(true);
    expect(checkAdminToken('token2', hash)).toBe(false);
  });
});
