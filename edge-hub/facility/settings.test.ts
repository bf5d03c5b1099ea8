import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../common/errors.ts';
import { DEFAULT_SETTINGS } from '../../protocol/settings.ts';
import { snapshotOn } from './history.ts';
import { readSettings, settingsPatch, updateSettings } from './settings.ts';
import { HubStore } from '../store/hub-store.ts';
import { provision, removeDir, type TestSite } from '../../test/support/hub.ts';

const CLI = { kind: 'cli', id: null } as const;

describe('facility settings', () => {
  let site: TestSite;
  let store: HubStore;
  beforeEach(async () => {
    site = await provision(0);
    store = HubStore.open(site.dir);
    store.facility.claimFacility('f1');
  });
  afterEach(async () => {
    store.close();
    await removeDir(site.dir);
  });

  const audits = () =>
    store.db
      .prepare<[], { actor_kind: string; action: string; before_json: string; after_json: string }>(
        "SELECT actor_kind, action, before_json, after_json FROM audit_log WHERE action = 'settings.update'",
      )
      .all();

  it('start at the documented defaults', () => {
    expect(readSettings(store)).toEqual({
      timeZone: 'Asia/Tokyo',
      // Named after its id until it is given a name.
      facilityName: 'f1',
      closingTime: '19:00',
      defaultCutoff: '10:00',
      careBands: { standard: { start: '07:00', end: '18:00' }, short: { start: '08:30', end: '16:30' } },
      extendedCare: { graceMinutes: 5, roundingMinutes: 30, rounding: 'up' },
      undoWindowMinutes: 10,
      reversalGuardMinutes: 10,
      retention: { years: 5 },
      ledger: DEFAULT_SETTINGS.ledger,
      extendedReport: DEFAULT_SETTINGS.extendedReport,
      staffing: DEFAULT_SETTINGS.staffing,
      classes: {},
    });
  });

  it('take effect from today: the ledgers of earlier days keep the rules they were kept under', () => {
    const today = store.history.today();
    const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const before = snapshotOn(store, 'f1', 'Asia/Tokyo', yesterday);
    updateSettings(
      store,
      { careBands: { standard: { start: '07:30', end: '18:30' } }, retention: { years: 7 } },
      CLI,
    );
    expect(snapshotOn(store, 'f1', 'Asia/Tokyo', yesterday)).toEqual(before);
    expect(snapshotOn(store, 'f1', 'Asia/Tokyo', today)).toMatchObject({
      careBands: { standard: { start: '07:30', end: '18:30' } },
      retentionYears: 7,
    });
    expect(store.history.versions().at(-1)?.effectiveFrom).toBe(today);
    // A change that leaves the ledgers' part alone issues no version.
    const versions = store.history.versions().length;
    updateSettings(store, { closingTime: '18:45' }, CLI);
    expect(store.history.versions()).toHaveLength(versions);
  });

  it('rename the facility: kiosks are sent the name, the ledgers print it from today on', () => {
    const today = store.history.today();
    const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    updateSettings(store, { facilityName: 'ひまわり園' }, CLI);
    const version = store.facility.meta().rosterVersion;
    const after = updateSettings(store, { facilityName: '  ひまわり保育園 ' }, { kind: 'api', id: null });
    expect(after.facilityName).toBe('ひまわり保育園');
    expect(store.facility.meta()).toMatchObject({ facilityId: 'f1', facilityName: 'ひまわり保育園' });
    // The roster carries the name to the kiosks: its version moves.
    expect(store.facility.meta().rosterVersion).toBe(version + 1);
    expect(snapshotOn(store, 'f1', 'Asia/Tokyo', today).facilityName).toBe('ひまわり保育園');
    expect(snapshotOn(store, 'f1', 'Asia/Tokyo', yesterday).facilityName).toBe('f1');
    expect(JSON.parse(audits().at(-1)?.after_json ?? '')).toEqual({ facilityName: 'ひまわり保育園' });
    // The same name again: nothing moves.
    const versions = store.history.versions().length;
    updateSettings(store, { facilityName: 'ひまわり保育園' }, CLI);
    expect(store.facility.meta().rosterVersion).toBe(version + 1);
    expect(store.history.versions()).toHaveLength(versions);
  });

  it('apply a partial change, merge a class field by field, and audit what changed', () => {
    updateSettings(store, { classes: { k1: { cutoff: '09:30' } } }, CLI);
    const after = updateSettings(
      store,
      {
        closingTime: '18:30',
        careBands: { short: { start: '09:00', end: '17:00' } },
        extendedCare: { rounding: 'nearest' },
        classes: { k1: { maxChildrenPerStaff: 3 } },
      },
      { kind: 'api', id: null },
    );
    expect(after).toMatchObject({
      closingTime: '18:30',
      defaultCutoff: '10:00',
      careBands: { standard: { start: '07:00', end: '18:00' }, short: { start: '09:00', end: '17:00' } },
      extendedCare: { graceMinutes: 5, roundingMinutes: 30, rounding: 'nearest' },
      classes: { k1: { cutoff: '09:30', maxChildrenPerStaff: 3 } },
    });
    expect(readSettings(store)).toEqual(after);
    const [first, second] = audits();
    expect(first?.actor_kind).toBe('cli');
    expect(second?.actor_kind).toBe('api');
    expect(JSON.parse(second?.before_json ?? '')).toEqual({
      closingTime: '19:00',
      careBands: { standard: { start: '07:00', end: '18:00' }, short: { start: '08:30', end: '16:30' } },
      extendedCare: { graceMinutes: 5, roundingMinutes: 30, rounding: 'up' },
      classes: { k1: { cutoff: '09:30', maxChildrenPerStaff: null } },
    });
    expect(JSON.parse(second?.after_json ?? '')).toMatchObject({
      closingTime: '18:30',
      classes: { k1: { cutoff: '09:30', maxChildrenPerStaff: 3 } },
    });
    // null clears a class's own value (back to the default)
    expect(updateSettings(store, { classes: { k1: { cutoff: null } } }, CLI).classes['k1']).toEqual({
      cutoff: null,
      maxChildrenPerStaff: 3,
    });
  });

  it.each([
    [{ closingTime: '24:00' }, 'bad_setting', 'closingTime', { problem: 'bad_time' }],
    [{ defaultCutoff: '9:30' }, 'bad_setting', 'defaultCutoff', { problem: 'bad_time' }],
    [
      { careBands: { standard: { start: '18:00', end: '07:00' } } },
      'bad_setting',
      'careBands.standard.end',
      { problem: 'end_before_start' },
    ],
    [
      { extendedCare: { roundingMinutes: 0 } },
      'bad_setting',
      'extendedCare.roundingMinutes',
      { problem: 'too_small', min: 1, inclusive: 1 },
    ],
    [
      { extendedCare: { graceMinutes: 2.5 } },
      'bad_setting',
      'extendedCare.graceMinutes',
      { problem: 'not_integer' },
    ],
    [
      { extendedCare: { rounding: 'sideways' } },
      'bad_setting',
      'extendedCare.rounding',
      { problem: 'bad_choice' },
    ],
    [
      { classes: { k1: { maxChildrenPerStaff: 0 } } },
      'bad_setting',
      'classes.k1.maxChildrenPerStaff',
      { problem: 'too_small', min: 0, inclusive: 0 },
    ],
    [{ undoWindowMinutes: 61 }, 'bad_setting', 'undoWindowMinutes', { problem: 'too_big', max: 60 }],
    [
      { classes: { nope: { cutoff: '09:00' } } },
      'unknown_class',
      'classes.nope',
      { problem: 'unknown_class' },
    ],
    [
      { timeZone: 'Europe/Paris' },
      'time_zone_fixed',
      'timeZone',
      { problem: 'time_zone_fixed', timeZone: 'Asia/Tokyo' },
    ],
    [{ facilityName: ' ' }, 'bad_setting', 'facilityName', { problem: 'not_empty' }],
    [{ facilityName: 'ひまわり\n保育園' }, 'bad_setting', 'facilityName', { problem: 'bad_text' }],
    [{ facilityName: 'x'.repeat(201) }, 'bad_setting', 'facilityName', { problem: 'too_long', max: 200 }],
    [{ facilityName: 7 }, 'bad_setting', 'facilityName', { problem: 'bad_type' }],
    [{ colour: 'red' }, 'bad_setting', '', { problem: 'unknown_field', keys: 'colour' }],
  ])('refuse %j with the field and the reason, and change nothing', (patch, code, field, params) => {
    const before = readSettings(store);
    // A valid change next to the bad one: all or nothing.
    const attempt = () => updateSettings(store, { closingTime: '18:00', ...patch }, CLI);
    expect(attempt).toThrow(ValidationError);
    // The field and the problem, with its limits, for the apps' wording (protocol/setting-problems.ts).
    expect(attempt).toThrow(expect.objectContaining({ code, field, params: { field, ...params } }) as Error);
    if (field !== '') expect(attempt).toThrow(field);
    expect(readSettings(store)).toEqual(before);
  });

  it('refuse a change that is not an object', () => {
    expect(() => updateSettings(store, 'closingTime=19:00', CLI)).toThrow(
      expect.objectContaining({ code: 'bad_setting' }) as Error,
    );
  });

  it('keep the same time zone when asked for it (a full settings object can be sent back)', () => {
    const all = readSettings(store);
    expect(updateSettings(store, all, CLI)).toEqual(all);
  });
});

describe('genkan settings set path=value', () => {
  it('builds the nested change, reading JSON values', () => {
    expect(
      settingsPatch([
        'closingTime=19:00',
        'classes.k1.cutoff=09:30',
        'classes.k1.maxChildrenPerStaff=3',
        'classes.k2.cutoff=null',
        'extendedCare.rounding=up',
      ]),
    ).toEqual({
      closingTime: '19:00',
      classes: { k1: { cutoff: '09:30', maxChildrenPerStaff: 3 }, k2: { cutoff: null } },
      extendedCare: { rounding: 'up' },
    });
  });

  it('keeps the facility name as text', () => {
    expect(settingsPatch(['facilityName=123', 'undoWindowMinutes=5'])).toEqual({
      facilityName: '123',
      undoWindowMinutes: 5,
    });
  });

  it.each(['closingTime', '=19:00', 'classes..cutoff=1', '__proto__.x=1'])('refuses %s', (pair) => {
    expect(() => settingsPatch([pair])).toThrow(/not a setting/);
  });
});
