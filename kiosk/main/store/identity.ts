import { KioskError } from '../errors.ts';
import type { MetaTable } from './meta.ts';

const KEYS = { deviceId: 'device_id', facilityId: 'facility_id' } as const;

/** Which device the data directory belongs to and which facility it serves (table meta). */
export interface IdentityStore {
  deviceId(): string | undefined;
  /**
   * Ties the data directory to one device on first use. Sequence numbers and queued events belong to
   * that device, so starting it under another id is refused rather than sending them under a wrong name.
   */
  bindDevice(deviceId: string): void;
  facilityId(): string | undefined;
  setFacilityId(facilityId: string): void;
}

export class SqliteIdentityStore implements IdentityStore {
  readonly #meta: MetaTable;

  constructor(meta: MetaTable) {
    this.#meta = meta;
  }

  deviceId(): string | undefined {
    return this.#meta.get(KEYS.deviceId);
  }

  bindDevice(deviceId: string): void {
    const bound = this.deviceId();
    if (bound === undefined) this.#meta.set(KEYS.deviceId, deviceId);
    else if (bound !== deviceId) {
      throw new KioskError(
        'device_mismatch',
        `data directory belongs to device ${bound}, not ${deviceId}; use another --data directory`,
      );
    }
  }

  facilityId(): string | undefined {
    return this.#meta.get(KEYS.facilityId);
  }

  setFacilityId(facilityId: string): void {
    this.#meta.set(KEYS.facilityId, facilityId);
  }
}
