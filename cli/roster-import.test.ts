import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import { HubStore } from '../edge-hub/store/hub-store.ts';
import { genkanJson, runGenkan, tempDir } from '../test/support/process.ts';

/** `genkan roster import` as an operator runs it (the built CLI, bin/genkan.mjs), with dates. */
describe('genkan roster import --effective / --dry-run', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let hubDir: string;
  const v1 = () => join(dir.path, 'v1.csv');
  const v2 = () => join(dir.path, 'v2.csv');
  const counts = () => {
    const store = HubStore.open(hubDir);
    try {
      return {
        imports: store.history.imports().length,
        versions: store.history.versions().length,
        roster: store.roster.rosterVersion(),
      };
    } finally {
      store.close();
    }
  };

  beforeAll(async () => {
    dir = await tempDir();
    hubDir = join(dir.path, 'hub');
    await genkanJson(['hub', 'init', '--data', hubDir, '--facility', 'f1']);
    await writeFile(
      v1(),
      [
        ROSTER_HEADER,
        'k1,ひよこ組,c1,山田 一,やまだ いち,g1,山田 親,',
        'k1,ひよこ組,c2,佐藤 二,さとう に,g2,佐藤 親,',
      ].join('\n'),
    );
    await writeFile(
      v2(),
      [
        `${ROSTER_HEADER},enrolled_on,care_type`,
        'k2,りす組,c1,山田 一,やまだ いち,g1,山田 親,,,short',
        'k1,ひよこ組,c3,鈴木 三,すずき さん,g3,鈴木 親,,2099-04-10,',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await dir.remove();
  });

  it("takes a hub's first roster for all of its past", async () => {
    const first = await genkanJson<Record<string, unknown>>(['roster', 'import', v1(), '--data', hubDir]);
    expect(first).toMatchObject({
      imported: { classes: 1, children: 2, guardians: 2, credentials: 0 },
      version: 1,
      effectiveFrom: '0001-01-01',
      preview: { childrenAdded: 2, childrenRemoved: 0 },
    });
  });

  it('previews a dated import with --dry-run, changing nothing', async () => {
    const before = counts();
    const dry = await genkanJson([
      'roster',
      'import',
      v2(),
      '--data',
      hubDir,
      '--effective',
      '2099-04-01',
      '--dry-run',
    ]);
    expect(dry).toEqual({
      dryRun: true,
      effectiveFrom: '2099-04-01',
      preview: {
        classes: 2,
        children: 2,
        guardians: 2,
        credentials: 0,
        childrenAdded: 1,
        childrenRemoved: 1,
        effectiveFrom: '2099-04-01',
        guardiansAdded: [{ guardianId: 'g3', name: '鈴木 親' }],
        guardiansRemoved: [{ guardianId: 'g2', name: '佐藤 親' }],
        added: [{ childId: 'c3', name: '鈴木 三', className: 'ひよこ組' }],
        leaving: [{ childId: 'c2', name: '佐藤 二' }],
        moved: [{ childId: 'c1', name: '山田 一', from: 'ひよこ組', to: 'りす組' }],
        renamed: [],
        careTypeChanged: [{ childId: 'c1', name: '山田 一', from: 'standard', to: 'short' }],
      },
    });
    expect(counts()).toEqual(before);
  });

  it('imports from a later day without touching the live roster', async () => {
    const before = counts();
    const out = await genkanJson<Record<string, unknown>>([
      'roster',
      'import',
      v2(),
      '--data',
      hubDir,
      '--effective',
      '2099-04-01',
    ]);
    expect(out).toMatchObject({
      imported: { children: 2 },
      version: before.roster,
      effectiveFrom: '2099-04-01',
      snapshotVersions: [before.versions + 1],
      preview: { childrenAdded: 1 },
    });
    expect(counts()).toEqual({
      imports: before.imports + 1,
      versions: before.versions + 1,
      roster: before.roster,
    });
  });

  it('refuses a bad date and a date in a closed month, with their codes', async () => {
    const bad = await runGenkan(['roster', 'import', v2(), '--data', hubDir, '--effective', '2026-02-30']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('bad_effective_date');

    const store = HubStore.open(hubDir);
    try {
      store.corrections.closeMonth({
        month: '2026-01',
        closedAt: new Date().toISOString(),
        closedBy: 'boss',
      });
    } finally {
      store.close();
    }
    const before = counts();
    const closed = await runGenkan(['roster', 'import', v2(), '--data', hubDir, '--effective', '2026-01-15']);
    expect(closed.code).toBe(1);
    expect(closed.stderr).toContain('month_closed');
    const dry = await runGenkan([
      'roster',
      'import',
      v2(),
      '--data',
      hubDir,
      '--effective',
      '2026-01-15',
      '--dry-run',
    ]);
    expect(dry.code).toBe(1);
    expect(counts()).toEqual(before);
  });
});

/** Roster files as Excel saves them in Japan: Shift_JIS CSV and XLSX; a mojibake file is refused. */
describe('genkan roster import of Shift_JIS and XLSX files', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let hubDir: string;
  const rows = [
    ['k1', 'ひよこ組', 'c1', '髙橋 ①子', 'たかはし いちこ', 'g1', '髙橋 親', ''],
    ['k1', 'ひよこ組', 'c2', 'ｻﾄｳ 二郎', 'さとう じろう', 'g2', '佐藤 親', ''],
  ];
  const csv = [ROSTER_HEADER, ...rows.map((r) => r.join(','))].join('\r\n');
  const childNames = () => {
    const store = HubStore.open(hubDir);
    try {
      return store.roster.read().children.map((c) => c.name);
    } finally {
      store.close();
    }
  };

  beforeAll(async () => {
    dir = await tempDir();
    hubDir = join(dir.path, 'hub');
    await genkanJson(['hub', 'init', '--data', hubDir, '--facility', 'f1']);
  });
  afterAll(async () => {
    await dir.remove();
  });

  it('imports a Shift_JIS CSV with its Japanese names intact', async () => {
    const file = join(dir.path, 'sjis.csv');
    await writeFile(file, iconv.encode(csv, 'cp932'));
    const out = await genkanJson<Record<string, unknown>>(['roster', 'import', file, '--data', hubDir]);
    expect(out).toMatchObject({ imported: { children: 2 } });
    expect(childNames()).toEqual(['髙橋 ①子', 'ｻﾄｳ 二郎']);
  });

  it("imports an XLSX workbook's first sheet", async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('名簿');
    sheet.addRow(ROSTER_HEADER.split(','));
    for (const r of rows) sheet.addRow(r);
    sheet.addRow(['k2', 'りす組', 'c3', '鈴木 三', 'すずき さん', 'g3', '鈴木 親', '']);
    const file = join(dir.path, 'roster.xlsx');
    await workbook.xlsx.writeFile(file);
    const out = await genkanJson<Record<string, unknown>>(['roster', 'import', file, '--data', hubDir]);
    expect(out).toMatchObject({ imported: { classes: 2, children: 3 } });
    expect(childNames()).toEqual(['髙橋 ①子', 'ｻﾄｳ 二郎', '鈴木 三']);
  });

  it('refuses a mojibake file with a Japanese message, changing nothing', async () => {
    const file = join(dir.path, 'mojibake.csv');
    await writeFile(file, Buffer.from(iconv.encode(csv, 'cp932')).toString('latin1'), 'utf8');
    const refused = await runGenkan(['roster', 'import', file, '--data', hubDir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('roster_encoding');
    expect(refused.stderr).toContain('文字が化けています');
    expect(refused.stderr).toContain('CSV UTF-8');
    expect(childNames()).toEqual(['髙橋 ①子', 'ｻﾄｳ 二郎', '鈴木 三']);
  });
});
