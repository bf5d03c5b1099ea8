/** Helpers of the cloud store's migration tests (SQLite and PostgreSQL). */

/**
 * The JSON text of fac-a's snapshot as a cloud stored it before snapshot versions: the shape of
 * test/contract's sampleSnapshot('fac-a') without the fields added since (children's enrolledOn and
 * leftOn, retentionYears), which read back at their defaults.
 */
export function legacySnapshotText(): string {
  return JSON.stringify({
    facilityId: 'fac-a',
    facilityName: 'ひまわり保育園',
    timeZone: 'Asia/Tokyo',
    careBands: { standard: { start: '07:00', end: '18:00' }, short: { start: '08:30', end: '16:30' } },
    extendedCare: { graceMinutes: 5, roundingMinutes: 30, rounding: 'up' },
    classes: [
      { id: 'hiyoko', name: 'ひよこ組' },
      { id: 'usagi', name: 'うさぎ組' },
    ],
    children: [
      { id: 'c-001', name: '山田 花子', kana: 'やまだ はなこ', classId: 'hiyoko', careType: 'standard' },
      { id: 'c-002', name: '佐藤 一郎', kana: 'さとう いちろう', classId: 'usagi', careType: 'short' },
      { id: 'c-003', name: '鈴木 次郎', kana: 'すずき じろう', classId: 'usagi', careType: 'standard' },
    ],
  });
}
