import { describe, expect, it } from 'vitest';
import { absenceNote, parseAbsence } from './attendance.ts';

describe('absence notes', () => {
  it('are REASON or REASON: note, and read back', () => {
    expect(absenceNote('sick', undefined)).toBe('sick');
    expect(absenceNote('family', 'trip: Osaka')).toBe('family: trip: Osaka');
    expect(parseAbsence('sick')).toEqual({ reason: 'sick' });
    expect(parseAbsence('family: trip: Osaka')).toEqual({ reason: 'family', note: 'trip: Osaka' });
    expect(parseAbsence('other: line 1\nline 2')).toEqual({ reason: 'other', note: 'line 1\nline 2' });
  });

  it('read a note of another shape as reason other with the whole note', () => {
    expect(parseAbsence(undefined)).toEqual({ reason: 'other' });
    expect(parseAbsence('')).toEqual({ reason: 'other' });
    expect(parseAbsence('holiday')).toEqual({ reason: 'other', note: 'holiday' });
    expect(parseAbsence('Sick')).toEqual({ reason: 'other', note: 'Sick' });
    expect(parseAbsence('sick:no space')).toEqual({ reason: 'other', note: 'sick:no space' });
  });
});
