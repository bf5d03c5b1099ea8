import { describe, expect, it } from 'vitest';
import { disposableVersions, inEffect, planChange, segmentStarts, versionsFor } from './timeline.ts';

const v = (version: number, effectiveFrom: string, content = `c${version}`) => ({
  version,
  effectiveFrom,
  content,
});

describe('timeline', () => {
  const versions = [v(1, '0001-01-01'), v(2, '2027-04-01'), v(3, '2027-03-15')];

  it('puts the highest version starting on or before a day in effect', () => {
    expect(inEffect(versions, '2027-03-01')?.version).toBe(1);
    expect(inEffect(versions, '2027-03-20')?.version).toBe(3);
    // v3 was issued after v2 with an earlier date: it replaced v2 from 03-15 on.
    expect(inEffect(versions, '2027-04-10')?.version).toBe(3);
    expect(inEffect([v(1, '2027-01-01')], '2026-12-31')).toBeUndefined();
  });

  it('lists the days the version in effect changes', () => {
    expect(segmentStarts(versions, '2027-01-01')).toEqual(['2027-01-01', '2027-03-15']);
    expect(segmentStarts([v(1, '0001-01-01'), v(2, '2027-04-01')], '2027-03-01')).toEqual([
      '2027-03-01',
      '2027-04-01',
    ]);
  });

  it('plans a change that patches every later segment and leaves earlier days alone', () => {
    const stored = [v(1, '0001-01-01', 'A'), v(2, '2027-04-01', 'B')];
    const plan = planChange(
      stored,
      '2026-12-05',
      (c) => `${c ?? ''}+`,
      (a, b) => a === b,
    );
    expect(plan).toEqual([
      { effectiveFrom: '2026-12-05', content: 'A+' },
      { effectiveFrom: '2027-04-01', content: 'B+' },
    ]);
    const issued = [...stored, ...plan.map((p, i) => ({ version: 3 + i, ...p }))];
    expect(inEffect(issued, '2026-12-04')?.content).toBe('A');
    expect(inEffect(issued, '2027-01-01')?.content).toBe('A+');
    expect(inEffect(issued, '2027-05-01')?.content).toBe('B+');
  });

  it('leaves out versions that change nothing', () => {
    const stored = [v(1, '0001-01-01', 'A'), v(2, '2027-04-01', 'B')];
    // Replacing everything from 03-01 with B: one version, the later B is covered by it.
    expect(
      planChange(
        stored,
        '2027-03-01',
        () => 'B',
        (a, b) => a === b,
      ),
    ).toEqual([{ effectiveFrom: '2027-03-01', content: 'B' }]);
    expect(
      planChange(
        stored,
        '2027-03-01',
        (c) => c ?? 'A',
        (a, b) => a === b,
      ),
    ).toEqual([]);
  });

  it('keeps the versions a period needs', () => {
    expect(versionsFor(versions, '2027-03-01', '2027-03-31').map((x) => x.version)).toEqual([1, 3]);
    expect(versionsFor(versions, '2027-04-01', '2027-04-30').map((x) => x.version)).toEqual([3]);
    expect(versionsFor(versions, '2026-01-01').map((x) => x.version)).toEqual([1, 3]);
  });

  it('lets retention delete only versions that start before the cutoff and hold on no kept day', () => {
    // v2 (04-01) was superseded by v3 (03-15) before it ever held: kept until 04-01 passes the cutoff.
    expect(disposableVersions(versions, '2027-03-20').map((x) => x.version)).toEqual([1]);
    expect(disposableVersions(versions, '2027-03-01').map((x) => x.version)).toEqual([]);
    expect(disposableVersions(versions, '2027-05-01').map((x) => x.version)).toEqual([1, 2]);
  });
});
