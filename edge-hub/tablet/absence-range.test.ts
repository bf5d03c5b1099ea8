import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { absenceDates, absenceDayId } from './absence-range.ts';

describe('absence ranges', () => {
  it('lists the days from date to until, both included, across months and leap days', () => {
    expect(absenceDates('2026-04-01', '2026-04-01')).toEqual(['2026-04-01']);
    expect(absenceDates('2028-02-27', '2028-03-01')).toEqual([
      '2028-02-27',
      '2028-02-28',
      '2028-02-29',
      '2028-03-01',
    ]);
    const month = absenceDates('2026-01-01', '2026-01-31');
    expect(month).toHaveLength(31);
  });

  it('refuses an until that is not a date, before the date, or more than 31 days in all', () => {
    expect(absenceDates('2026-04-01', '2026-02-30')).toMatch(/date/);
    expect(absenceDates('2026-04-02', '2026-04-01')).toMatch(/on or after/);
    expect(absenceDates('2026-01-01', '2026-02-01')).toMatch(/31 days/);
  });

  it('derives one id per day: the action id first, then v8 UUIDs from SHA-256 of id/date', () => {
    const id = '0190a8b2-7c1d-7e3f-8a4b-5c6d7e8f9a0b';
    expect(absenceDayId(id, '2026-04-01', true)).toBe(id);
    const second = absenceDayId(id, '2026-04-02', false);
    expect(second).toBe(absenceDayId(id.toUpperCase(), '2026-04-02', false));
    expect(second).not.toBe(absenceDayId(id, '2026-04-03', false));
    expect(z.uuid().safeParse(second).success).toBe(true);
    expect(second).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Apart from the version and variant bits, the hash's first 16 bytes.
    const hex = createHash('sha256').update(`${id}/2026-04-02`).digest('hex').slice(0, 32);
    const bare = second.replaceAll('-', '');
    expect(bare.slice(0, 12)).toBe(hex.slice(0, 12));
    expect(bare.slice(13, 16)).toBe(hex.slice(13, 16));
    expect(bare.slice(17)).toBe(hex.slice(17));
  });
});
