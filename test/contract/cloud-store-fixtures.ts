import { randomUUID } from 'node:crypto';
import { newEventId } from '../../common/ids.ts';
import type { Amendment } from '../../protocol/history.ts';
import { DEFAULT_SETTINGS, type AttendanceEvent } from '../../protocol/index.ts';
import type { FacilitySnapshot, SnapshotVersion } from '../../protocol/ledger.ts';
import type { CloudStore } from '../../cloud-relay/store/types.ts';

/** What the CloudStore contract (cloud-store.ts) and its parts share: the fixture and sample data. */

export interface CloudStoreFixture {
  store: CloudStore;
  /**
   * Makes the database refuse, as data, every insert of an event with this id, the way it refuses a value
   * it cannot hold: a trigger made by the test (SQLite RAISE(ABORT, REFUSAL_TEXT); PostgreSQL RAISE
   * EXCEPTION REFUSAL_TEXT with a class 22 SQLSTATE).
   */
  refuseEvent(eventId: string): Promise<void>;
  /**
   * Makes the database fail the way it does when it is not the event's fault (busy, connection lost,
   * serialization failure) until the returned function is called.
   */
  failTransiently(): Promise<() => Promise<void>>;
  cleanup(): Promise<void>;
}

/** The current test's fixture and store (a fresh, empty one per test), for the parts of the contract. */
export interface CloudStoreContext {
  readonly fixture: CloudStoreFixture;
  readonly store: CloudStore;
}

/** The message of the test's refusal trigger; the store must not pass it on. */
export const REFUSAL_TEXT = 'refused by the test';

let seqCounter = 0;

/** A valid check-in at 2026-04-01 08:00 JST unless overridden; seq increases per call. */
export function sampleEvent(overrides: Partial<AttendanceEvent> = {}): AttendanceEvent {
  seqCounter += 1;
  return {
    id: newEventId(),
    type: 'check_in',
    childId: 'c-001',
    occurredAt: '2026-04-01T08:00:00.000+09:00',
    deviceId: 'kiosk-1',
    seq: seqCounter,
    method: 'card',
    actor: null,
    ...overrides,
  };
}

/** A small valid snapshot of `facilityId` in Asia/Tokyo: two classes, three children. */
export function sampleSnapshot(
  facilityId = 'fac-a',
  overrides: Partial<FacilitySnapshot> = {},
): FacilitySnapshot {
  const child = { enrolledOn: null, leftOn: null };
  return {
    facilityId,
    facilityName: 'ひまわり保育園',
    timeZone: 'Asia/Tokyo',
    careBands: DEFAULT_SETTINGS.careBands,
    extendedCare: DEFAULT_SETTINGS.extendedCare,
    ledger: DEFAULT_SETTINGS.ledger,
    extendedReport: DEFAULT_SETTINGS.extendedReport,
    classes: [
      { id: 'hiyoko', name: 'ひよこ組' },
      { id: 'usagi', name: 'うさぎ組' },
    ],
    children: [
      {
        id: 'c-001',
        name: '山田 花子',
        kana: 'やまだ はなこ',
        classId: 'hiyoko',
        careType: 'standard',
        ...child,
      },
      {
        id: 'c-002',
        name: '佐藤 一郎',
        kana: 'さとう いちろう',
        classId: 'usagi',
        careType: 'short',
        ...child,
      },
      {
        id: 'c-003',
        name: '鈴木 次郎',
        kana: 'すずき じろう',
        classId: 'usagi',
        careType: 'standard',
        ...child,
      },
    ],
    retentionYears: 5,
    ...overrides,
  };
}

/** Version `version` of fac-a's snapshot (or `facilityId`'s), in effect from `effectiveFrom`. */
export function sampleVersion(
  version: number,
  effectiveFrom: string,
  overrides: Partial<FacilitySnapshot> = {},
  facilityId = 'fac-a',
): SnapshotVersion {
  return { version, effectiveFrom, snapshot: sampleSnapshot(facilityId, overrides) };
}

/** A valid amendment of c-001 on 2026-04-10 (a missing check-out corrected), made on 2026-05-02. */
export function sampleAmendment(overrides: Partial<Amendment> = {}): Amendment {
  return {
    correctionId: randomUUID(),
    date: '2026-04-10',
    childId: 'c-001',
    childName: '山田 花子',
    before: { checkIn: '08:00', checkOut: null, absent: null },
    after: { checkIn: '08:00', checkOut: '17:30', absent: null },
    actor: 'staff-1',
    actorName: '園長 先生',
    reason: 'お迎えの記録漏れ',
    at: '2026-05-02T10:00:00+09:00',
    ...overrides,
  };
}

export const ids = (events: readonly AttendanceEvent[]): string[] => events.map((e) => e.id);
