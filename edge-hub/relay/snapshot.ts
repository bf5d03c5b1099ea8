import type { FacilitySnapshot } from '../../protocol/index.ts';
import type { StoreOf } from '../store/hub-store.ts';

/**
 * What the ledgers need besides the events (protocol/ledger.ts FacilitySnapshot): the roster with care
 * types and the care rules. The hub's ledgers are built from it, and the relay sends the same object to
 * the cloud, so that both build identical ledgers.
 */
export function facilitySnapshot(
  store: StoreOf<'facility' | 'roster' | 'settings'>,
  facilityId: string,
): FacilitySnapshot {
  const meta = store.facility.meta();
  const settings = store.settings.facilitySettings();
  const roster = store.roster.read();
  return {
    facilityId,
    facilityName: meta.facilityName ?? facilityId,
    timeZone: meta.timeZone,
    careBands: settings.careBands,
    extendedCare: settings.extendedCare,
    classes: roster.classes.map(({ id, name }) => ({ id, name })),
    children: roster.children.map(({ id, name, kana, classId, careType }) => ({
      id,
      name,
      kana,
      classId,
      careType,
    })),
  };
}

/**
 * Changes whenever the snapshot would (roster version, settings, facility name), without building it:
 * the relay compares keys to know when to send a new snapshot.
 */
export function snapshotKey(store: StoreOf<'facility' | 'settings'>): string {
  const meta = store.facility.meta();
  return JSON.stringify([meta.rosterVersion, meta.facilityName, store.settings.facilitySettings()]);
}
