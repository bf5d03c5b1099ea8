import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GenkanError } from '../../common/errors.ts';
import { silentLogger } from '../../common/logger.ts';
import type { Clock } from '../../common/time.ts';
import { BEGINNING_OF_TIME } from '../../protocol/index.ts';
import { materialiseRoster, RosterCalendar, snapshotOn } from './history.ts';
import { importRoster, parseRosterCsv, RosterImportError, type RosterProblem } from './roster.ts';
import { RosterJobs } from './roster-job.ts';
import { previewRoster } from './roster-preview.ts';
import { HubStore } from '../store/hub-store.ts';
import { removeDir, ROSTER_HEADER, tempDir } from '../../test/support/hub.ts';

/** Issue 13: rosters dated by the day they take effect from, and the live roster following the calendar. */

function problemsOf(csv: string): RosterProblem[] {
  try {
    parseRosterCsv(csv);
  } catch (err) {
    if (err instanceof RosterImportError) return [...err.problems];
    throw err;
  }
  throw new Error('expected the roster to be refused');
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof GenkanError) return err.code;
    throw err;
  }
  throw new Error('expected a refusal');
}

/** Noon in Tokyo on `date`. */
const noon = (date: string) => new Date(`${date}T12:00:00+09:00`);

describe('roster CSV with enrolled_on and left_on', () => {
  it('reads the optional columns in any order, empty dates as null', () => {
    const csv = [
      `${ROSTER_HEADER},left_on,care_type,enrolled_on`,
      'k1,ひよこ組,c1,一,いち,g1,保護者,,2027-03-31,short,2026-04-01',
      'k1,ひよこ組,c1,一,いち,g2,保護者2,,2027-03-31,short,2026-04-01',
      'k1,ひよこ組,c2,二,に,,,,,,',
    ].join('\n');
    expect(parseRosterCsv(csv).children).toEqual([
      {
        id: 'c1',
        name: '一',
        kana: 'いち',
        classId: 'k1',
        careType: 'short',
        enrolledOn: '2026-04-01',
        leftOn: '2027-03-31',
        birthDate: null,
      },
      {
        id: 'c2',
        name: '二',
        kana: 'に',
        classId: 'k1',
        careType: 'standard',
        enrolledOn: null,
        leftOn: null,
        birthDate: null,
      },
    ]);
    const onlyDates = [`${ROSTER_HEADER},enrolled_on`, 'k1,A,c1,X,x,,,,2026-05-07'].join('\n');
    expect(parseRosterCsv(onlyDates).children[0]).toMatchObject({ enrolledOn: '2026-05-07', leftOn: null });
  });

  it('refuses unknown and repeated columns on line 1, naming the allowed ones', () => {
    const unknown = problemsOf(`${ROSTER_HEADER},enrolled_on,birthday\nk1,A,c1,X,x,,,,,\n`);
    expect(unknown).toEqual([
      {
        line: 1,
        code: 'unknown_column',
        params: { column: 'birthday', optional: 'care_type, enrolled_on, left_on, birth_date' },
        reason:
          'unknown column "birthday": after card_uid the header may have care_type, enrolled_on, left_on, birth_date (in any order, each once)',
      },
    ]);
    expect(problemsOf(`${ROSTER_HEADER},left_on,left_on\nk1,A,c1,X,x,,,,,\n`)).toEqual([
      {
        line: 1,
        code: 'duplicate_column',
        params: { column: 'left_on' },
        reason: 'column left_on appears twice in the header',
      },
    ]);
    // The fixed columns stay fixed.
    expect(problemsOf(`care_type,${ROSTER_HEADER}\n`)[0]).toMatchObject({ line: 1 });
  });

  it('refuses dates that are not real, left_on before enrolled_on, and dates that differ per child', () => {
    const problems = problemsOf(
      [
        `${ROSTER_HEADER},enrolled_on,left_on`,
        'k1,A,c1,X,x,,,,2026-02-30,', // 2: no such day
        'k1,A,c2,Y,y,,,,,2026/03/31', // 3: not YYYY-MM-DD
        'k1,A,c3,Z,z,,,,2026-04-01,2026-03-31', // 4: leaves before starting
        'k1,A,c4,W,w,g1,G,,2026-04-01,', // 5
        'k1,A,c4,W,w,g2,H,,2026-04-02,', // 6: another enrolled_on for c4
      ].join('\n'),
    );
    expect(problems).toEqual([
      {
        line: 2,
        code: 'bad_date',
        params: { column: 'enrolled_on', value: '2026-02-30' },
        reason: 'enrolled_on "2026-02-30" is not a date YYYY-MM-DD (or empty)',
      },
      {
        line: 3,
        code: 'bad_date',
        params: { column: 'left_on', value: '2026/03/31' },
        reason: 'left_on "2026/03/31" is not a date YYYY-MM-DD (or empty)',
      },
      {
        line: 4,
        code: 'date_order',
        params: { enrolledOn: '2026-04-01', leftOn: '2026-03-31' },
        reason: 'left_on 2026-03-31 is before enrolled_on 2026-04-01',
      },
      {
        line: 6,
        code: 'dates_differ',
        params: { childId: 'c4', otherLine: 5 },
        reason: 'child c4 has different enrolled_on or left_on than on line 5',
      },
    ]);
  });
});

const V1 = [
  `${ROSTER_HEADER},care_type`,
  'k1,ひよこ組,c1,山田 一,やまだ いち,g1,山田 親,,standard',
  'k1,ひよこ組,c2,佐藤 二,さとう に,g2,佐藤 親,,standard',
  'k2,りす組,c3,鈴木 三,すずき さん,g3,鈴木 親,,standard',
  'k2,りす組,c4,田中 四,たなか よん,g4,田中 親,,standard',
  'k2,りす組,c5,高橋 五,たかはし ご,g5,高橋 親,,standard',
].join('\n');

/**
 * From April: c1 stays as is, c2 moves to りす組, c3 is renamed, c4 goes on short hours, c5 is left out,
 * c6 joins, c7 joins on the 15th, c8 is on the file but left in March.
 */
const V2 = [
  `${ROSTER_HEADER},care_type,enrolled_on,left_on`,
  'k1,ひよこ組,c1,山田 一,やまだ いち,g1,山田 親,,standard,,',
  'k2,りす組,c2,佐藤 二,さとう に,g2,佐藤 親,,standard,,',
  'k2,りす組,c3,鈴木 参,すずき さん,g3,鈴木 親,,standard,,',
  'k2,りす組,c4,田中 四,たなか よん,g4,田中 親,,short,,',
  'k1,ひよこ組,c6,伊藤 六,いとう ろく,g6,伊藤 親,,standard,,',
  'k1,ひよこ組,c7,渡辺 七,わたなべ なな,g6,伊藤 親,,standard,2026-04-15,',
  'k1,ひよこ組,c8,中村 八,なかむら はち,,,,standard,,2026-03-31',
].join('\n');

describe('dated roster imports', () => {
  let dir: string;
  let store: HubStore;
  /** The store's clock: set to a day to move the facility's calendar. */
  let now = noon('2026-03-20');
  const clock: Clock = { now: () => now };
  const ids = () =>
    store.roster
      .read()
      .children.map((c) => c.id)
      .sort();

  beforeEach(async () => {
    now = noon('2026-03-20');
    dir = await tempDir();
    store = HubStore.open(dir, { clock });
    // The hub's first roster: it holds for all of its past.
    expect(importRoster(store, V1).effectiveFrom).toBe(BEGINNING_OF_TIME);
  });
  afterEach(async () => {
    store.close();
    await removeDir(dir);
  });

  it('leaves the live roster alone until the day of a future import, then switches to it', () => {
    const version = store.roster.rosterVersion();
    const summary = importRoster(store, V2, '2026-04-01');
    expect(summary).toMatchObject({ effectiveFrom: '2026-04-01', version });
    expect(summary.snapshotVersions).toHaveLength(1);
    expect(ids()).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);

    const calendar = new RosterCalendar(store);
    expect(calendar.follow()).toBe(false);
    now = noon('2026-03-31');
    expect(calendar.follow()).toBe(false);
    expect(store.roster.rosterVersion()).toBe(version);

    now = new Date('2026-04-01T00:00:01+09:00');
    expect(calendar.follow()).toBe(true);
    expect(store.roster.rosterVersion()).toBe(version + 1);
    // c7 starts on the 15th, c8 left in March: neither is on today's roster.
    expect(ids()).toEqual(['c1', 'c2', 'c3', 'c4', 'c6']);
    expect(store.roster.read().guardians.find((g) => g.id === 'g6')?.childIds).toEqual(['c6']);
    expect(calendar.follow()).toBe(false);

    now = noon('2026-04-15');
    expect(calendar.follow()).toBe(true);
    expect(ids()).toEqual(['c1', 'c2', 'c3', 'c4', 'c6', 'c7']);
    expect(store.roster.read().guardians.find((g) => g.id === 'g6')?.childIds).toEqual(['c6', 'c7']);
  });

  it('takes a child off the live roster the day after left_on', () => {
    const csv = [
      `${ROSTER_HEADER},left_on`,
      'k1,ひよこ組,c1,山田 一,やまだ いち,g1,山田 親,,',
      'k1,ひよこ組,c2,佐藤 二,さとう に,g2,佐藤 親,,2026-03-25',
    ].join('\n');
    importRoster(store, csv);
    const calendar = new RosterCalendar(store);
    now = noon('2026-03-25');
    calendar.follow();
    expect(ids()).toContain('c2');
    now = noon('2026-03-26');
    expect(calendar.follow()).toBe(true);
    expect(ids()).not.toContain('c2');
    // The guardian stays (kiosk-enrolled cards are theirs), with no child.
    expect(store.roster.read().guardians.find((g) => g.id === 'g2')?.childIds).toEqual([]);
  });

  it('keeps the snapshots of the days before the effective date', () => {
    const before = snapshotOn(store, 'f1', 'Asia/Tokyo', '2026-03-31');
    const earlier = snapshotOn(store, 'f1', 'Asia/Tokyo', '2025-11-03');
    importRoster(store, V2, '2026-04-01');
    expect(snapshotOn(store, 'f1', 'Asia/Tokyo', '2026-03-31')).toEqual(before);
    expect(snapshotOn(store, 'f1', 'Asia/Tokyo', '2025-11-03')).toEqual(earlier);
    const april = snapshotOn(store, 'f1', 'Asia/Tokyo', '2026-04-01');
    expect(april.children.map((c) => c.id)).toEqual(['c1', 'c2', 'c3', 'c4', 'c6', 'c7', 'c8']);
    expect(april.children.find((c) => c.id === 'c7')?.enrolledOn).toBe('2026-04-15');
    expect(april.classes).toEqual([
      { id: 'k1', name: 'ひよこ組' },
      { id: 'k2', name: 'りす組' },
    ]);
  });

  it('supersedes a later scheduled import from its own date on', () => {
    importRoster(store, V2, '2026-05-01');
    importRoster(store, V1.replace('山田 一', '山田 壱'), '2026-04-01');
    expect(snapshotOn(store, 'f1', 'Asia/Tokyo', '2026-05-02').children.map((c) => c.name)).toContain(
      '山田 壱',
    );
    now = noon('2026-05-02');
    new RosterCalendar(store).follow();
    expect(ids()).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
  });

  it('names the children added, leaving, moving class, renamed and changing care type, and guardians', () => {
    const preview = previewRoster(store, parseRosterCsv(V2), '2026-04-01');
    expect(preview).toEqual({
      classes: 2,
      children: 7,
      guardians: 5,
      credentials: 0,
      childrenAdded: 2,
      childrenRemoved: 1,
      effectiveFrom: '2026-04-01',
      added: [
        { childId: 'c6', name: '伊藤 六', className: 'ひよこ組' },
        { childId: 'c7', name: '渡辺 七', className: 'ひよこ組' },
      ],
      leaving: [{ childId: 'c5', name: '高橋 五' }],
      moved: [{ childId: 'c2', name: '佐藤 二', from: 'ひよこ組', to: 'りす組' }],
      renamed: [{ childId: 'c3', from: '鈴木 三', to: '鈴木 参' }],
      careTypeChanged: [{ childId: 'c4', name: '田中 四', from: 'standard', to: 'short' }],
      guardiansAdded: [{ guardianId: 'g6', name: '伊藤 親' }],
      guardiansRemoved: [{ guardianId: 'g5', name: '高橋 親' }],
    });
    // Compared with the roster in effect on that day: after the import, the same file changes nothing.
    importRoster(store, V2, '2026-04-01');
    expect(previewRoster(store, parseRosterCsv(V2), '2026-04-01')).toMatchObject({
      added: [],
      leaving: [],
      moved: [],
      renamed: [],
      careTypeChanged: [],
      guardiansAdded: [],
      guardiansRemoved: [],
    });
  });

  it('refuses a bad effective date and one in (or before) a closed month, changing nothing', () => {
    expect(codeOf(() => importRoster(store, V2, '2026-13-01'))).toBe('bad_effective_date');
    expect(codeOf(() => importRoster(store, V2, 'tomorrow'))).toBe('bad_effective_date');
    store.corrections.closeMonth({ month: '2026-02', closedAt: now.toISOString(), closedBy: 'boss' });
    const versions = store.history.versions().length;
    const imports = store.history.imports().length;
    const roster = store.roster.read();
    expect(codeOf(() => importRoster(store, V2, '2026-02-15'))).toBe('month_closed');
    expect(codeOf(() => importRoster(store, V2, '2026-01-15'))).toBe('month_closed');
    expect(store.history.versions()).toHaveLength(versions);
    expect(store.history.imports()).toHaveLength(imports);
    expect(store.roster.read()).toEqual(roster);
    expect(importRoster(store, V2, '2026-03-01').effectiveFrom).toBe('2026-03-01');
  });

  it('defaults to today once the hub has a roster', () => {
    expect(importRoster(store, V2).effectiveFrom).toBe('2026-03-20');
    expect(materialiseRoster(store, '2026-03-20')).toBe(false);
  });

  it('runs admin-app jobs from the given day, refusing bad days before starting', async () => {
    let imported = 0;
    const jobs = new RosterJobs({
      store,
      logger: silentLogger(),
      onImported: () => {
        imported++;
      },
    });
    expect(codeOf(() => jobs.start(V2, true, 'boss', '2026-04-31'))).toBe('bad_effective_date');
    const dry = jobs.start(V2, true, 'boss', '2026-04-01');
    await dry.done;
    expect(jobs.get(dry.jobId)?.preview).toMatchObject({ effectiveFrom: '2026-04-01', childrenRemoved: 1 });
    const real = jobs.start(V2, false, 'boss', '2026-04-01');
    await real.done;
    expect(jobs.get(real.jobId)?.summary).toMatchObject({ effectiveFrom: '2026-04-01' });
    expect(imported).toBe(1);
    expect(ids()).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    const audit = store.audit.all().filter((e) => e.action === 'roster.import');
    expect(audit.at(-1)).toMatchObject({ outcome: 'ok', after: { effectiveFrom: '2026-04-01' } });
    store.corrections.closeMonth({ month: '2026-04', closedAt: now.toISOString(), closedBy: 'boss' });
    expect(codeOf(() => jobs.start(V2, true, 'boss', '2026-04-01'))).toBe('month_closed');
  });
});
