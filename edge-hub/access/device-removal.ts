import { NotFoundError } from '../../common/errors.ts';
import { ErrorCodes } from '../../protocol/errors.ts';
import type { AuditActorKind } from '../store/audit.ts';
import type { DeviceRole } from '../store/devices.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';

export interface DeviceRemoved {
  removed: true;
  deviceId: string;
  role: DeviceRole;
  /** Staff sessions ended on the device (a tablet). */
  sessionsEnded: number;
}

/**
 * Removes a lost or retired device (`genkan device remove`, the admin app): its password, pairing codes
 * and tablet device cookies are deleted and the staff sessions on it end, in one audited transaction.
 * Everything checks the database per request, so a tablet is refused at its next request (and its push
 * channel closes within the session check); a connected kiosk is disconnected by the running hub, which
 * looks for connections of removed devices on its roster poll (edge-hub/hub-listeners.ts), and its next
 * login is refused. Its events stay. Throws unknown_device.
 */
export function removeDevice(
  store: StoreOf<'devices' | 'people' | 'audit'> & Transactional,
  deviceId: string,
  actor: { kind: AuditActorKind; id: string | null },
): DeviceRemoved {
  return store.transaction(() => {
    const role = store.devices.removeDevice(deviceId);
    if (role === undefined) throw new NotFoundError(ErrorCodes.unknownDevice, `no device ${deviceId}`);
    const sessionsEnded = store.people.deleteSessionsOnDevice(deviceId);
    store.audit.append({
      actorKind: actor.kind,
      actorId: actor.id,
      action: 'device.remove',
      subject: `device:${deviceId}`,
      outcome: 'ok',
      before: { role },
      after: { sessionsEnded },
    });
    return { removed: true, deviceId, role, sessionsEnded };
  });
}
