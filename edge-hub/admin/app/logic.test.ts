import { describe, expect, it } from 'vitest';
import {
  bucketTime,
  chartGeometry,
  extendedUrl,
  facilityClockTime,
  fieldErrorOf,
  ledgerUrl,
} from './logic.ts';
import { MESSAGES } from './messages.ts';

describe('admin app logic', () => {
  it("reads the facility's clock time from an instant written with its offset", () => {
    expect(facilityClockTime('2026-04-01T10:02:31.120+09:00')).toBe('10:02');
    expect(facilityClockTime('2026-04-01T01:02:00.000Z')).toBe('01:02');
  });

  it('splits a refused setting into field and reason', () => {
    expect(fieldErrorOf('careBands.short.end: must end after it starts')).toEqual({
      field: 'careBands.short.end',
      reason: 'must end after it starts',
    });
    expect(fieldErrorOf('something odd')).toEqual({ field: '', reason: 'something odd' });
  });

  it('lays out arrival bars and a present step line', () => {
    const arrivals = new Array<number>(96).fill(0);
    const present = new Array<number>(96).fill(0);
    arrivals[32] = 3;
    present.fill(3, 32);
    const g = chartGeometry(
      { date: '2026-04-01', bucketMinutes: 15, arrivals, present, expected: 4 },
      960,
      200,
    );
    expect(g.max).toBe(4);
    expect(g.bars).toEqual([{ x: 320, y: 50, w: 9, h: 150, count: 3, bucket: 32 }]);
    expect(g.presentPath.startsWith('M0 200L10 200')).toBe(true);
    expect(g.presentPath.endsWith('L960 50')).toBe(true);
    expect(bucketTime(33, 15)).toBe('08:15');
  });

  it('builds ledger links for every format', () => {
    expect(ledgerUrl({ daily: '2026-04-01' }, 'csv-sjis')).toBe(
      '/api/ledger/daily?date=2026-04-01&format=csv&encoding=sjis',
    );
    expect(ledgerUrl({ monthly: '2026-04', classId: 'k1' }, 'xlsx')).toBe(
      '/api/ledger/monthly?month=2026-04&class=k1&format=xlsx',
    );
    expect(ledgerUrl({ monthly: '2026-04', classId: null }, 'pdf')).toBe(
      '/api/ledger/monthly?month=2026-04&format=pdf',
    );
    expect(ledgerUrl({ monthly: '2026-04', classId: null }, 'csv-sjis', 'en')).toBe(
      '/api/ledger/monthly?month=2026-04&format=csv&encoding=sjis&lang=en',
    );
  });

  it('builds the extended-care report links: its CSV tables and a language chosen', () => {
    expect(extendedUrl('2026-04', 'xlsx')).toBe('/api/ledger/extended?month=2026-04&format=xlsx');
    expect(extendedUrl('2026-04', 'csv-days')).toBe(
      '/api/ledger/extended?month=2026-04&format=csv&table=days',
    );
    expect(extendedUrl('2026-04', 'pdf', 'ja')).toBe('/api/ledger/extended?month=2026-04&format=pdf&lang=ja');
  });

  it('says how long a record has waited, and explains every code the cloud refuses with', () => {
    const { ja, en } = MESSAGES;
    expect([45, 1200, 3600, 5400, 200_000].map(ja.age)).toEqual([
      '45秒',
      '20分',
      '1時間',
      '1時間30分',
      '2日',
    ]);
    expect(en.age(5400)).toBe('1 h 30 min');
    for (const code of ['invalid_event', 'bad_text', 'implausible_time', 'store_error']) {
      expect(ja.records.code(code, 'x'), code).not.toContain('x');
    }
    expect(ja.records.code('something_new', 'why')).toContain('why');
  });
});
