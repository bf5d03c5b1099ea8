import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genkanJson, runGenkan, tempDir } from './support/process.ts';
import { simpleRoster } from './support/site.ts';

/** `genkan staff …` and `genkan settings …` as an operator runs them against a hub's data directory. */
describe('genkan staff and settings commands', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let hubDir: string;

  beforeAll(async () => {
    dir = await tempDir();
    hubDir = join(dir.path, 'hub');
    await genkanJson(['hub', 'init', '--data', hubDir, '--facility', 'f1']);
    await writeFile(join(dir.path, 'roster.csv'), simpleRoster(3).csv);
    const imported = await runGenkan(['roster', 'import', join(dir.path, 'roster.csv'), '--data', hubDir]);
    expect(imported.code, imported.stderr).toBe(0);
  });
  afterAll(async () => {
    await dir.remove();
  });

  it('adds, lists, disables and enables staff accounts', async () => {
    await genkanJson(['staff', 'add', 's1', '--name', '保育 花子', '--pin', '1234', '--data', hubDir]);
    expect(await genkanJson(['staff', 'disable', 's1', '--data', hubDir])).toEqual({
      staffId: 's1',
      name: '保育 花子',
      role: 'staff',
      enabled: false,
    });
    expect(await genkanJson(['staff', 'list', '--data', hubDir])).toEqual({
      staff: [{ id: 's1', name: '保育 花子', role: 'staff', disabled: true }],
    });
    await genkanJson(['staff', 'enable', 's1', '--data', hubDir]);
    const unknown = await runGenkan(['staff', 'disable', 'nobody', '--data', hubDir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown_staff');
  });

  it('changes settings with path=value and shows them', async () => {
    const after = await genkanJson<Record<string, unknown>>([
      'settings',
      'set',
      'classes.k1.cutoff=09:30',
      'classes.k1.maxChildrenPerStaff=3',
      'closingTime=18:30',
      '--data',
      hubDir,
    ]);
    expect(after).toMatchObject({
      closingTime: '18:30',
      classes: { k1: { cutoff: '09:30', maxChildrenPerStaff: 3 } },
    });
    expect(await genkanJson(['settings', 'show', '--data', hubDir])).toEqual(after);
  });

  it('refuses a bad value with the field and the reason, and changes nothing', async () => {
    const before = await genkanJson(['settings', 'show', '--data', hubDir]);
    const r = await runGenkan([
      'settings',
      'set',
      'closingTime=17:00',
      'careBands.short.start=17:00',
      'careBands.short.end=09:00',
      '--data',
      hubDir,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bad_setting');
    expect(r.stderr).toContain('careBands.short.end');
    expect(await genkanJson(['settings', 'show', '--data', hubDir])).toEqual(before);
  });
});
