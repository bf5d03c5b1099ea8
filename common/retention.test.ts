import { describe, expect, it } from 'vitest';
import { fiscalYearOf, retentionCutoff, startOfLocalDay } from './retention.ts';

describe('retention rule', () => {
  it('starts a fiscal year on April 1', () => {
    expect(fiscalYearOf('2032-03-31')).toBe(2031);
    expect(fiscalYearOf('2032-04-01')).toBe(2032);
    expect(fiscalYearOf('2032-12-31')).toBe(2032);
    expect(fiscalYearOf('2033-01-01')).toBe(2032);
  });

  it('keeps a day until the end of its fiscal year plus the years', () => {
    // The documented example: D = 2026-05-10 (fiscal 2026) is kept to 2032-03-31, deleted from 2032-04-01.
    expect(retentionCutoff('2032-04-01', 5)).toBe('2027-04-01');
    expect('2026-05-10' < retentionCutoff('2032-04-01', 5)).toBe(true);
    expect('2026-05-10' < retentionCutoff('2032-03-31', 5)).toBe(false);
  });

  it('moves only on April 1 (March 31 / April 1 boundaries)', () => {
    expect(retentionCutoff('2032-03-31', 5)).toBe('2026-04-01');
    expect(retentionCutoff('2032-04-01', 5)).toBe('2027-04-01');
    expect(retentionCutoff('2033-03-31', 5)).toBe('2027-04-01');
    // 2027-03-31 (fiscal 2026) goes on 2032-04-01; 2027-04-01 (fiscal 2027) stays until 2033-04-01.
    expect('2027-03-31' < retentionCutoff('2032-04-01', 5)).toBe(true);
    expect('2027-04-01' < retentionCutoff('2032-04-01', 5)).toBe(false);
    expect('2027-04-01' < retentionCutoff('2033-04-01', 5)).toBe(true);
  });

  it('handles leap days on either side', () => {
    expect(retentionCutoff('2028-02-29', 5)).toBe('2022-04-01');
    expect(retentionCutoff('2028-03-01', 1)).toBe('2026-04-01');
    // A leap day as the record's day: fiscal 2027, kept to 2033-03-31 with 5 years.
    expect('2028-02-29' < retentionCutoff('2033-03-31', 5)).toBe(false);
    expect('2028-02-29' < retentionCutoff('2033-04-01', 5)).toBe(true);
  });

  it('follows the number of years', () => {
    expect(retentionCutoff('2032-04-01', 1)).toBe('2031-04-01');
    expect(retentionCutoff('2032-04-01', 7)).toBe('2025-04-01');
  });

  it('refuses a bad day or number of years', () => {
    expect(() => retentionCutoff('2032-02-30', 5)).toThrow(/not a date/);
    expect(() => retentionCutoff('2032-04-01', 0)).toThrow(/positive integer/);
    expect(() => retentionCutoff('2032-04-01', 1.5)).toThrow(/positive integer/);
  });

  it("finds a day's local midnight in the facility's zone", () => {
    expect(startOfLocalDay('2027-04-01', 'Asia/Tokyo').toISOString()).toBe('2027-03-31T15:00:00.000Z');
    expect(startOfLocalDay('2027-04-01', 'UTC').toISOString()).toBe('2027-04-01T00:00:00.000Z');
    expect(startOfLocalDay('2027-04-01', 'America/New_York').toISOString()).toBe('2027-04-01T04:00:00.000Z');
    // Santiago skips midnight on its DST start (2026-09-06): the day starts at 01:00 local.
    expect(startOfLocalDay('2026-09-06', 'America/Santiago').toISOString()).toBe('2026-09-06T04:00:00.000Z');
  });
});
