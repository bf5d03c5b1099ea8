import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../common/time.ts';
import { DeviceStatusTracker } from './device-status.ts';

const DEVICES = [
  { id: 'kiosk-1', role: 'kiosk' as const },
  { id: 'tab-1', role: 'tablet' as const },
];
const iso = (d: Date) => d.toISOString();

describe('DeviceStatusTracker', () => {
  it('lists devices never seen as offline with nothing known', () => {
    const t = new DeviceStatusTracker({ clock: fixedClock('2026-04-01T00:00:00Z') });
    expect(t.list(DEVICES, iso)).toEqual([
      {
        id: 'kiosk-1',
        role: 'kiosk',
        online: false,
        lastSeen: null,
        outbox: null,
        version: null,
        readers: null,
      },
      {
        id: 'tab-1',
        role: 'tablet',
        online: false,
        lastSeen: null,
        outbox: null,
        version: null,
        readers: null,
      },
    ]);
  });

  it('keeps the reported outbox, version and readers, and goes offline on the last will', () => {
    const t = new DeviceStatusTracker({ clock: fixedClock('2026-04-01T00:00:00Z') });
    t.connected('kiosk-1');
    const status = {
      online: true,
      outbox: 3,
      version: '0.1.0',
      readers: [
        { name: 'pcsc', attached: false },
        { name: 'stdin', attached: true },
      ],
    };
    t.status('kiosk-1', Buffer.from(JSON.stringify(status)));
    expect(t.list(DEVICES, iso)[0]).toMatchObject({
      online: true,
      outbox: 3,
      version: '0.1.0',
      readers: status.readers,
    });
    t.status('kiosk-1', Buffer.from('{"online":false}'));
    expect(t.list(DEVICES, iso)[0]?.online).toBe(false);
    // A payload that is not a status changes nothing.
    t.status('kiosk-1', Buffer.from('{"online":"yes"}'));
    expect(t.list(DEVICES, iso)[0]).toMatchObject({ online: false, outbox: null });
  });

  it('stays online when a reconnection opens before the old connection closes', () => {
    const t = new DeviceStatusTracker({ clock: fixedClock('2026-04-01T00:00:00Z') });
    t.connected('kiosk-1');
    t.connected('kiosk-1');
    t.disconnected('kiosk-1');
    expect(t.list(DEVICES, iso)[0]?.online).toBe(true);
    t.disconnected('kiosk-1');
    expect(t.list(DEVICES, iso)[0]?.online).toBe(false);
  });
  it('applies the signals the bus carries like the calls they stand for', () => {
    let now = new Date('2026-04-01T00:00:00Z');
    const t = new DeviceStatusTracker({ clock: { now: () => now } });
    t.apply({ deviceId: 'kiosk-1', kind: 'connected' });
    t.apply({ deviceId: 'kiosk-1', kind: 'status', payload: '{"online":true,"outbox":2}' });
    expect(t.list(DEVICES, iso)[0]).toMatchObject({ online: true, outbox: 2 });
    now = new Date('2026-04-01T00:01:00Z');
    t.apply({ deviceId: 'tab-1', kind: 'active' });
    expect(t.list(DEVICES, iso)[1]).toMatchObject({ online: false, lastSeen: '2026-04-01T00:01:00.000Z' });
    t.apply({ deviceId: 'kiosk-1', kind: 'disconnected' });
    expect(t.list(DEVICES, iso)[0]).toMatchObject({ online: false, lastSeen: '2026-04-01T00:01:00.000Z' });
  });
});
