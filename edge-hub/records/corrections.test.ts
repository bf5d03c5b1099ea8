import { beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.ts';
import { fixedClock } from '../../common/time.ts';
import type { CorrectionRequest } from '../../protocol/index.ts';
import { addStaff, setStaffEnabled } from '../access/staff-accounts.ts';
import type { StoredEvent } from '../store/events.ts';
import type { HubStore } from '../store/hub-store.ts';
import { makeEvent, TEST_ROSTER, useTempHubStore } from '../../test/support/hub.ts';
import { seedSnapshot } from '../../test/support/records.ts';
import { CORRECTIONS_DEVICE_ID } from './context.ts';
import { Records } from './service.ts';

/** Now: 2026-04-10 12:00 in Tokyo. */
const NOW = '2026-04-10T12:00:00+09:00';
const at = (date: string, hhmm: string) => `${date}T${hhmm}:00+09:00`;

describe('past-day corrections (domain, on-disk store)', () => {
  let store: HubStore;
  let records: Records;
  let committed: StoredEvent[][];
  useTempHubStore(
    (opened) => {
      store = opened;
    },
    { roster: TEST_ROSTER },
  );
  beforeEach(async () => {
    seedSnapshot(store, { c004: { enrolledOn: '2026-04-06' } });
    await addStaff(store, { id: 's1', name: '保育 花子', pin: '2468' });
    await addStaff(store, { id: 'gone', name: '退職 一郎', pin: '1357' });
    setStaffEnabled(store, 'gone', false);
    committed = [];
    records = new Records({
      store,
      clock: fixedClock(NOW),
      timeZone: 'Asia/Tokyo',
      facilityId: 'f1',
      logger: silentLogger(),
      onCommitted: (stored) => committed.push([...stored]),
    });
    store.events.insertEvents([
      // 04-03: c001 came at 08:00, no check-out; c002 left at 17:00, no check-in
      makeEvent({ childId: 'c001', occurredAt: at('2026-04-03', '08:00') }),
      makeEvent({ childId: 'c002', type: 'check_out', occurredAt: at('2026-04-03', '17:00') }),
      // 04-06: c003 08:30–16:00
      makeEvent({ childId: 'c003', occurredAt: at('2026-04-06', '08:30') }),
      makeEvent({ childId: 'c003', type: 'check_out', occurredAt: at('2026-04-06', '16:00') }),
      // 03-20: c001 08:00, no check-out
      makeEvent({ childId: 'c001', occurredAt: at('2026-03-20', '08:00') }),
    ]);
  });

  const correct = (request: Partial<CorrectionRequest>) =>
    records.correct(
      { childId: 'c001', date: '2026-04-03', reason: '打刻漏れ', actor: 's1', ...request },
      'api',
    );
  const byId = (id: string) => store.events.eventById(id);
  const stateOf = (childId: string, date: string) =>
    store.corrections
      .between(date, date)
      .filter((c) => c.childId === childId)
      .at(-1)?.after;

  it('adds a forgotten check-out: one staff event with the reason, the correction and its audit entry', () => {
    const result = correct({ checkOut: '18:40' });
    expect(result.events).toHaveLength(1);
    const event = byId(result.events[0] ?? '');
    expect(event).toMatchObject({
      type: 'check_out',
      childId: 'c001',
      occurredAt: '2026-04-03T18:40:00.000+09:00',
      deviceId: CORRECTIONS_DEVICE_ID,
      method: 'staff',
      actor: 's1',
      note: '打刻漏れ',
    });
    expect(committed).toEqual([[{ event, localDate: '2026-04-03' }]]);

    const [record] = store.corrections.between('2026-04-03', '2026-04-03');
    expect(record).toMatchObject({
      id: result.correctionId,
      childId: 'c001',
      childName: '山田 太郎',
      actor: 's1',
      actorName: '保育 花子',
      reason: '打刻漏れ',
      before: { checkIn: '08:00', checkOut: null, absent: null },
      after: { checkIn: '08:00', checkOut: '18:40', absent: null },
      eventIds: result.events,
      amendment: false,
    });
    const audit = store.audit.all().find((a) => a.action === 'ledger.correct');
    expect(audit).toMatchObject({
      actorKind: 'staff',
      actorId: 's1',
      subject: 'child:c001',
      outcome: 'ok',
      before: { date: '2026-04-03', checkIn: '08:00', checkOut: null, absent: null },
      after: {
        date: '2026-04-03',
        checkIn: '08:00',
        checkOut: '18:40',
        absent: null,
        correctionId: result.correctionId,
        events: result.events,
        reason: '打刻漏れ',
        amendment: false,
        via: 'api',
      },
    });
  });

  it('moves a check-in: voids the old one first, the reason on the first event only', () => {
    const result = correct({ childId: 'c003', date: '2026-04-06', checkIn: '07:45' });
    const events = result.events.map(byId);
    expect(events.map((e) => e?.type)).toEqual(['void', 'check_in']);
    expect(events[0]).toMatchObject({ note: '打刻漏れ', occurredAt: '2026-04-10T12:00:00.000+09:00' });
    expect(events[1]?.note).toBeUndefined();
    expect(events[1]?.occurredAt).toBe('2026-04-06T07:45:00.000+09:00');
    expect(stateOf('c003', '2026-04-06')).toEqual({ checkIn: '07:45', checkOut: '16:00', absent: null });
  });

  it('turns a day into an absence and back', () => {
    const absent = correct({ childId: 'c003', date: '2026-04-06', absent: { reason: 'sick', note: '発熱' } });
    const events = absent.events.map(byId);
    expect(events.map((e) => e?.type)).toEqual(['void', 'void', 'absent']);
    expect(events[2]).toMatchObject({ note: 'sick: 発熱', occurredAt: '2026-04-06T00:00:00.000+09:00' });
    expect(events.filter((e) => e?.note === '打刻漏れ')).toHaveLength(1);
    expect(stateOf('c003', '2026-04-06')).toEqual({
      checkIn: null,
      checkOut: null,
      absent: { reason: 'sick', note: '発熱' },
    });

    const back = correct({ childId: 'c003', date: '2026-04-06', checkIn: '08:30', checkOut: '16:00' });
    expect(back.events.map((id) => byId(id)?.type)).toEqual(['void', 'check_in', 'check_out']);
  });

  it('adds a forgotten check-in and keeps the check-out', () => {
    const result = correct({ childId: 'c002', checkIn: '08:15' });
    expect(result.events.map((id) => byId(id)?.type)).toEqual(['check_in']);
    expect(stateOf('c002', '2026-04-03')).toEqual({ checkIn: '08:15', checkOut: '17:00', absent: null });
  });

  it('refuses with a code and stores nothing', () => {
    const count = store.events.countEvents();
    const cases: [Partial<CorrectionRequest>, string][] = [
      [{ date: '2026-02-30', checkOut: '18:00' }, 'bad_date'],
      [{ date: '2026-04-11', checkOut: '18:00' }, 'future_date'],
      // Before the retention period (5 years after the fiscal year): disposed of, never written again.
      [{ date: '2021-03-31', checkOut: '18:00' }, 'bad_date'],
      [{ actor: 'nobody', checkOut: '18:00' }, 'unknown_staff'],
      [{ actor: 'gone', checkOut: '18:00' }, 'unknown_staff'],
      [{ childId: 'c999', checkOut: '18:00' }, 'unknown_child'],
      // enrolled from 04-06 on
      [{ childId: 'c004', checkIn: '08:00' }, 'unknown_child'],
      [{ checkOut: '07:59' }, 'check_out_before_check_in'],
      [{ checkIn: null, checkOut: '18:00' }, 'check_out_before_check_in'],
      [{ childId: 'c003', date: '2026-04-07', checkOut: '18:00' }, 'check_out_before_check_in'],
      [{ absent: { reason: 'sick' }, checkIn: '08:00' }, 'absent_and_present'],
      [{ checkIn: '08:00' }, 'no_change'],
      [{ childId: 'c003', date: '2026-04-07', checkIn: null }, 'no_change'],
      [{ date: '2026-04-10', checkIn: '12:01' }, 'future_time'],
      [{ reason: '改行\nあり', checkOut: '18:00' }, 'bad_text'],
    ];
    for (const [request, code] of cases) {
      expect(() => correct(request), code).toThrow(expect.objectContaining({ code, kind: 'invalid' }));
    }
    expect(store.events.countEvents()).toBe(count);
    expect(store.corrections.between('0001-01-01', '9999-12-31')).toEqual([]);
    expect(store.audit.all().filter((a) => a.action === 'ledger.correct')).toEqual([]);
    expect(committed).toEqual([]);
  });

  it('corrects a day of a closed month only as an amendment', () => {
    const closed = records.closeMonth('2026-03', 's1', 'api');
    expect(closed).toEqual({
      month: '2026-03',
      state: 'closed',
      closedAt: '2026-04-10T12:00:00.000+09:00',
      closedBy: 's1',
      amendments: 0,
    });
    const request = { date: '2026-03-20', checkOut: '17:00' };
    expect(() => correct(request)).toThrow(
      expect.objectContaining({ code: 'month_closed', kind: 'conflict' }),
    );
    // On an open month the flag is no amendment.
    correct({ checkOut: '17:00', amendment: true });
    expect(store.corrections.amendments('2026-04-01', '2026-04-30')).toEqual([]);

    const result = correct({ ...request, amendment: true });
    expect(store.corrections.amendments('2026-03-01', '2026-03-31')).toEqual([
      expect.objectContaining({
        correctionId: result.correctionId,
        date: '2026-03-20',
        childId: 'c001',
        childName: '山田 太郎',
        before: { checkIn: '08:00', checkOut: null, absent: null },
        after: { checkIn: '08:00', checkOut: '17:00', absent: null },
        actor: 's1',
        actorName: '保育 花子',
        reason: '打刻漏れ',
      }),
    ]);
    expect(records.months().find((m) => m.month === '2026-03')).toMatchObject({
      state: 'closed',
      amendments: 1,
    });
  });

  it('lists the open days of a month up to yesterday, by date then child; a correction closes one', () => {
    // Today's open check-in is not over yet; c004's day before its enrolment is not listed.
    store.events.insertEvents([
      makeEvent({ childId: 'c001', occurredAt: at('2026-04-10', '08:00') }),
      makeEvent({ childId: 'c004', occurredAt: at('2026-04-02', '08:00') }),
      makeEvent({ childId: 'c004', occurredAt: at('2026-04-08', '08:00') }),
    ]);
    expect(records.openDays('2026-04')).toEqual({
      month: '2026-04',
      openDays: [
        { childId: 'c001', date: '2026-04-03', missing: 'check_out' },
        { childId: 'c002', date: '2026-04-03', missing: 'check_in' },
        { childId: 'c004', date: '2026-04-08', missing: 'check_out' },
      ],
    });
    correct({ checkOut: '18:00' });
    expect(records.openDays('2026-04').openDays.map((d) => d.childId)).toEqual(['c002', 'c004']);
    expect(records.openDays('2026-03').openDays).toEqual([
      { childId: 'c001', date: '2026-03-20', missing: 'check_out' },
    ]);
    expect(records.openDays('2026-05').openDays).toEqual([]);
  });

  it('lists the months from the first record, and closes only what is over, once', () => {
    expect(records.months().map((m) => [m.month, m.state])).toEqual([
      ['2026-03', 'open'],
      ['2026-04', 'open'],
    ]);
    const refusals: [string, string, string][] = [
      ['2026-04', 's1', 'month_not_over'],
      ['2026-05', 's1', 'month_not_over'],
      ['2026-02', 's1', 'month_not_over'],
      ['2026-03', 'nobody', 'unknown_staff'],
      ['2026-03', 'gone', 'unknown_staff'],
    ];
    for (const [month, actor, code] of refusals) {
      expect(() => records.closeMonth(month, actor, 'admin'), `${month} ${actor}`).toThrow(
        expect.objectContaining({ code }),
      );
    }
    records.closeMonth('2026-03', 's1', 'admin');
    expect(() => records.closeMonth('2026-03', 's1', 'admin')).toThrow(
      expect.objectContaining({ code: 'month_already_closed', kind: 'conflict' }),
    );
    expect(store.audit.all().filter((a) => a.action === 'month.close')).toEqual([
      expect.objectContaining({
        actorKind: 'staff',
        actorId: 's1',
        subject: 'month:2026-03',
        outcome: 'ok',
        after: { month: '2026-03', closedAt: '2026-04-10T12:00:00.000+09:00', via: 'admin' },
      }),
    ]);
  });
});

describe('months of a hub with no records', () => {
  let store: HubStore;
  useTempHubStore((opened) => {
    store = opened;
  });

  it('lists the current month alone, and has nothing to close', async () => {
    await addStaff(store, { id: 's1', name: '保育 花子', pin: '2468' });
    const records = new Records({
      store,
      clock: fixedClock(NOW),
      timeZone: 'Asia/Tokyo',
      facilityId: 'f1',
      logger: silentLogger(),
      onCommitted: () => undefined,
    });
    expect(records.months()).toEqual([
      { month: '2026-04', state: 'open', closedAt: null, closedBy: null, amendments: 0 },
    ]);
    expect(() => records.closeMonth('2026-03', 's1', 'api')).toThrow(
      expect.objectContaining({ code: 'month_not_over' }),
    );
  });
});
