import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../common/sqlite.ts';
import type { ParentPickup, PickupPerson } from '../../protocol/parent-pickups.ts';
import { movableClock } from '../../test/support/clock.ts';
import { removeDir, tempDir, useTempHubStore } from '../../test/support/hub.ts';
import { columns, indexes } from '../../test/support/sqlite-schema.ts';
import { HUB_DB_FILE, type HubStore } from './hub-store.ts';
import { hubMigrations } from './migrations.ts';

/** Pickup people, their uploads and parents' plans at the hub (migration 22), staff's confirmations (24). */

const P1 = '11111111-1111-4111-8111-111111111111';
const P2 = '22222222-2222-4222-8222-222222222222';
const JPEG = { data: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), type: 'image/jpeg' };

function testPickup(over: Partial<ParentPickup> = {}): ParentPickup {
  return {
    id: P1,
    guardianId: 'g001',
    childIds: ['c001'],
    date: '2026-04-01',
    time: '17:30',
    person: { id: 'g001', kind: 'guardian', name: 'guardian', relation: '' },
    sentAt: '2026-04-01T08:00:00.000+09:00',
    status: 'sent',
    readAt: null,
    ...over,
  };
}

describe('migration 22', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  it('adds the pickup people, their uploads and the plans, none yet', () => {
    const file = join(dir, HUB_DB_FILE);
    openDatabase(file, { migrations: hubMigrations, targetVersion: 21 }).close();
    const up = openDatabase(file, { migrations: hubMigrations, targetVersion: 22 });
    try {
      expect(columns(up, 'pickup_people')).toEqual([
        'id',
        'child_id',
        'name',
        'relation',
        'photo',
        'photo_type',
        'created_at',
        'updated_at',
      ]);
      expect(columns(up, 'pickup_uploads')).toEqual([
        'child_id',
        'version',
        'relayed_version',
        'people_json',
        'updated_at',
      ]);
      expect(columns(up, 'pickup_plans')).toContain('person_kind');
      expect(indexes(up, 'pickup_plans')).toContain('pickup_plans_date');
      expect(up.prepare('SELECT count(*) AS n FROM pickup_plans').get()).toEqual({ n: 0 });
      // A photo has its type, and a plan's person kind is one the wire has.
      expect(() =>
        up
          .prepare(
            `INSERT INTO pickup_people (id, child_id, name, relation, photo, created_at, updated_at)
             VALUES ('p-1', 'c1', 'n', 'r', x'00', 't', 't')`,
          )
          .run(),
      ).toThrow(/CHECK/);
      expect(() =>
        up
          .prepare(
            `INSERT INTO pickup_plans (id, child_id, guardian_id, date, time, person_kind, person_name,
               relation, sent_at, status, received_at) VALUES ('x', 'c1', 'g1', 'd', 't', 'uncle', 'n', '', 't', 'sent', 't')`,
          )
          .run(),
      ).toThrow(/CHECK/);
    } finally {
      up.close();
    }
  });
});

describe('pickup store', () => {
  let store: HubStore;
  const clock = movableClock('2026-04-01T08:00:00.000+09:00');
  beforeEach(() => {
    clock.set('2026-04-01T08:00:00.000+09:00');
  });
  useTempHubStore(
    (opened) => {
      store = opened;
    },
    { clock },
  );

  it('adds, changes and removes people with an optional photo', () => {
    const a = store.pickups.addPerson({ childId: 'c001', name: '山田 花子', relation: '祖母', photo: JPEG });
    expect(a.id).toMatch(/^p-[A-Za-z0-9_-]{16}$/);
    expect(a).toMatchObject({ childId: 'c001', name: '山田 花子', relation: '祖母', hasPhoto: true });
    clock.set('2026-04-01T09:00:00.000+09:00');
    const b = store.pickups.addPerson({ childId: 'c001', name: '鈴木 一郎', relation: 'おじ', photo: null });
    store.pickups.addPerson({ childId: 'c002', name: 'other', relation: '', photo: null });
    expect(store.pickups.people('c001').map((p) => p.id)).toEqual([a.id, b.id]);
    expect(store.pickups.photo(a.id)).toEqual(JPEG);
    expect(store.pickups.photo(b.id)).toBeUndefined();

    const revision = store.pickups.peopleRevision();
    clock.set('2026-04-01T10:00:00.000+09:00');
    // Name only: the photo stays; null removes it.
    expect(store.pickups.updatePerson(a.id, { name: '山田 花', relation: '祖母' })).toMatchObject({
      name: '山田 花',
      hasPhoto: true,
    });
    expect(store.pickups.peopleRevision()).not.toBe(revision);
    expect(
      store.pickups.updatePerson(a.id, { name: '山田 花', relation: '祖母', photo: null })?.hasPhoto,
    ).toBe(false);
    expect(store.pickups.photo(a.id)).toBeUndefined();
    expect(store.pickups.updatePerson('p-none', { name: 'x', relation: '' })).toBeUndefined();

    expect(store.pickups.removePerson(b.id)?.id).toBe(b.id);
    expect(store.pickups.removePerson(b.id)).toBeUndefined();
    expect(store.pickups.people('c001').map((p) => p.id)).toEqual([a.id]);
  });

  it('versions each child list, once per change, until the cloud takes it', () => {
    const list: PickupPerson[] = [{ id: 'g001', kind: 'guardian', name: 'g', relation: '', hasPhoto: false }];
    expect(store.pickups.putUpload('c001', list)).toEqual({ version: 1, changed: true });
    expect(store.pickups.putUpload('c001', list)).toEqual({ version: 1, changed: false });
    expect(store.pickups.unrelayedUploads(10)).toEqual([
      { childId: 'c001', version: 1, relayedVersion: 0, people: list },
    ]);
    store.pickups.markUploadRelayed('c001', 1);
    expect(store.pickups.unrelayedUploads(10)).toEqual([]);
    const longer = [
      ...list,
      { id: 'p-x', kind: 'person', name: 'p', relation: '祖父', hasPhoto: true } as const,
    ];
    expect(store.pickups.putUpload('c001', longer)).toEqual({ version: 2, changed: true });
    // The cloud holds a later one (a restored hub): the same list goes again with the next version.
    expect(store.pickups.bumpUpload('c001', 2)).toBe(true);
    expect(store.pickups.bumpUpload('c001', 2)).toBe(false);
    expect(store.pickups.unrelayedUploads(10).map((u) => u.version)).toEqual([3]);
  });

  it('stores a plan once per child; the latest sent for a child and day wins; retention by day', () => {
    const first = testPickup({ childIds: ['c001', 'c002'] });
    expect(store.pickups.insertPlan(first)).toBe(2);
    expect(store.pickups.insertPlan(first)).toBe(0);
    const later = testPickup({
      id: P2,
      time: '18:00',
      person: { id: null, kind: 'other', name: '鈴木 一郎', relation: 'おじ' },
      note: '車で',
      // The same instant later, written with another offset.
      sentAt: '2026-03-31T23:30:00.000Z',
    });
    expect(store.pickups.insertPlan(later)).toBe(1);
    const plans = store.pickups.latestPlansOn('2026-04-01');
    expect(plans.get('c001')).toMatchObject({
      id: P2,
      time: '18:00',
      personKind: 'other',
      personId: null,
      personName: '鈴木 一郎',
      note: '車で',
    });
    expect(plans.get('c002')).toMatchObject({ id: P1, personKind: 'guardian', personId: 'g001', note: null });
    expect(store.pickups.latestPlansOn('2026-04-02').size).toBe(0);
    expect(store.pickups.deletePlansBefore('2026-04-01')).toBe(0);
    expect(store.pickups.deletePlansBefore('2026-04-02')).toBe(3);
  });

  it("confirms every child's row of a plan once, and keeps it until the cloud takes it", () => {
    store.pickups.insertPlan(testPickup({ childIds: ['c001', 'c002'] }));
    store.pickups.insertPlan(testPickup({ id: P2, childIds: ['c003'] }));
    expect(store.pickups.unrelayedPlanReads(10)).toEqual([]);
    expect(store.pickups.markPlanRead('33333333-3333-4333-8333-333333333333', 's1')).toBeUndefined();

    clock.set('2026-04-01T10:15:00.000+09:00');
    const first = store.pickups.markPlanRead(P1, 's1');
    expect(first).toMatchObject({
      first: true,
      record: {
        id: P1,
        status: 'read',
        readAt: '2026-04-01T10:15:00.000+09:00',
        readBy: 's1',
        readRelayed: false,
      },
    });
    // A second confirmation, later and by someone else, keeps the first.
    clock.set('2026-04-01T10:20:00.000+09:00');
    expect(store.pickups.markPlanRead(P1, 's2')).toEqual({ first: false, record: first?.record });
    const plans = store.pickups.latestPlansOn('2026-04-01');
    for (const childId of ['c001', 'c002']) {
      expect(plans.get(childId)).toMatchObject({ status: 'read', readBy: 's1' });
    }
    expect(plans.get('c003')).toMatchObject({ status: 'sent', readAt: null, readBy: null });

    // One read per plan, whatever the number of its children; oldest first.
    store.pickups.markPlanRead(P2, 's2');
    expect(store.pickups.unrelayedPlanReads(10)).toEqual([
      { id: P1, readAt: '2026-04-01T10:15:00.000+09:00' },
      { id: P2, readAt: '2026-04-01T10:20:00.000+09:00' },
    ]);
    expect(store.pickups.unrelayedPlanReads(1).map((r) => r.id)).toEqual([P1]);
    store.pickups.markPlanReadsRelayed([P1]);
    expect(store.pickups.unrelayedPlanReads(10).map((r) => r.id)).toEqual([P2]);
    expect(store.pickups.latestPlansOn('2026-04-01').get('c002')?.readRelayed).toBe(true);
    store.pickups.markPlanReadsRelayed([P2]);
    expect(store.pickups.unrelayedPlanReads(10)).toEqual([]);
  });
});
