import type { Clock } from '../common/time.ts';
import type { AdminDevice } from '../protocol/admin.ts';
import { StatusSchema } from '../protocol/index.ts';
import type { DeviceRole } from './store.ts';

interface Seen {
  /** Open MQTT connections: a reconnecting device's new connection can open before its old one closes. */
  connections: number;
  /** The device's own last status message (retained on …/devices/D/status). */
  reported:
    | { online: boolean; outbox?: number; version?: string; readers?: { name: string; attached: boolean }[] }
    | undefined;
  lastSeen: Date;
}

/**
 * What the broker last heard of each device, in memory (a restarted hub learns again as devices
 * reconnect and republish their retained status): connects and disconnects, status messages and event
 * batches. A device is online while it is connected and its last status does not say otherwise (its
 * MQTT last will publishes online: false when the connection drops uncleanly).
 */
export class DeviceStatusTracker {
  private readonly seen = new Map<string, Seen>();
  private readonly clock: Clock;

  constructor(options: { clock: Clock }) {
    this.clock = options.clock;
  }

  connected(deviceId: string): void {
    this.entry(deviceId).connections++;
  }

  disconnected(deviceId: string): void {
    const e = this.entry(deviceId);
    e.connections = Math.max(0, e.connections - 1);
  }

  /** Any sign of life that is not a status message (an event batch, a request): updates lastSeen. */
  active(deviceId: string): void {
    this.entry(deviceId);
  }

  /** A status payload the device published; ignored unless it matches StatusSchema. */
  status(deviceId: string, payload: Buffer | string): void {
    let json: unknown;
    try {
      json = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
    } catch {
      return;
    }
    const parsed = StatusSchema.safeParse(json);
    if (!parsed.success) return;
    const s = parsed.data;
    const e = this.entry(deviceId);
    e.reported = {
      online: s.online,
      ...(s.outbox !== undefined && { outbox: s.outbox }),
      ...(s.version !== undefined && { version: s.version }),
      ...(s.readers !== undefined && { readers: s.readers }),
    };
  }

  /** Every device of the store, with what is known of it. */
  list(devices: readonly { id: string; role: DeviceRole }[], format: (d: Date) => string): AdminDevice[] {
    return devices.map(({ id, role }) => {
      const e = this.seen.get(id);
      return {
        id,
        role,
        online: e !== undefined && e.connections > 0 && e.reported?.online !== false,
        lastSeen: e ? format(e.lastSeen) : null,
        outbox: e?.reported?.outbox ?? null,
        version: e?.reported?.version ?? null,
        readers: e?.reported?.readers ?? null,
      };
    });
  }

  private entry(deviceId: string): Seen {
    let e = this.seen.get(deviceId);
    if (!e) {
      e = { connections: 0, reported: undefined, lastSeen: this.clock.now() };
      this.seen.set(deviceId, e);
    }
    e.lastSeen = this.clock.now();
    return e;
  }
}
