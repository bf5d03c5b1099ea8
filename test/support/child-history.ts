import type { DatedRoster, SnapshotContent } from '../../edge-hub/store/history.ts';
import type { HubStore } from '../../edge-hub/store/hub-store.ts';
import { makeEvent } from './hub.ts';

/** A child's history on a hub, for the tests of `genkan child export` (edge-hub/facility/child-export.ts). */

type Child = SnapshotContent['children'][number];
export const child = (id: string, overrides: Partial<Child> = {}): Child => ({
  id,
  name: '山田 太郎',
  kana: 'やまだ たろう',
  classId: 'k1',
  careType: 'standard',
  enrolledOn: null,
  leftOn: null,
  ...overrides,
});

/**
 * Seeds a hub store with the child c001's history: on the roster from 2026-04-10 in ひよこ組 (a rules change
 * on 2026-10-01 changes nothing for the child), in りす組 from 2027-04-01, gone from 2028-04-01; two
 * imports naming its guardians (one renamed), events, a correction and audit entries; and another child.
 */
export function seedChildHistory(store: HubStore): { events: string[] } {
  const base = store.history.versions()[0]?.content;
  if (base === undefined) throw new Error('no seed version');
  const classes = [
    { id: 'k1', name: 'ひよこ組' },
    { id: 'k2', name: 'りす組' },
  ];
  const c002 = child('c002', { name: '佐藤 一', kana: 'さとう はじめ' });
  const guardians = (name: string): DatedRoster['guardians'] => [
    { id: 'g001', name, childIds: ['c001'], credentials: ['cafebabe-card-hash'] },
    { id: 'g002', name: '佐藤 二', childIds: ['c002'], credentials: [] },
  ];
  const first = makeEvent({ childId: 'c001', occurredAt: '2027-05-10T08:00:00.000+09:00', seq: 1 });
  const second = makeEvent({
    childId: 'c001',
    type: 'check_out',
    occurredAt: '2027-05-10T17:00:00.000+09:00',
    seq: 2,
  });
  store.events.insertEvents([second, makeEvent({ childId: 'c002', seq: 3 }), first]);
  store.transaction(() => {
    store.history.issue('2026-04-01', {
      ...base,
      classes,
      children: [child('c001', { enrolledOn: '2026-04-10' }), c002],
    });
    store.history.issue('2026-10-01', {
      ...base,
      extendedCare: { ...base.extendedCare, graceMinutes: 10 },
      classes,
      children: [child('c001', { enrolledOn: '2026-04-10' }), c002],
    });
    store.history.issue('2027-04-01', {
      ...base,
      classes,
      children: [child('c001', { enrolledOn: '2026-04-10', classId: 'k2' }), c002],
    });
    store.history.issue('2028-04-01', { ...base, classes, children: [c002] });
    const roster = (name: string): DatedRoster => ({
      classes,
      children: [
        { ...child('c001'), enrolledOn: '2026-04-10', birthDate: null },
        { ...c002, birthDate: null },
      ],
      guardians: guardians(name),
    });
    store.history.recordImport('2026-04-01', roster('山田 花子'));
    store.history.recordImport('2027-04-01', roster('山田 はな'));
    store.corrections.insert({
      id: '33333333-3333-4333-8333-333333333333',
      childId: 'c001',
      date: '2027-05-11',
      createdAt: '2027-05-12T09:00:00.000+09:00',
      actor: 's1',
      actorName: '保育 花子',
      childName: '山田 太郎',
      reason: 'forgot to tap',
      before: { checkIn: null, checkOut: null, absent: null },
      after: { checkIn: '08:10', checkOut: '17:00', absent: null },
      eventIds: [],
      amendment: false,
    });
    store.audit.append({
      actorKind: 'staff',
      actorId: 's1',
      action: 'tablet.check_in',
      subject: 'child:c001',
      outcome: 'ok',
    });
    store.audit.append({
      actorKind: 'staff',
      actorId: 's1',
      action: 'tablet.check_in',
      subject: 'child:c002',
      outcome: 'ok',
    });
  });
  return { events: [first.id, second.id] };
}
