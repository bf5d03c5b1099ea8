import { describe, expect, it } from 'vitest';
import { MESSAGES } from './messages.ts';
import {
  dayText,
  daysText,
  localDateOf,
  noticeBadgeText,
  panelOrder,
  sentText,
  unreadCount,
} from './notices.ts';
import { tabletNotice } from './roster.test-support.ts';

const ja = MESSAGES.ja;
const en = MESSAGES.en;
const TODAY = '2025-06-12'; // a Thursday

describe('parents’ notices: days in words', () => {
  it('says 今日, 明日, 昨日, and another day with its weekday', () => {
    expect(dayText('2025-06-12', TODAY, ja)).toBe('今日');
    expect(dayText('2025-06-13', TODAY, ja)).toBe('明日');
    expect(dayText('2025-06-11', TODAY, ja)).toBe('昨日');
    expect(dayText('2025-06-14', TODAY, ja)).toBe('6月14日(土)');
    expect(dayText('2025-07-01', TODAY, en)).toBe('Tue 1 Jul');
    expect(dayText('2025-06-13', TODAY, en)).toBe('Tomorrow');
  });

  it('writes a range as from〜until, and one day alone', () => {
    expect(daysText({ date: '2025-06-12', until: '2025-06-12' }, TODAY, ja)).toBe('今日');
    expect(daysText({ date: '2025-06-12', until: '2025-06-16' }, TODAY, ja)).toBe('今日〜6月16日(月)');
    expect(daysText({ date: '2025-06-13', until: '2025-06-14' }, TODAY, en)).toBe('Tomorrow – Sat 14 Jun');
  });

  it('says when a notice was sent in the facility’s time zone, with the day when not today', () => {
    expect(localDateOf('2025-06-11T16:00:00Z', 'Asia/Tokyo')).toBe('2025-06-12');
    expect(localDateOf('nonsense', 'Asia/Tokyo')).toBeNull();
    expect(sentText('2025-06-12T07:40:00+09:00', TODAY, 'Asia/Tokyo', ja)).toBe('07:40');
    expect(sentText('2025-06-11T20:15:00+09:00', TODAY, 'Asia/Tokyo', ja)).toBe('昨日 20:15');
    expect(sentText('2025-06-09T20:15:00+09:00', TODAY, 'Asia/Tokyo', en)).toBe('Mon 9 Jun 20:15');
  });
});

describe('parents’ notices: texts', () => {
  it('words symptoms, the temperature, who sent it and who confirmed it, in both languages', () => {
    expect(ja.notices.kind).toEqual({ absence: '欠席連絡', late: '遅刻連絡' });
    expect(
      ['fever', 'cough', 'runny_nose', 'vomiting', 'diarrhea', 'rash', 'other'].map(
        (s) => ja.notices.symptom[s as keyof typeof ja.notices.symptom],
      ),
    ).toEqual(['発熱', '咳', '鼻水', '嘔吐', '下痢', '発疹', 'その他']);
    expect(ja.notices.temperature(38.2)).toBe('38.2℃');
    expect(ja.notices.temperature(37)).toBe('37.0℃');
    expect(ja.notices.arriveAt('10:30')).toBe('10:30 登園予定');
    expect(ja.notices.confirmed('保育 花子', '09:10')).toBe('確認済（保育 花子 09:10）');
    expect(ja.notices.confirmed(null, null)).toBe('確認済');
    expect(en.notices.confirmed('Hanako', '09:10')).toBe('Confirmed by Hanako at 09:10');
    expect(ja.notices.failed('http_404', 404)).toContain('見つかりません');
    expect(ja.method.parent).toBe('保護者連絡');
    expect(en.method.parent).toBe('parent notice');
  });

  it('labels a child’s row with the kind and the reason or the arrival time', () => {
    const absence = { id: 'n1', kind: 'absence', reason: 'sick', status: 'sent' } as const;
    expect(noticeBadgeText(absence, ja)).toBe('欠席連絡（体調不良）');
    expect(noticeBadgeText(absence, en)).toBe('Absence notice (Sick)');
    const late = { id: 'n2', kind: 'late', reason: 'family', arriveAt: '10:30', status: 'read' } as const;
    expect(noticeBadgeText(late, ja)).toBe('遅刻連絡 10:30');
  });
});

describe('parents’ notices: the panel’s order', () => {
  const a = tabletNotice('a', { status: 'read', readAt: '2025-06-12T08:00:00+09:00' });
  const b = tabletNotice('b', { sentAt: '2025-06-12T07:50:00+09:00' });
  const c = tabletNotice('c', { date: '2025-06-13', until: '2025-06-13' });
  const d = tabletNotice('d', { sentAt: '2025-06-12T07:10:00+09:00' });
  it('puts unconfirmed first, then by day, then by when sent', () => {
    expect(panelOrder([a, c, b, d]).map((n) => n.notice.id)).toEqual(['d', 'b', 'c', 'a']);
    expect(unreadCount([a, b, c, d])).toBe(2 + 1);
  });

  it('leaves a notice just confirmed on this screen where it was, whatever order the hub sends', () => {
    const dRead = tabletNotice('d', {
      sentAt: '2025-06-12T07:10:00+09:00',
      status: 'read',
      readAt: '2025-06-12T09:00:00+09:00',
    });
    // The hub now lists d after the unconfirmed ones.
    const hub = [b, c, dRead, a];
    expect(panelOrder(hub, new Set(['d'])).map((n) => n.notice.id)).toEqual(['d', 'b', 'c', 'a']);
    expect(panelOrder(hub).map((n) => n.notice.id)).toEqual(['b', 'c', 'd', 'a']);
  });
});
