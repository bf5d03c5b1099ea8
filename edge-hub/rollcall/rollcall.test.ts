import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.ts';
import { prng } from '../../common/random.ts';
import { fixedClock } from '../../common/time.ts';
import { RollcallSchema, type AttendanceEvent, type Rollcall } from '../../protocol/index.ts';
import { importRoster } from '../facility/roster.ts';
import { foldDay, NOT_ARRIVED, rollcallLayout, RollcallService } from './rollcall.ts';
import { HubStore } from '../store/hub-store.ts';
import { makeEvent, removeDir, tempDir, TEST_ROSTER } from '../../test/support/hub.ts';

const at = (hhmm: string) => `2026-04-01T${hhmm}:00+09:00`;
const ev = (type: AttendanceEvent['type'], hhmm: string, extra: Partial<AttendanceEvent> = {}) =>
  makeEvent({ type, occurredAt: at(hhmm), ...extra });

describe('foldDay', () => {
  it('is not_arrived without events', () => {
    expect(foldDay([]).get('c001')).toBeUndefined();
    expect(NOT_ARRIVED).toEqual({ status: 'not_arrived', checkInAt: null, checkOutAt: null });
  });

  it('check-in then check-out: left, with both times', () => {
    const days = foldDay([ev('check_out', '17:00'), ev('check_in', '08:00')]);
    expect(days.get('c001')).toEqual({ status: 'left', checkInAt: at('08:00'), checkOutAt: at('17:00') });
  });

  it('keeps the first check-in and the last check-out after it', () => {
    const days = foldDay([
      ev('check_in', '08:00'),
      ev('check_in', '08:05'),
      ev('check_out', '12:00'),
      ev('check_out', '17:00'),
    ]);
    expect(days.get('c001')).toEqual({ status: 'left', checkInAt: at('08:00'), checkOutAt: at('17:00') });
  });

  it('a child who comes back is present again', () => {
    const days = foldDay([ev('check_in', '08:00'), ev('check_out', '12:00'), ev('check_in', '13:00')]);
    expect(days.get('c001')).toEqual({ status: 'present', checkInAt: at('08:00'), checkOutAt: at('12:00') });
  });

  it('ignores a check-out with no check-in before it', () => {
    expect(foldDay([ev('check_out', '09:00')]).get('c001')).toEqual(NOT_ARRIVED);
  });

  it('absent before arrival; a later check-in makes the child present', () => {
    expect(foldDay([ev('absent', '07:00')]).get('c001')?.status).toBe('absent');
    expect(foldDay([ev('absent', '07:00'), ev('check_in', '10:00')]).get('c001')?.status).toBe('present');
    expect(foldDay([ev('check_in', '08:00'), ev('absent', '09:00')]).get('c001')?.status).toBe('present');
  });

  it('orders by instant, not by text, across offsets', () => {
    // 08:30 Tokyo written in UTC sorts after 08:00 Tokyo though its text sorts first
    const days = foldDay([
      makeEvent({ type: 'check_out', occurredAt: '2026-03-31T23:30:00Z' }),
      ev('check_in', '08:00'),
    ]);
    expect(days.get('c001')?.status).toBe('left');
  });

  it('a void removes the event it names, wherever it sits', () => {
    const checkOut = ev('check_out', '17:00');
    const checkIn = ev('check_in', '08:00');
    const days = foldDay([checkIn, checkOut, ev('void', '07:00', { voids: checkOut.id })]);
    expect(days.get('c001')).toEqual({ status: 'present', checkInAt: at('08:00'), checkOutAt: null });
    const noShow = foldDay([checkIn, ev('void', '09:00', { voids: checkIn.id })]);
    expect(noShow.get('c001')).toEqual(NOT_ARRIVED);
  });

  it('voiding a void brings its event back', () => {
    const checkIn = ev('check_in', '08:00');
    const v1 = ev('void', '09:00', { voids: checkIn.id });
    const v2 = ev('void', '09:30', { voids: v1.id });
    expect(foldDay([checkIn, v1, v2]).get('c001')?.status).toBe('present');
  });

  it('keeps children apart', () => {
    const days = foldDay([ev('check_in', '08:00'), ev('absent', '08:00', { childId: 'c002' })]);
    expect(days.get('c001')?.status).toBe('present');
    expect(days.get('c002')?.status).toBe('absent');
  });
});

describe('rollcallLayout', () => {
  it('lists classes in roster order and children by kana', () => {
    const layout = rollcallLayout({
      classes: [
        { id: 'b', name: 'B' },
        { id: 'a', name: 'A' },
      ],
      children: [
        { id: 'c1', name: 'Taro', kana: 'たろう', classId: 'a', careType: 'standard', birthDate: null },
        { id: 'c2', name: 'Aiko', kana: 'あいこ', classId: 'a', careType: 'standard', birthDate: null },
        { id: 'c3', name: 'Kenta', kana: 'ケンタ', classId: 'b', careType: 'standard', birthDate: null },
        { id: 'c4', name: 'Iori', kana: 'いおり', classId: 'b', careType: 'standard', birthDate: null },
      ],
      guardians: [],
    });
    expect(layout.classes.map((c) => [c.id, c.children.map((x) => x.id)])).toEqual([
      ['b', ['c4', 'c3']],
      ['a', ['c2', 'c1']],
    ]);
  });
});

describe('RollcallService', () => {
  let dir: string;
  let store: HubStore;
  let published: Rollcall[];
  let waiters: ((r: Rollcall) => void)[];
  let service: RollcallService;
  let now: Date;

  beforeEach(async () => {
    dir = await tempDir();
    store = HubStore.open(dir);
    importRoster(store, TEST_ROSTER);
    published = [];
    waiters = [];
    now = new Date(at('10:00'));
    service = new RollcallService({
      store,
      clock: { now: () => now },
      logger: silentLogger(),
      facilityId: 'f1',
      timeZone: 'Asia/Tokyo',
      roster: store.roster.read(),
      publish: (r) => {
        published.push(r);
        waiters.shift()?.(r);
      },
      throttleMs: 10,
    });
  });
  afterEach(async () => {
    service.close();
    store.close();
    await removeDir(dir);
  });

  const statusOf = (r: Rollcall, childId: string) =>
    r.classes.flatMap((c) => c.children).find((c) => c.id === childId)?.status;

  const commit = (events: AttendanceEvent[]) => {
    service.onCommitted(store.events.insertEvents(events).inserted);
  };

  const nextPublish = () =>
    new Promise<Rollcall>((resolve) => {
      waiters.push(resolve);
    });

  it('starts from the database and follows commits, publishing a valid snapshot', async () => {
    const checkIn = ev('check_in', '08:00');
    store.events.insertEvents([checkIn]);
    const fresh = new RollcallService({
      store,
      clock: fixedClock(at('10:00')),
      logger: silentLogger(),
      facilityId: 'f1',
      timeZone: 'Asia/Tokyo',
      roster: store.roster.read(),
      publish: () => undefined,
    });
    expect(statusOf(fresh.snapshot(), 'c001')).toBe('present');
    fresh.close();

    expect(statusOf(service.snapshot(), 'c002')).toBe('not_arrived');
    const published = nextPublish();
    commit([ev('check_in', '08:10', { childId: 'c002' })]);
    const snap = await published;
    expect(RollcallSchema.parse(snap)).toEqual(snap);
    expect(snap.date).toBe('2026-04-01');
    expect(statusOf(snap, 'c002')).toBe('present');
  });

  it('coalesces bursts but always publishes the last change', async () => {
    service.publishNow();
    const next = nextPublish();
    const checkIn = ev('check_in', '08:00');
    commit([checkIn]);
    commit([ev('check_in', '08:01', { childId: 'c002' })]);
    commit([ev('void', '08:02', { voids: checkIn.id })]);
    const snap = await next;
    expect(published).toHaveLength(2);
    expect(statusOf(snap, 'c001')).toBe('not_arrived');
    expect(statusOf(snap, 'c002')).toBe('present');
  });

  it('applies late (out-of-order) events and voids filed under another day', () => {
    const checkOut = ev('check_out', '17:00');
    commit([checkOut]);
    expect(statusOf(service.snapshot(), 'c001')).toBe('not_arrived');
    commit([ev('check_in', '08:00')]);
    expect(statusOf(service.snapshot(), 'c001')).toBe('left');
    // staff void today's check-out the next morning: the void is filed under 2 April
    commit([makeEvent({ type: 'void', voids: checkOut.id, occurredAt: '2026-04-02T07:00:00+09:00' })]);
    expect(statusOf(service.snapshot(), 'c001')).toBe('present');
  });

  it('starts over at the day change', () => {
    commit([ev('check_in', '08:00')]);
    expect(statusOf(service.snapshot(), 'c001')).toBe('present');
    now = new Date('2026-04-02T00:00:01+09:00');
    service.checkDay();
    const snap = service.snapshot();
    expect(snap.date).toBe('2026-04-02');
    expect(statusOf(snap, 'c001')).toBe('not_arrived');
  });

  it.each([
    ['without voids', 0],
    ['with voids', 0.05],
  ])('agrees with foldDay whatever order events arrive in (%s)', (_name, voidRate) => {
    const rand = prng(42);
    const types = ['check_in', 'check_out', 'absent'] as const;
    const all: AttendanceEvent[] = [];
    const children = () => service.snapshot().classes.flatMap((c) => c.children);
    for (let round = 0; round < 300; round++) {
      const childId = `c00${1 + Math.floor(rand() * 4)}`;
      const minute = String(Math.floor(rand() * 60)).padStart(2, '0');
      const hour = String(7 + Math.floor(rand() * 11)).padStart(2, '0');
      const targets = all.filter((e) => e.childId === childId);
      const target = targets[Math.floor(rand() * targets.length)];
      const event =
        target && rand() < voidRate
          ? ev('void', `${hour}:${minute}`, { childId, voids: target.id })
          : ev(types[Math.floor(rand() * 3)] ?? 'check_in', `${hour}:${minute}`, { childId });
      all.push(event);
      commit([event]);
      if (rand() < 0.3) {
        const expected = foldDay(all);
        for (const child of children()) {
          const { status, checkInAt, checkOutAt } = expected.get(child.id) ?? NOT_ARRIVED;
          expect(child, `${child.id} after ${all.length} events`).toMatchObject({
            status,
            checkInAt,
            checkOutAt,
          });
        }
      }
    }
  });
});
