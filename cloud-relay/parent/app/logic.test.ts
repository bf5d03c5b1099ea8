import { describe, expect, it } from 'vitest';
import { clockTime, dayLabel } from './format.ts';
import { invitationFromHash } from './invite-link.ts';

describe('parent app logic', () => {
  it('reads the invitation token from the fragment only when it looks like one', () => {
    const token = 'q3Jx0_-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
    expect(invitationFromHash(`#invite=${token}`)).toBe(token);
    expect(invitationFromHash(`invite=${token}`)).toBe(token);
    expect(invitationFromHash('#invite=')).toBeNull();
    expect(invitationFromHash('#invite=short')).toBeNull();
    expect(invitationFromHash('#invite=has%20space-aaaaaaaaaaaaaaaa')).toBeNull();
    expect(invitationFromHash('')).toBeNull();
  });

  it("shows times in the facility's zone as sent, whatever the phone's zone", () => {
    expect(clockTime('2025-04-01T08:05:00+09:00')).toBe('08:05');
    expect(clockTime('2025-04-01T17:45:30.123+09:00')).toBe('17:45');
    expect(clockTime('nonsense')).toBe('');
  });

  it('words the business day in Japanese and English without shifting it', () => {
    expect(dayLabel('2025-04-01', 'ja')).toBe('4月1日(火)');
    expect(dayLabel('2025-04-01', 'en')).toBe('Tue 1 Apr');
    expect(dayLabel('bad', 'en')).toBe('bad');
  });
});
