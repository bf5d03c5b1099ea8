import { describe, expect, it } from 'vitest';
import { parseAbsence } from '../../common/attendance.ts';
import { EventSchema, HUB_TIME_WINDOW, NOTE_MAX, validateEvent } from '../../protocol/index.ts';
import { testNotice } from '../../test/support/parent-cloud.ts';
import { absenceDayId } from '../tablet/absence-range.ts';
import { parentAbsenceEvent, parentAbsenceEventId, parentAbsenceNote } from './notice-events.ts';

/** The events a parent's absence stands for: ids derived once and for all, notes the tablet reads. */

const NOTICE = '0b6f3c1e-5a2d-4c8e-9f10-2b3c4d5e6f70';
const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('parent absence event ids', () => {
  it('are UUIDs version 8, the same for the same notice, child and day', () => {
    const id = parentAbsenceEventId(NOTICE, 'c001', '2026-04-02');
    expect(id).toMatch(UUID_V8);
    expect(parentAbsenceEventId(NOTICE, 'c001', '2026-04-02')).toBe(id);
    // The notice id's case does not matter (a UUID is the same whichever way it is written).
    expect(parentAbsenceEventId(NOTICE.toUpperCase(), 'c001', '2026-04-02')).toBe(id);
    // A known value, so that a change of the derivation (which would record days twice) is seen.
    expect(id).toBe('0e54032a-8191-8ca1-9f07-1119838a8b38');
    expect(EventSchema.shape.id.safeParse(id).success).toBe(true);
  });

  it('differ by child, by day and by notice, and from a tablet absence of the same id', () => {
    const ids = new Set([
      parentAbsenceEventId(NOTICE, 'c001', '2026-04-02'),
      parentAbsenceEventId(NOTICE, 'c002', '2026-04-02'),
      parentAbsenceEventId(NOTICE, 'c001', '2026-04-03'),
      parentAbsenceEventId('1b6f3c1e-5a2d-4c8e-9f10-2b3c4d5e6f70', 'c001', '2026-04-02'),
      absenceDayId(NOTICE, '2026-04-02', false),
    ]);
    expect(ids.size).toBe(5);
  });
});

describe('parent absence notes', () => {
  it('say reason, symptoms, temperature and the note, language-neutral', () => {
    const note = parentAbsenceNote(
      testNotice({ id: NOTICE, symptoms: ['fever', 'cough'], temperature: 38.2, note: '朝から熱があります' }),
    );
    expect(note).toBe('sick: fever, cough; 38.2℃; 朝から熱があります');
    expect(parseAbsence(note)).toEqual({ reason: 'sick', note: 'fever, cough; 38.2℃; 朝から熱があります' });
    expect(parentAbsenceNote(testNotice({ id: NOTICE, temperature: 38 }))).toBe('sick: 38.0℃');
    expect(parentAbsenceNote(testNotice({ id: NOTICE, reason: 'family' }))).toBe('family');
  });

  it('are clean and within the limit whatever the parent wrote', () => {
    const note = parentAbsenceNote(
      testNotice({ id: NOTICE, reason: 'other', note: 'line one\r\nline\ttwo\u0007' }),
    );
    expect(note).toBe('other: line one line two');
    const long = parentAbsenceNote(
      testNotice({ id: NOTICE, symptoms: ['fever'], note: `${'熱'.repeat(NOTE_MAX - 12)}😷😷😷` }),
    );
    expect(long.length).toBeLessThanOrEqual(NOTE_MAX);
    expect(long.endsWith('…')).toBe(true);
    expect(long).not.toMatch(/[\ud800-\udbff]…$/);
  });
});

describe('parent absence events', () => {
  const now = new Date('2026-04-01T08:15:00.000+09:00');

  it('file today now and a later day at its first minute, as device parent-app', () => {
    const notice = testNotice({ id: NOTICE, guardianId: 'g001', until: '2026-04-02', reason: 'family' });
    const today = parentAbsenceEvent(notice, 'c001', '2026-04-01', { now, timeZone: 'Asia/Tokyo', seq: 1 });
    expect(today).toEqual({
      id: parentAbsenceEventId(NOTICE, 'c001', '2026-04-01'),
      deviceId: 'parent-app',
      seq: 1,
      type: 'absent',
      childId: 'c001',
      occurredAt: '2026-04-01T08:15:00.000+09:00',
      method: 'parent',
      actor: 'g001',
      note: 'family',
    });
    const later = parentAbsenceEvent(notice, 'c001', '2026-04-02', { now, timeZone: 'Asia/Tokyo', seq: 2 });
    expect(later.occurredAt).toBe('2026-04-02T00:00:00.000+09:00');
    // Both pass the validity rule every entry point applies.
    for (const e of [today, later])
      expect(validateEvent(e, { now, window: HUB_TIME_WINDOW })).not.toHaveProperty('rejection');
  });
});
