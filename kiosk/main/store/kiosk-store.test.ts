import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventSchema, type AttendanceEvent } from '../../../protocol/index.ts';
import { newEventId } from '../../../common/ids.ts';
import { openDatabase, schemaVersion } from '../../../common/sqlite.ts';
import { makeRollcall, makeRoster } from '../../../test/support/kiosk/fixtures.ts';
import { openKioskEventStore } from './event-store.ts';
import { KIOSK_DB_FILE, KioskStore } from './kiosk-store.ts';
import { kioskMigrations } from './migrations.ts';
import type { EventDraft } from './outbox.ts';

let dir: string;
const stores: KioskStore[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'genkan-outbox-'));
});
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(): KioskStore {
  const s = KioskStore.open(dir);
  stores.push(s);
  return s;
}

const T0 = new Date('2026-04-01T00:00:00Z');

function draft(overrides: Partial<EventDraft> = {}): EventDraft {
  return {
    id: newEventId(),
    type: 'check_in',
    childId: 'c1',
    occurredAt: '2026-04-01T08:15:02.120+09:00',
    deviceId: 'kiosk-1',
    method: 'card',
    actor: 'g1',
    ...overrides,
  };
}

function event(overrides: Partial<AttendanceEvent> = {}): AttendanceEvent {
  return { ...draft(), seq: 1, ...overrides };
}

function tables(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((r) => r.name);
  } finally {
    db.close();
  }
}

describe('migrations', () => {
  it('1 creates the outbox and meta tables', () => {
    const file = join(dir, KIOSK_DB_FILE);
    const db = openDatabase(file, { migrations: kioskMigrations, targetVersion: 1 });
    expect(schemaVersion(db)).toBe(1);
    db.prepare(
      `INSERT INTO outbox (id, seq, device_id, child_id, type, occurred_at, occurred_ms, payload, created_at)
       VALUES ('a', 1, 'd', 'c', 'check_in', 't', 0, '{}', 't')`,
    ).run();
    db.close();
    expect(tables(file)).toEqual(['meta', 'outbox']);
  });

  it('2 adds the roster and roll-call caches and keeps existing outbox rows', () => {
    const file = join(dir, KIOSK_DB_FILE);
    const v1 = openDatabase(file, { migrations: kioskMigrations, targetVersion: 1 });
    const e = event();
    v1.prepare(
      `INSERT INTO outbox (id, seq, device_id, child_id, type, occurred_at, occurred_ms, payload, created_at)
       VALUES (?, 1, 'kiosk-1', 'c1', 'check_in', ?, ?, ?, 't')`,
    ).run(e.id, e.occurredAt, Date.parse(e.occurredAt), JSON.stringify(e));
    v1.close();
    const store = open();
    // open() runs every migration: 3 adds the guardian PIN lockouts.
    expect(tables(file)).toEqual([
      'guardian_pin_lockouts',
      'meta',
      'outbox',
      'rollcall_cache',
      'roster_cache',
    ]);
    expect(store.outbox.pending()).toEqual([e]);
  });

  it('are numbered 1..n', () => {
    expect(kioskMigrations.map((m) => m.version)).toEqual(kioskMigrations.map((_, i) => i + 1));
  });
});

describe('KioskStore outbox', () => {
  it('appends with consecutive sequence numbers that survive a restart', () => {
    const store = open();
    const a = store.outbox.append([draft(), draft({ childId: 'c2' })], T0);
    expect(a.map((e) => e.seq)).toEqual([1, 2]);
    for (const e of a) expect(EventSchema.safeParse(e).success).toBe(true);
    store.close();
    const again = open();
    expect(again.outbox.nextSeq()).toBe(3);
    const b = again.outbox.append([draft()], T0);
    expect(b.map((e) => e.seq)).toEqual([3]);
    expect(again.outbox.pending().map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('stores all events of a tap or none, leaving no gap in seq', () => {
    const store = open();
    store.outbox.append([draft()], T0);
    const bad = draft({ childId: 'not/an/id' });
    expect(() => store.outbox.append([draft(), bad], T0)).toThrow(
      expect.objectContaining({ code: 'invalid_event' }) as Error,
    );
    const dup = store.outbox.pending()[0]?.id ?? '';
    expect(() => store.outbox.append([draft(), draft({ id: dup })], T0)).toThrow(
      expect.objectContaining({ code: 'duplicate_event' }) as Error,
    );
    expect(store.outbox.counts().total).toBe(1);
    expect(store.outbox.append([draft()], T0).map((e) => e.seq)).toEqual([2]);
  });

  it('lists pending events oldest first, after a seq and up to a limit', () => {
    const store = open();
    const ids = store.outbox.append([draft(), draft(), draft(), draft()], T0).map((e) => e.id);
    expect(store.outbox.pending().map((e) => e.id)).toEqual(ids);
    expect(store.outbox.pending({ afterSeq: 1, limit: 2 }).map((e) => e.seq)).toEqual([2, 3]);
    expect(store.outbox.pendingByIds([ids[3] ?? '', ids[0] ?? '', 'unknown']).map((e) => e.seq)).toEqual([
      1, 4,
    ]);
  });

  it('marks acked and rejected idempotently, ignoring unknown ids', () => {
    const store = open();
    const [a, b, c] = store.outbox.append([draft(), draft(), draft()], T0).map((e) => e.id) as [
      string,
      string,
      string,
    ];
    expect(store.outbox.markAcked([a, 'nope'], T0)).toEqual([a]);
    expect(store.outbox.markAcked([a], T0)).toEqual([]);
    const rej = { id: b, code: 'unknown_child', message: 'childId is not on the roster' };
    expect(store.outbox.markRejected([rej, { id: null, code: 'invalid_json', message: 'x' }])).toEqual([rej]);
    expect(store.outbox.markRejected([rej])).toEqual([]);
    // An acknowledged event cannot be rejected afterwards, nor a rejected one acknowledged.
    expect(store.outbox.markRejected([{ ...rej, id: a }])).toEqual([]);
    expect(store.outbox.markAcked([b], T0)).toEqual([]);
    expect(store.outbox.pending().map((e) => e.id)).toEqual([c]);
    expect(store.outbox.counts()).toEqual({ total: 3, pending: 1, acked: 1, rejected: 1 });
    expect(store.outbox.pendingCount()).toBe(1);
    expect(store.outbox.row(b)?.rejected).toEqual({
      code: 'unknown_child',
      message: 'childId is not on the roster',
    });
    expect(store.outbox.row(a)?.ackedAt).toBe(T0.toISOString());
  });

  it('binds the data directory to one device', () => {
    const store = open();
    store.identity.bindDevice('kiosk-1');
    store.identity.bindDevice('kiosk-1');
    expect(() => {
      store.identity.bindDevice('kiosk-2');
    }).toThrow(expect.objectContaining({ code: 'device_mismatch' }) as Error);
  });

  it('finds a child’s events of the day that the roll-call may not show yet', () => {
    const store = open();
    const [early, late, other] = store.outbox.append(
      [
        draft({ childId: 'c1', occurredAt: '2026-04-01T08:00:00.000+09:00' }),
        draft({ childId: 'c1', type: 'check_out', occurredAt: '2026-04-01T17:00:00.000+09:00' }),
        draft({ childId: 'c2', occurredAt: '2026-04-01T08:00:00.000+09:00' }),
      ],
      T0,
    ) as [AttendanceEvent, AttendanceEvent, AttendanceEvent];
    store.outbox.append([draft({ childId: 'c1', occurredAt: '2026-03-31T23:59:00.000+09:00' })], T0);
    const rejected = store.outbox.append(
      [draft({ childId: 'c1', occurredAt: '2026-04-01T09:00:00.000+09:00' })],
      T0,
    );
    store.outbox.markRejected([{ id: rejected[0]?.id ?? '', code: 'x', message: 'x' }]);
    store.outbox.markAcked([early.id, other.id], new Date('2026-04-01T00:00:10Z'));
    const day = { date: '2026-04-01', timeZone: 'Asia/Tokyo' };
    const types = (ackedSince: string | null) =>
      store.outbox
        .dayEventsFor(['c1'], { ...day, ackedSince })
        .map((e) => `${e.type}@${e.occurredAt.slice(11, 16)}`);
    expect(types(null)).toEqual(['check_in@08:00', 'check_out@17:00']);
    // Acknowledged before the roll-call in hand was received: the roll-call shows it already.
    expect(types('2026-04-01T00:00:20.000Z')).toEqual(['check_out@17:00']);
    expect(types('2026-04-01T00:00:10.000Z')).toEqual(['check_in@08:00', 'check_out@17:00']);
    expect(late.type).toBe('check_out');
  });

  it('caches the roster and roll-call per facility', () => {
    const store = open();
    expect(store.identity.facilityId()).toBeUndefined();
    const roster = makeRoster();
    store.transaction(() => {
      store.identity.setFacilityId(roster.facilityId);
      store.cache.saveRoster(roster, T0);
    });
    expect(store.identity.facilityId()).toBe('nursery-1');
    expect(store.cache.loadRoster('nursery-1')).toEqual({ value: roster, receivedAt: T0.toISOString() });
    expect(store.cache.loadRoster('other')).toBeUndefined();
    store.cache.saveRoster({ ...roster, version: 2 }, T0);
    expect(store.cache.loadRoster('nursery-1')?.value.version).toBe(2);
    const rc = makeRollcall('2026-04-01');
    store.cache.saveRollcall(rc, T0);
    store.close();
    const again = open();
    expect(again.cache.loadRollcall('nursery-1')?.value).toEqual(rc);
    expect(again.cache.loadRollcall('other')).toBeUndefined();
  });

  it('treats a cached roster or roll-call that no longer reads as a miss', () => {
    const store = open();
    const roster = makeRoster();
    store.transaction(() => {
      store.identity.setFacilityId(roster.facilityId);
      store.cache.saveRoster(roster, T0);
    });
    store.cache.saveRollcall(makeRollcall('2026-04-01'), T0);
    const db = new Database(store.file);
    try {
      db.prepare('UPDATE roster_cache SET json = \'{"facilityId":\'').run();
      db.prepare('UPDATE rollcall_cache SET json = \'{"facilityId":"nursery-1"}\'').run();
    } finally {
      db.close();
    }
    expect(store.cache.loadRoster('nursery-1')).toBeUndefined();
    expect(store.cache.loadRollcall('nursery-1')).toBeUndefined();
  });

  it('keeps a committed event visible to another connection at once', () => {
    const store = open();
    const [e] = store.outbox.append([draft()], T0);
    const reader = new Database(store.file, { readonly: true });
    try {
      expect(reader.prepare('SELECT id FROM outbox').all()).toEqual([{ id: e?.id }]);
    } finally {
      reader.close();
    }
  });
});

describe('openKioskEventStore', () => {
  it('implements the EventStore contract on the outbox', async () => {
    const es = openKioskEventStore(dir, 'Asia/Tokyo');
    const a = event({ occurredAt: '2026-04-01T08:00:00.000+09:00', deviceId: 'k2', seq: 1 });
    const b = event({ occurredAt: '2026-04-01T08:00:00.000+09:00', deviceId: 'k1', seq: 7 });
    const c = event({ occurredAt: '2026-03-31T23:30:00Z', deviceId: 'k1', seq: 8 }); // 08:30 on 1 April in Tokyo
    const d = event({ occurredAt: '2026-04-01T15:00:00Z', deviceId: 'k1', seq: 9 }); // 2 April in Tokyo
    expect(await es.insertEvents([a, b, a])).toEqual({ inserted: [a.id, b.id], duplicates: [a.id] });
    expect(await es.insertEvents([{ ...b, childId: 'changed' }, c, d])).toEqual({
      inserted: [c.id, d.id],
      duplicates: [b.id],
    });
    expect(await es.countEvents()).toBe(4);
    // By occurredAt, then deviceId, then seq; the first copy of b wins.
    expect(await es.eventsOn('2026-04-01')).toEqual([b, a, c]);
    expect(await es.eventsOn('2026-04-02')).toEqual([d]);
    expect(await es.eventsOn('2026-04-03')).toEqual([]);
    await es.close();
    const again = openKioskEventStore(dir, 'Asia/Tokyo');
    expect(await again.countEvents()).toBe(4);
    await expect(again.eventsOn('not a date')).rejects.toMatchObject({ code: 'bad_date' });
    await again.close();
  });
});

describe('retention', () => {
  it('deletes settled events older than the cut-off and never a pending one, however old', () => {
    const s = open();
    s.identity.bindDevice('kiosk-1');
    const old = s.outbox.append([draft(), draft(), draft()], T0);
    const [acked, rejected, pending] = old;
    if (!acked || !rejected || !pending) throw new Error('three events expected');
    s.outbox.markAcked([acked.id], T0);
    s.outbox.markRejected([{ id: rejected.id, code: 'unknown_child', message: 'x' }]);
    const later = new Date(T0.getTime() + 40 * 86_400_000);
    const recent = s.outbox.append([draft()], later);
    s.outbox.markAcked(
      recent.map((e) => e.id),
      later,
    );

    expect(s.outbox.pruneSettled(new Date(T0.getTime() + 30 * 86_400_000))).toBe(2);
    expect(s.outbox.counts()).toEqual({ total: 2, pending: 1, acked: 1, rejected: 0 });
    expect(s.outbox.pending().map((e) => e.id)).toEqual([pending.id]);
    // Sequence numbers go on from where they were: the hub tells events apart by id, devices by seq.
    expect(s.outbox.append([draft()], later)[0]?.seq).toBe(5);
  });
});
