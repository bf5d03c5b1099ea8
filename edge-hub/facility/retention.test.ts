import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../common/logger.ts';
import type { AttendanceEvent } from '../../protocol/index.ts';
import type { ParentNotice } from '../../protocol/parent-notices.ts';
import type { ParentPickup } from '../../protocol/parent-pickups.ts';
import { movableClock, type MovableClock } from '../../test/support/clock.ts';
import { makeEvent, provision, removeDir, startTestHub, tempDir } from '../../test/support/hub.ts';
import type { CorrectionRecord } from '../store/corrections.ts';
import { HubStore } from '../store/hub-store.ts';
import { disposeBefore, RetentionJob, type Disposal } from './retention.ts';
import { updateSettings } from './settings.ts';

/** An event at 10:00 Tokyo time of `date`. */
const eventOn = (date: string, overrides: Partial<AttendanceEvent> = {}): AttendanceEvent =>
  makeEvent({ occurredAt: `${date}T10:00:00.000+09:00`, ...overrides });

const correctionOn = (id: string, date: string): CorrectionRecord => ({
  id,
  childId: 'c001',
  date,
  createdAt: `${date}T12:00:00.000+09:00`,
  actor: 's1',
  actorName: '保育 花子',
  childName: '山田 太郎',
  reason: 'forgot to tap',
  before: { checkIn: null, checkOut: null, absent: null },
  after: { checkIn: '08:00', checkOut: null, absent: null },
  eventIds: [],
  amendment: false,
});

const noticeOn = (id: string, date: string, until: string): ParentNotice => ({
  id,
  guardianId: 'g001',
  kind: 'absence',
  childIds: ['c001'],
  date,
  until,
  reason: 'family',
  sentAt: `${date}T07:00:00.000+09:00`,
  status: 'sent',
  readAt: null,
});

const pickupOn = (id: string, date: string): ParentPickup => ({
  id,
  guardianId: 'g001',
  childIds: ['c001'],
  date,
  time: '17:30',
  person: { id: 'g001', kind: 'guardian', name: 'guardian', relation: '' },
  sentAt: `${date}T07:00:00.000+09:00`,
  status: 'sent',
  readAt: null,
});

describe('retention on the hub', () => {
  let dir: string;
  let store: HubStore;
  let clock: MovableClock;

  beforeEach(async () => {
    dir = await tempDir();
    clock = movableClock('2027-03-31T12:00:00.000+09:00');
    store = HubStore.open(dir, { clock });
  });
  afterEach(async () => {
    store.close();
    await removeDir(dir);
  });

  const ids = () => store.events.eventsOfChild('c001').map((e) => e.id);
  const disposals = () => store.audit.all().filter((a) => a.action === 'retention.dispose');
  const job = (logger = silentLogger(), relay = true) =>
    new RetentionJob({ store, timeZone: 'Asia/Tokyo', clock, logger, relay });

  /**
   * Two days either side of the cutoff 2027-04-01 (years 5, from 2032-04-01 on), with everything the hub
   * keeps of a day.
   */
  function seed() {
    const old = eventOn('2027-03-31');
    const kept = eventOn('2027-04-01');
    // A void made on a deleted day of a kept event (a kiosk clock gone wrong): the kept day needs it.
    const oddVoid = eventOn('2027-03-31', {
      type: 'void',
      voids: kept.id,
      occurredAt: '2027-03-31T11:00:00+09:00',
    });
    // A void made on a kept day of a deleted event: kept by its own day.
    const lateVoid = eventOn('2027-04-02', { type: 'void', voids: old.id });
    store.events.insertEvents([old, kept, oddVoid, lateVoid]);
    const rows = store.outbox.eventsAfter(0, 10);
    // The relay sent the first event only; the cloud refused it.
    store.outbox.advanceRelay(rows[0]?.hubSeq ?? 0, [
      { id: old.id, hubSeq: rows[0]?.hubSeq ?? 0, code: 'x', message: 'm' },
    ]);

    // Audit entries just before and exactly at the cutoff's local midnight (2027-03-31T15:00Z).
    clock.set('2027-03-31T23:59:59.999+09:00');
    store.audit.append({ actorKind: 'cli', actorId: null, action: 'test.old', subject: null, outcome: 'ok' });
    clock.set('2027-04-01T00:00:00.000+09:00');
    store.audit.append({
      actorKind: 'cli',
      actorId: null,
      action: 'test.kept',
      subject: null,
      outcome: 'ok',
    });

    // Versions: v1 (seed, 0001-01-01) is in effect before 2026-10-01 only; v2 holds on the cutoff; v3 later;
    // v4 was superseded by v5 before it took effect (kept until its date passes the cutoff).
    const content = store.history.versions()[0]?.content;
    if (content === undefined) throw new Error('no seed version');
    store.transaction(() => {
      store.history.issue('2026-10-01', { ...content, facilityName: 'v2' });
      store.history.issue('2027-06-01', { ...content, facilityName: 'v3' });
      store.history.issue('2028-01-01', { ...content, facilityName: 'v4' });
      store.history.issue('2027-12-01', { ...content, facilityName: 'v5' });
      const roster = { classes: [], children: [], guardians: [] };
      store.history.recordImport('2020-04-01', roster);
      store.history.recordImport('2027-01-01', roster);
      store.history.recordImport('2028-04-01', roster);
      store.corrections.insert(correctionOn('11111111-1111-4111-8111-111111111111', '2027-03-31'));
      store.corrections.insert(correctionOn('22222222-2222-4222-8222-222222222222', '2027-04-01'));
      store.corrections.closeMonth({
        month: '2027-03',
        closedAt: '2027-04-05T10:00:00+09:00',
        closedBy: 's1',
      });
      store.corrections.closeMonth({
        month: '2027-04',
        closedAt: '2027-05-05T10:00:00+09:00',
        closedBy: 's1',
      });
      store.people.setStaffOnDuty('k1', '2027-03-31', 2, 's1');
      store.people.setStaffOnDuty('k1', '2027-04-01', 3, 's1');
      // Parents' notices: one ending the day before the cutoff goes, one ending on it stays.
      store.parentNotices.insert(
        noticeOn('33333333-3333-4333-8333-333333333333', '2027-03-30', '2027-03-31'),
      );
      store.parentNotices.insert(
        noticeOn('44444444-4444-4444-8444-444444444444', '2027-03-31', '2027-04-01'),
      );
      // Pickup plans go with the events of their day.
      store.pickups.insertPlan(pickupOn('55555555-5555-4555-8555-555555555555', '2027-03-31'));
      store.pickups.insertPlan(pickupOn('66666666-6666-4666-8666-666666666666', '2027-04-01'));
    });
    return { old, kept, oddVoid, lateVoid };
  }

  it('deletes exactly what is past the period on 2032-04-01 and records the disposal', () => {
    const { old, kept, oddVoid, lateVoid } = seed();
    clock.set('2032-03-31T23:59:00.000+09:00');
    // Cutoff 2026-04-01: nothing is that old. v4, superseded before its date came, is the record of what
    // was scheduled: it stays until 2028-01-01 passes the cutoff.
    expect(job().run()).toBeUndefined();
    expect(store.history.versions().map((v) => v.content.facilityName)).toContain('v4');

    clock.set('2032-04-01T00:01:00.000+09:00');
    const disposal = job().run();
    expect(disposal).toEqual<Disposal>({
      cutoff: '2027-04-01',
      retentionYears: 5,
      counts: {
        events: 1,
        unrelayedEvents: 0,
        audit: 1,
        snapshots: 1,
        rosterImports: 1,
        corrections: 1,
        closures: 1,
        relayRejects: 1,
        staffOnDuty: 1,
        staffOnDutyChanges: 1,
        parentNotices: 1,
        pickupPlans: 1,
        // Facility notices' retention: edge-hub/store/facility-notices.test.ts.
        facilityNotices: 0,
        facilityNoticeReads: 0,
      },
      at: '2032-03-31T15:01:00.000Z',
    });
    expect(ids().sort()).toEqual([kept.id, oddVoid.id, lateVoid.id].sort());
    expect(ids()).not.toContain(old.id);
    expect(store.outbox.relayRejects()).toEqual([]);
    expect(store.history.versions().map((v) => v.content.facilityName)).toEqual(['v2', 'v3', 'v4', 'v5']);
    expect(store.history.imports().map((i) => i.effectiveFrom)).toEqual(['2027-01-01', '2028-04-01']);
    expect(store.corrections.between('0001-01-01', '9999-12-31').map((c) => c.date)).toEqual(['2027-04-01']);
    expect(store.corrections.closures().map((c) => c.month)).toEqual(['2027-04']);
    expect(store.people.staffOnDuty('2027-03-31').size).toBe(0);
    expect(store.people.staffOnDuty('2027-04-01').get('k1')).toBe(3);
    expect(store.people.staffOnDutyChanges('2027-03-31')).toEqual([]);
    expect(store.people.staffOnDutyChanges('2027-04-01').map((c) => c.count)).toEqual([3]);
    expect(store.parentNotices.get('33333333-3333-4333-8333-333333333333')).toBeUndefined();
    expect(store.parentNotices.get('44444444-4444-4444-8444-444444444444')).toBeDefined();
    expect(store.pickups.latestPlansOn('2027-03-31').size).toBe(0);
    expect(store.pickups.latestPlansOn('2027-04-01').get('c001')?.id).toBe(
      '66666666-6666-4666-8666-666666666666',
    );
    expect(store.audit.all().map((a) => a.action)).toEqual(['test.kept', 'retention.dispose']);
    const [record] = disposals();
    expect(record).toMatchObject({
      actorKind: 'cli',
      actorId: null,
      subject: null,
      outcome: 'ok',
      after: disposal,
    });
  });

  it('does nothing on a second run the same day, nor after a restart', () => {
    seed();
    clock.set('2032-04-01T09:00:00.000+09:00');
    const running = job();
    expect(running.run()).toBeDefined();
    clock.set('2032-04-01T10:00:00.000+09:00');
    expect(running.run()).toBeUndefined();
    expect(job().run()).toBeUndefined(); // a new job checks again, finds nothing and records nothing
    expect(disposals()).toHaveLength(1);
    // The next fiscal year moves the cutoff: 2027-04-01 goes on 2033-04-01.
    clock.set('2033-04-01T09:00:00.000+09:00');
    expect(running.run()?.cutoff).toBe('2028-04-01');
    expect(ids()).toEqual([]);
  });

  it('follows the setting retention.years', () => {
    seed();
    clock.set('2032-04-01T09:00:00.000+09:00');
    updateSettings(store, { retention: { years: 7 } }, { kind: 'cli', id: null });
    const running = job();
    expect(running.cutoff()).toEqual({ cutoff: '2025-04-01', years: 7 });
    // No day before 2025-04-01 holds anything: nothing goes, and no record says so.
    expect(running.run()).toBeUndefined();
    expect(ids()).toHaveLength(4);
    updateSettings(store, { retention: { years: 5 } }, { kind: 'cli', id: null });
    expect(running.run()).toMatchObject({ cutoff: '2027-04-01', retentionYears: 5, counts: { events: 1 } });
  });

  it('counts the events the relay never sent, and warns about them', () => {
    const old = eventOn('2027-03-31');
    store.events.insertEvents([eventOn('2027-03-30'), old]);
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    clock.set('2032-04-01T09:00:00.000+09:00');
    const disposal = disposeBefore(store, '2027-04-01', { timeZone: 'Asia/Tokyo', retentionYears: 5, clock });
    expect(disposal?.counts).toMatchObject({ events: 2, unrelayedEvents: 2 });
    // The relay's cursor is untouched and what comes next is still sent.
    const next = eventOn('2032-04-01');
    store.events.insertEvents([next]);
    expect(store.outbox.eventsAfter(store.outbox.relayCursor(), 10).map((e) => e.event.id)).toEqual([
      next.id,
    ]);

    store.events.insertEvents([eventOn('2027-03-29')]);
    job(createLogger({ level: 'info', destination: sink }), true).run();
    const warned = lines.map((l) => JSON.parse(l) as { level: number; unrelayedEvents?: number });
    expect(warned.find((l) => l.level === 40)?.unrelayedEvents).toBe(1);
    expect(lines.join('')).not.toContain('c001');
  });
});

describe('the hub runs the retention job', () => {
  it('at start, with its clock', async () => {
    const site = await provision(0);
    const store = HubStore.open(site.dir);
    const old = eventOn('2027-03-31');
    store.events.insertEvents([old, eventOn('2027-04-01')]);
    store.close();
    const hub = await startTestHub(site, { clock: movableClock('2032-04-01T09:00:00.000+09:00') });
    await hub.close();
    const after = HubStore.open(site.dir);
    try {
      expect(after.events.countEvents()).toBe(1);
      expect(after.events.eventById(old.id)).toBeUndefined();
      expect(after.audit.all().find((a) => a.action === 'retention.dispose')?.after).toMatchObject({
        cutoff: '2027-04-01',
        counts: { events: 1 },
      });
    } finally {
      after.close();
      await removeDir(site.dir);
    }
  });
});
