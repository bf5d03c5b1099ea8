import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../common/errors.ts';
import { fixedClock } from '../../common/time.ts';
import { child, seedChildHistory } from '../../test/support/child-history.ts';
import { removeDir, tempDir } from '../../test/support/hub.ts';
import { HubStore } from '../store/hub-store.ts';
import { exportChild, rosterPeriods } from './child-export.ts';

const CLOCK = fixedClock('2028-06-01T09:00:00.000Z');

describe('child export', () => {
  let dir: string;
  let store: HubStore;
  beforeEach(async () => {
    dir = await tempDir();
    store = HubStore.open(dir);
  });
  afterEach(async () => {
    store.close();
    await removeDir(dir);
  });

  it('holds everything about the child and nothing about others, without card hashes', () => {
    const { events } = seedChildHistory(store);
    const auditBefore = store.audit.all().length;
    const out = exportChild(store, 'c001', CLOCK);
    expect(out).toMatchObject({
      childId: 'c001',
      exportedAt: '2028-06-01T18:00:00.000+09:00',
      facilityId: null,
      roster: [
        {
          from: '2026-04-10',
          to: '2027-03-31',
          name: '山田 太郎',
          kana: 'やまだ たろう',
          classId: 'k1',
          className: 'ひよこ組',
          careType: 'standard',
          enrolledOn: '2026-04-10',
          leftOn: null,
        },
        { from: '2027-04-01', to: '2028-03-31', classId: 'k2', className: 'りす組' },
      ],
      guardians: [
        { id: 'g001', name: '山田 はな' },
        { id: 'g001', name: '山田 花子' },
      ],
      corrections: [{ id: '33333333-3333-4333-8333-333333333333', date: '2027-05-11' }],
      audit: [{ action: 'tablet.check_in', subject: 'child:c001' }],
    });
    expect(out.roster).toHaveLength(2);
    expect(out.events.map((e) => e.id)).toEqual(events);
    expect(out.audit).toHaveLength(1);
    const text = JSON.stringify(out);
    expect(text).not.toContain('cafebabe-card-hash');
    expect(text).not.toContain('c002');
    expect(store.audit.all()).toHaveLength(auditBefore); // read-only
  });

  it('refuses a child it holds nothing about', () => {
    seedChildHistory(store);
    expect(() => exportChild(store, 'c999', CLOCK)).toThrow(NotFoundError);
    expect(() => exportChild(store, 'c999', CLOCK)).toThrow(/no records of child c999/);
  });

  it('reads open periods from the start of the records and to now', () => {
    const content = store.history.versions()[0]?.content;
    if (content === undefined) throw new Error('no seed version');
    const versions = [
      { version: 1, effectiveFrom: '0001-01-01', content: { ...content, children: [child('c1')] } },
      {
        version: 2,
        effectiveFrom: '2026-04-01',
        content: { ...content, children: [child('c1', { leftOn: '2026-08-31' })] },
      },
    ];
    expect(rosterPeriods(versions, 'c1')).toMatchObject([
      { from: null, to: '2026-03-31', leftOn: null, className: null },
      { from: '2026-04-01', to: '2026-08-31', leftOn: '2026-08-31' },
    ]);
    expect(rosterPeriods(versions.slice(0, 1), 'c1')).toMatchObject([{ from: null, to: null }]);
  });
});
