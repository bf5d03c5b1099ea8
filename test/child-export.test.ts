import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubStore } from '../edge-hub/store/hub-store.ts';
import { seedChildHistory } from './support/child-history.ts';
import { genkanJson, runGenkan, tempDir } from './support/process.ts';

/** `genkan child export` as the director runs it for a disclosure request. */
describe('genkan child export', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let hubDir: string;
  let events: string[];
  let auditRows: number;

  beforeAll(async () => {
    dir = await tempDir();
    hubDir = join(dir.path, 'hub');
    const store = HubStore.open(hubDir);
    try {
      store.facility.claimFacility('f1');
      events = seedChildHistory(store).events;
      auditRows = store.audit.all().length;
    } finally {
      store.close();
    }
  });
  afterAll(async () => {
    await dir.remove();
  });

  it("prints the child's records as JSON and changes nothing", async () => {
    const out = await genkanJson<{
      childId: string;
      roster: { from: string | null; to: string | null; className: string | null }[];
      guardians: { id: string; name: string }[];
      events: { id: string }[];
      corrections: unknown[];
      audit: unknown[];
    }>(['child', 'export', 'c001', '--data', hubDir]);
    expect(out.childId).toBe('c001');
    expect(out.roster.map((p) => [p.from, p.to, p.className])).toEqual([
      ['2026-04-10', '2027-03-31', 'ひよこ組'],
      ['2027-04-01', '2028-03-31', 'りす組'],
    ]);
    expect(out.guardians.map((g) => g.id)).toEqual(['g001', 'g001']);
    expect(out.events.map((e) => e.id)).toEqual(events);
    expect(out.corrections).toHaveLength(1);
    expect(out.audit).toHaveLength(1);
    expect(JSON.stringify(out)).not.toContain('cafebabe-card-hash');
    const store = HubStore.open(hubDir);
    try {
      expect(store.audit.all()).toHaveLength(auditRows);
    } finally {
      store.close();
    }
  });

  it('exits 1 with unknown_child for a child the hub holds nothing about', async () => {
    const r = await runGenkan(['child', 'export', 'c999', '--data', hubDir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('unknown_child');
  });

  it('does not create a data directory that is not there', async () => {
    const r = await runGenkan(['child', 'export', 'c001', '--data', join(dir.path, 'nothing')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('hub_not_initialised');
  });
});
