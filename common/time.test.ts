import { describe, expect, it } from 'vitest';
import { isValidDate, localDate, LocalDates, localDayRange } from './time.ts';

describe('LocalDates', () => {
  it('agrees with localDate around the clock and across DST changes', () => {
    for (const tz of ['Asia/Tokyo', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC']) {
      const dates = new LocalDates(tz);
      // every 7 minutes over two DST changes of 2026, plus their exact instants ± 1 ms
      const instants: number[] = [];
      for (const start of [Date.UTC(2026, 2, 7), Date.UTC(2026, 9, 30), Date.UTC(2026, 3, 3)]) {
        for (let t = start; t < start + 3 * 86_400_000; t += 7 * 60_000) instants.push(t, t - 1, t + 1);
      }
      for (const t of instants) {
        const d = new Date(t);
        expect(dates.of(d.toISOString()), `${tz} ${d.toISOString()}`).toBe(localDate(d, tz));
      }
    }
  });
});

describe('localDayRange', () => {
  it('gives the UTC bounds of a local day', () => {
    expect(localDayRange('2026-04-01', 'Asia/Tokyo')).toEqual([
      Date.parse('2026-03-31T15:00:00Z'),
      Date.parse('2026-04-01T15:00:00Z'),
    ]);
    expect(localDayRange('2026-04-01', 'UTC')).toEqual([
      Date.parse('2026-04-01T00:00:00Z'),
      Date.parse('2026-04-02T00:00:00Z'),
    ]);
  });

  it('handles days of 23 and 25 hours', () => {
    // Europe/Berlin: clocks go forward on 29 March 2026 and back on 25 October 2026.
    const [s1, e1] = localDayRange('2026-03-29', 'Europe/Berlin') ?? [0, 0];
    expect(e1 - s1).toBe(23 * 3_600_000);
    const [s2, e2] = localDayRange('2026-10-25', 'Europe/Berlin') ?? [0, 0];
    expect(e2 - s2).toBe(25 * 3_600_000);
    expect(localDayRange('2026-03-08', 'America/New_York')).toEqual([
      Date.parse('2026-03-08T05:00:00Z'),
      Date.parse('2026-03-09T04:00:00Z'),
    ]);
  });

  it('agrees with localDate at the edges, or gives up', () => {
    for (const tz of [
      'Pacific/Kiritimati',
      'Pacific/Pago_Pago',
      'Asia/Kathmandu',
      'America/Havana',
      'America/Santiago',
    ]) {
      for (const date of ['2026-01-01', '2026-03-08', '2026-04-05', '2026-09-06', '2026-11-01']) {
        const r = localDayRange(date, tz);
        if (!r) continue;
        expect(localDate(new Date(r[0]), tz)).toBe(date);
        expect(localDate(new Date(r[0] - 1), tz)).not.toBe(date);
        expect(localDate(new Date(r[1] - 1), tz)).toBe(date);
        expect(localDate(new Date(r[1]), tz)).not.toBe(date);
      }
    }
    expect(localDayRange('nope', 'UTC')).toBeUndefined();
  });
});

describe('isValidDate', () => {
  it('takes real dates of every year, the first day of every timeline too', () => {
    for (const ok of ['0001-01-01', '0099-12-31', '2028-02-29', '2026-12-05'])
      expect(isValidDate(ok), ok).toBe(true);
    for (const bad of ['2027-02-29', '2026-13-01', '2026-04-31', '0000-00-00', '26-01-01']) {
      expect(isValidDate(bad), bad).toBe(false);
    }
  });
});
