import { describe, expect, it } from 'vitest';
import type { ParentPickup, PickupPerson } from '../../../protocol/parent-pickups.ts';
import { MESSAGES } from './messages.ts';
import { isNoticesLink, openedHash } from './notices-link.ts';
import { choosablePeople, newPickupDraft, OTHER_PERSON, pickupRequest } from './pickup-draft.ts';
import { personLabel, pickupSummary } from './pickup-text.ts';

const ID = '6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const TODAY = '2026-12-05';
const father: PickupPerson = {
  id: 'g001',
  kind: 'guardian',
  name: '山田 太郎',
  relation: '',
  hasPhoto: false,
};
const grandma: PickupPerson = {
  id: 'p-1',
  kind: 'person',
  name: '山田 花子',
  relation: '祖母',
  hasPhoto: true,
};
const aunt: PickupPerson = {
  id: 'p-2',
  kind: 'person',
  name: '佐藤 良子',
  relation: 'おば',
  hasPhoto: false,
};
const lists = [
  { childId: 'c-001', people: [father, grandma, aunt] },
  { childId: 'c-002', people: [aunt, father] },
];

const plan = (person: ParentPickup['person'], status: ParentPickup['status'] = 'sent'): ParentPickup => ({
  id: ID,
  guardianId: 'g001',
  childIds: ['c-001'],
  date: TODAY,
  time: '17:30',
  person,
  sentAt: '2026-12-05T09:00:00+09:00',
  status,
  readAt: null,
});

describe('parent app: pickup and facility notices logic', () => {
  it('offers the people on every chosen child list, in the first child order', () => {
    expect(choosablePeople(lists, ['c-001']).map((p) => p.id)).toEqual(['g001', 'p-1', 'p-2']);
    expect(choosablePeople(lists, ['c-001', 'c-002']).map((p) => p.id)).toEqual(['g001', 'p-2']);
    expect(choosablePeople(lists, ['c-002', 'c-001']).map((p) => p.id)).toEqual(['p-2', 'g001']);
    expect(choosablePeople(lists, ['c-009'])).toEqual([]);
    expect(choosablePeople(lists, [])).toEqual([]);
  });

  it('makes a request for today with a listed person or someone else', () => {
    const people = choosablePeople(lists, ['c-001']);
    const draft = { ...newPickupDraft(['c-001'], null), time: '17:30', person: 'p-1', note: ' ' };
    expect(pickupRequest(ID, draft, TODAY, people)).toEqual({
      ok: true,
      request: { id: ID, childIds: ['c-001'], date: TODAY, time: '17:30', personId: 'p-1' },
    });
    const other = {
      ...draft,
      person: OTHER_PERSON,
      otherName: ' 鈴木 次郎 ',
      otherRelation: 'おじ',
      note: '遅れます',
    };
    expect(pickupRequest(ID, other, TODAY, people)).toEqual({
      ok: true,
      request: {
        id: ID,
        childIds: ['c-001'],
        date: TODAY,
        time: '17:30',
        someoneElse: { name: '鈴木 次郎', relation: 'おじ' },
        note: '遅れます',
      },
    });
  });

  it('names what keeps a draft from being sent', () => {
    const people = choosablePeople(lists, ['c-001']);
    const base = { ...newPickupDraft(['c-001'], null), time: '17:30', person: 'g001' };
    const problem = (d: typeof base) => {
      const r = pickupRequest(ID, d, TODAY, people);
      return r.ok ? null : r.problem;
    };
    expect(problem({ ...base, childIds: [] })).toBe('noChild');
    expect(problem({ ...base, time: '' })).toBe('noTime');
    expect(problem({ ...base, person: '' })).toBe('noPerson');
    // A person on another child's list only.
    expect(problem({ ...base, person: 'p-9' })).toBe('noPerson');
    expect(problem({ ...base, person: OTHER_PERSON, otherName: '  ' })).toBe('noOtherName');
    expect(problem({ ...base, person: OTHER_PERSON, otherName: 'x'.repeat(101) })).toBe('invalid');
  });

  it("fills today's plan in again", () => {
    const listed = newPickupDraft(
      ['c-001'],
      plan({ id: 'p-1', kind: 'person', name: '山田 花子', relation: '祖母' }),
    );
    expect(listed).toMatchObject({ time: '17:30', person: 'p-1', otherName: '' });
    const other = newPickupDraft(
      ['c-001'],
      plan({ id: null, kind: 'other', name: '鈴木 次郎', relation: 'おじ' }),
    );
    expect(other).toMatchObject({ person: OTHER_PERSON, otherName: '鈴木 次郎', otherRelation: 'おじ' });
  });

  it('words the person and the card line in Japanese and English', () => {
    const ja = MESSAGES.ja;
    expect(personLabel(father, ja)).toBe('保護者 山田 太郎');
    expect(personLabel(father, MESSAGES.en)).toBe('Guardian 山田 太郎');
    expect(personLabel(grandma, ja)).toBe('祖母 山田 花子');
    expect(personLabel({ kind: 'other', name: '鈴木 次郎', relation: '' }, ja)).toBe('鈴木 次郎');
    expect(pickupSummary(plan({ id: 'p-1', kind: 'person', name: '山田 花子', relation: '祖母' }), ja)).toBe(
      'お迎え 17:30 祖母 山田 花子',
    );
  });

  it("opens the notices from the push's address only", () => {
    expect(isNoticesLink('#notices')).toBe(true);
    expect(isNoticesLink('#invite=abc')).toBe(false);
    const base = 'https://cloud.example/parent/';
    expect(openedHash({ type: 'open', url: '/parent/#notices' }, base)).toBe('#notices');
    expect(openedHash({ type: 'open', url: '/parent/' }, base)).toBe('');
    expect(openedHash({ type: 'other', url: '/parent/#notices' }, base)).toBeNull();
    expect(openedHash('nonsense', base)).toBeNull();
  });
});
