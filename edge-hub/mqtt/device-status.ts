import type { Clock } from '../../common/time.ts';
import type { AdminDevice } from '../../protocol/admin.ts';
import { decodeJson, StatusSchema } from '../../protocol/index.ts';
import type { DeviceRole } from '../store/devices.ts';

/** What the broker heard of a device (carried on the hub's bus as `device.status`). */
export type DeviceSignal =
  /** A connection opened or closed, or any sign of life that is not a status message. */
  | { deviceId: string; kind: 'connected' | 'disconnected' | 'active' }
  /** A status payload the device published. */
  | { deviceId: string; kind: 'status'; payload: Buffer | string };

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
    const parsed = decodeJson(StatusSchema, typeof payload === 'string' ? payload : payload.toString('utf8'));
    if (!parsed.ok) return;
    const s = parsed.value;
    const e = this.entry(deviceId);
    e.reported = {
      online: s.online,
      ...(s.outbox !== undefined && { outbox: s.outbox }),
      ...(s.version !== undefined && { version: s.version }),
      ...(s.readers !== undefined && { readers: s.readers }),
    };
  }

  /** One signal, whichever kind. */
  apply(signal: DeviceSignal): void {
    switch (signal.kind) {
      case 'connected':
        this.connected(signal.deviceId);
        break;
      case 'disconnected':
        this.disconnected(signal.deviceId);
        break;
      case 'active':
        this.active(signal.deviceId);
        break;
      case 'status':
        this.status(signal.deviceId, signal.payload);
        break;
    }
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
