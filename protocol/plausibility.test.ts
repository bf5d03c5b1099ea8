import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLOUD_TIME_WINDOW,
  eventPlausibility,
  HUB_TIME_WINDOW,
  textProblem,
  timeProblem,
} from './plausibility.ts';
import { validateEvents } from './validate.ts';

const NOW = new Date('2026-12-04T09:00:00Z');
const MIN = 60_000;
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('the validity rule', () => {
  it('bounds occurredAt to 5 minutes ahead and 400 days behind the receiver', () => {
    const t = NOW.getTime();
    expect(timeProblem(iso(t + 5 * MIN), NOW, HUB_TIME_WINDOW)).toBeUndefined();
    expect(timeProblem(iso(t + 5 * MIN + 1), NOW, HUB_TIME_WINDOW)).toMatch(/ahead/);
    expect(timeProblem(iso(t - 400 * DAY), NOW, HUB_TIME_WINDOW)).toBeUndefined();
    expect(timeProblem(iso(t - 400 * DAY - 1), NOW, HUB_TIME_WINDOW)).toMatch(/behind/);
    for (const bad of ['9999-12-31T15:00:00Z', '0000-01-01T00:00:00Z', '1970-01-01T00:00:00Z']) {
      expect(timeProblem(bad, NOW, HUB_TIME_WINDOW), bad).toBeDefined();
    }
  });

  it("lets the cloud take the hub's staff corrections of any kept day, and nothing else that old", () => {
    const old = iso(NOW.getTime() - 20 * 365 * DAY);
    const staff = { type: 'check_out', method: 'staff', occurredAt: old };
    expect(eventPlausibility(staff, NOW, CLOUD_TIME_WINDOW)).toBeUndefined();
    expect(eventPlausibility({ ...staff, method: 'card' }, NOW, CLOUD_TIME_WINDOW)?.code).toBe(
      'implausible_time',
    );
    // The hub itself takes no device's or tablet's event that old: corrections bypass its ingest.
    expect(eventPlausibility(staff, NOW, HUB_TIME_WINDOW)?.code).toBe('implausible_time');
    expect(
      eventPlausibility({ ...staff, occurredAt: '1900-01-01T00:00:00Z' }, NOW, CLOUD_TIME_WINDOW),
    ).toBeDefined();
  });

  it('accepts offsets up to ±14:00 and nothing beyond', () => {
    expect(timeProblem('2026-12-04T23:00:00+14:00', NOW, HUB_TIME_WINDOW)).toBeUndefined();
    expect(timeProblem('2026-12-03T19:00:00-14:00', NOW, HUB_TIME_WINDOW)).toBeUndefined();
    expect(timeProblem('2026-12-04T23:01:00+14:01', NOW, HUB_TIME_WINDOW)).toMatch(/offset/);
    expect(timeProblem('2026-12-05T08:59:00+23:59', NOW, HUB_TIME_WINDOW)).toMatch(/offset/);
  });

  it('lets an absence be announced up to 62 days ahead, and nothing else', () => {
    const in30Days = iso(NOW.getTime() + 30 * DAY);
    expect(eventPlausibility({ type: 'absent', occurredAt: in30Days }, NOW, HUB_TIME_WINDOW)).toBe(undefined);
    expect(eventPlausibility({ type: 'check_in', occurredAt: in30Days }, NOW, HUB_TIME_WINDOW)).toMatchObject(
      { code: 'implausible_time' },
    );
    expect(
      eventPlausibility({ type: 'absent', occurredAt: iso(NOW.getTime() + 63 * DAY) }, NOW, HUB_TIME_WINDOW),
    ).toMatchObject({ code: 'implausible_time' });
  });

  it('refuses C0 and C1 control characters and broken UTF-16, and keeps all other text', () => {
    expect(textProblem('熱 37.5℃、祖母がお迎え 👵 «ok»', 500)).toBeUndefined();
    for (const bad of [
      'a\u0000',
      '\u0007',
      'line\nbreak',
      'tab\t',
      '\u007f',
      '\u0085',
      '\u009b',
      '\ud800',
      'x\udc00',
    ]) {
      expect(textProblem(bad, 500), JSON.stringify(bad)).toBeDefined();
    }
    expect(textProblem('x'.repeat(501), 500)).toMatch(/longer than 500/);
  });

  it('never refuses at the cloud what the hub accepted, even hours later and with skewed clocks', () => {
    const hubNow = NOW.getTime();
    fc.assert(
      fc.property(
        fc.integer({ min: -400 * DAY, max: 5 * MIN }),
        fc.constantFrom('check_in', 'check_out', 'void', 'absent'),
        // the cloud receives up to 30 days later, its clock up to 30 minutes off the hub's either way
        fc.integer({ min: 0, max: 30 * DAY }),
        fc.integer({ min: -30 * MIN, max: 30 * MIN }),
        (offset, type, delay, skew) => {
          const event = { type, occurredAt: iso(hubNow + offset) };
          if (eventPlausibility(event, NOW, HUB_TIME_WINDOW) !== undefined) return;
          const cloudNow = new Date(hubNow + delay + skew);
          expect(eventPlausibility(event, cloudNow, CLOUD_TIME_WINDOW)).toBeUndefined();
        },
      ),
    );
  });

  it('rejects per event with its own code', () => {
    const base = {
      type: 'check_in',
      childId: 'c001',
      deviceId: 'kiosk-1',
      seq: 1,
      method: 'card',
      actor: 'g001',
    };
    const out = validateEvents(
      [
        { ...base, id: '0192f3a4-5b6c-7d8e-9f00-112233445501', occurredAt: iso(NOW.getTime()) },
        { ...base, id: '0192f3a4-5b6c-7d8e-9f00-112233445502', occurredAt: '9999-12-31T15:00:00Z' },
        {
          ...base,
          id: '0192f3a4-5b6c-7d8e-9f00-112233445503',
          occurredAt: iso(NOW.getTime()),
          note: '\u0000',
        },
        { ...base, id: 'not-a-uuid', occurredAt: iso(NOW.getTime()) },
      ],
      { now: NOW, window: HUB_TIME_WINDOW },
    );
    expect(out.events).toHaveLength(1);
    expect(out.rejected.map((r) => [r.id, r.code])).toEqual([
      ['0192f3a4-5b6c-7d8e-9f00-112233445502', 'implausible_time'],
      ['0192f3a4-5b6c-7d8e-9f00-112233445503', 'bad_text'],
      ['not-a-uuid', 'invalid_event'],
    ]);
  });
});
