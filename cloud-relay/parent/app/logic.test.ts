import { describe, expect, it } from 'vitest';
import type { ParentNotice } from '../../../protocol/parent-notices.ts';
import { notificationOf, targetUrl } from './sw/push-message.ts';
import { addDays, clockTime, dayLabel, daysBetween } from './format.ts';
import { invitationFromHash } from './invite-link.ts';
import { MESSAGES } from './messages.ts';
import { draftRequest, newDraft } from './notice-draft.ts';
import { noticeHealth, noticeSummary } from './notice-text.ts';

const ID = '6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const TODAY = '2026-12-05';

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

  it("counts calendar days without the phone's zone", () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(daysBetween('2026-12-05', '2026-12-05')).toBe(0);
    expect(daysBetween('2026-12-05', '2027-01-04')).toBe(30);
    expect(daysBetween('bad', '2026-12-05')).toBeNull();
  });
});

describe('the notice form', () => {
  const draft = newDraft(TODAY, ['c001']);

  it('makes an absence for tomorrow with symptoms and a temperature of one decimal', () => {
    const r = draftRequest(
      ID,
      { ...draft, date: '2026-12-06', symptoms: ['fever'], temperature: '38.24', note: '  熱  ' },
      TODAY,
    );
    expect(r).toEqual({
      ok: true,
      request: {
        id: ID,
        kind: 'absence',
        childIds: ['c001'],
        date: '2026-12-06',
        reason: 'sick',
        symptoms: ['fever'],
        temperature: 38.2,
        note: '熱',
      },
    });
  });

  it('drops what belongs to another kind or reason instead of refusing it', () => {
    const r = draftRequest(
      ID,
      {
        ...draft,
        kind: 'late',
        until: '2026-12-09',
        arriveAt: '10:30',
        reason: 'family',
        symptoms: ['cough'],
        temperature: '37',
      },
      TODAY,
    );
    expect(r).toEqual({
      ok: true,
      request: { id: ID, kind: 'late', childIds: ['c001'], date: TODAY, reason: 'family', arriveAt: '10:30' },
    });
    const range = draftRequest(ID, { ...draft, until: '2026-12-09', arriveAt: '10:30' }, TODAY);
    expect(range.ok && range.request).toMatchObject({ until: '2026-12-09' });
    expect(range.ok && 'arriveAt' in range.request).toBe(false);
  });

  it('names the first problem', () => {
    const problem = (d: Partial<typeof draft>) => {
      const r = draftRequest(ID, { ...draft, ...d }, TODAY);
      return r.ok ? null : r.problem;
    };
    expect(problem({ childIds: [] })).toBe('noChild');
    expect(problem({ date: '' })).toBe('noDate');
    expect(problem({ date: '2026-12-04' })).toBe('pastDate');
    expect(problem({ until: '2026-12-04' })).toBe('untilBefore');
    expect(problem({ until: '2027-01-05' })).toBe('tooLong');
    expect(problem({ until: '2027-01-04' })).toBeNull();
    // 62 days ahead at most: as far as the hub files an absence.
    expect(problem({ date: '2027-02-05', until: '' })).toBeNull();
    expect(problem({ date: '2027-02-06', until: '' })).toBe('tooFar');
    expect(problem({ date: '2027-02-01', until: '2027-02-06' })).toBe('tooFar');
    expect(problem({ kind: 'late' })).toBe('noArriveAt');
    expect(problem({ temperature: '33.9' })).toBe('temperature');
    expect(problem({ temperature: 'abc' })).toBe('temperature');
    expect(problem({ temperature: '37,5' })).toBeNull();
  });
});

describe('notice words and push messages', () => {
  const notice: ParentNotice = {
    id: ID,
    guardianId: 'g001',
    kind: 'absence',
    childIds: ['c001'],
    date: '2026-12-06',
    until: '2026-12-06',
    reason: 'sick',
    symptoms: ['fever', 'cough'],
    temperature: 38.2,
    sentAt: '2026-12-05T08:01:00+09:00',
    status: 'sent',
    readAt: null,
  };

  it('says the notice as the card shows it, in Japanese and English', () => {
    expect(noticeSummary(notice, TODAY, MESSAGES.ja, 'ja')).toBe('欠席連絡 明日 病欠');
    expect(noticeSummary({ ...notice, until: '2026-12-08' }, TODAY, MESSAGES.ja, 'ja')).toBe(
      '欠席連絡 明日〜12月8日(火) 病欠',
    );
    expect(
      noticeSummary(
        { ...notice, kind: 'late', date: TODAY, until: TODAY, arriveAt: '10:30', reason: 'family' },
        TODAY,
        MESSAGES.en,
        'en',
      ),
    ).toBe('Lateness today arriving 10:30 Family reasons');
    expect(noticeHealth(notice, MESSAGES.ja)).toBe('発熱・咳 38.2℃');
    expect(noticeHealth({ ...notice, symptoms: undefined, temperature: 37 }, MESSAGES.en)).toBe('37.0℃');
  });

  it('shows any push as a notification and never leads outside the app', () => {
    expect(
      notificationOf(
        '{"title":"ひまわり保育園","body":"一花さんが登園しました 8:05","tag":"c001"}',
        '/parent/',
      ),
    ).toEqual({
      title: 'ひまわり保育園',
      body: '一花さんが登園しました 8:05',
      url: '/parent/',
      tag: 'c001',
    });
    expect(notificationOf('plain', '/parent/')).toMatchObject({ title: 'Genkan', body: 'plain' });
    expect(notificationOf(null, '/parent/')).toMatchObject({ title: 'Genkan', body: '' });
    const origin = 'https://genkan.example.jp';
    expect(targetUrl({ url: '/parent/' }, origin, '/parent/')).toBe(`${origin}/parent/`);
    expect(targetUrl({ url: 'https://evil.example/parent/' }, origin, '/parent/')).toBe(`${origin}/parent/`);
    expect(targetUrl({ url: '/admin/' }, origin, '/parent/')).toBe(`${origin}/parent/`);
    expect(targetUrl(null, origin, '/parent/')).toBe(`${origin}/parent/`);
  });
});
