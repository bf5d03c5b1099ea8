import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../common/logger.ts';
import { openCloudStore } from '../cloud-relay/store/open.ts';
import { sampleEvent } from '../test/contract/cloud-store.ts';
import { sqliteBackend, type SqliteBackend } from '../test/support/cloud.ts';
import { register as registerCloud } from './cloud.ts';

/** `genkan cloud webhook …` run in-process on a SQLite store (docs/webhooks.md). */

describe('genkan cloud webhook set|show|remove', () => {
  let backend: SqliteBackend;
  let output: string[];
  beforeEach(async () => {
    backend = await sqliteBackend('genkan-webhook-cli-');
    output = [];
    vi.stubEnv('GENKAN_LOG_LEVEL', 'silent');
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      return true;
    });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    await backend.remove();
  });

  /** Runs `genkan cloud webhook …` in-process and parses its one JSON line. */
  async function run(args: string[]): Promise<Record<string, unknown>> {
    const program = new Command('genkan').exitOverride();
    registerCloud(program);
    output.length = 0;
    await program.parseAsync(['cloud', 'webhook', ...args, '--data', backend.dir], { from: 'user' });
    return JSON.parse(output.join('').trim()) as Record<string, unknown>;
  }

  it('sets a webhook and prints its secret once, shows it without, and removes it', async () => {
    const store = await openCloudStore(backend.location, silentLogger());
    try {
      await store.addHub('hub-a', 'fac-a');
      await store.insertBatch('fac-a', 'hub-a', [
        sampleEvent({ occurredAt: new Date(Date.now() - 60_000).toISOString() }),
      ]);
    } finally {
      await store.close();
    }

    const set = await run(['set', '--facility', 'fac-a', '--url', 'https://integrator.example.jp/in']);
    expect(set).toStrictEqual({
      facilityId: 'fac-a',
      url: 'https://integrator.example.jp/in',
      secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as string,
    });
    const shown = await run(['show', '--facility', 'fac-a']);
    expect(shown).toMatchObject({
      facilityId: 'fac-a',
      url: 'https://integrator.example.jp/in',
      pending: 0,
      lastStatus: null,
      attempts: 0,
      nextAttemptAt: null,
    });
    expect(JSON.stringify(shown)).not.toContain(String(set['secret']));

    const given = await run([
      'set',
      '--facility',
      'fac-a',
      '--url',
      'http://localhost:9000/dev',
      '--secret',
      'my-own-secret-0123456789',
    ]);
    expect(given['secret']).toBe('my-own-secret-0123456789');

    await expect(
      run(['set', '--facility', 'fac-a', '--url', 'http://integrator.example.jp/in']),
    ).rejects.toMatchObject({ code: 'webhook_url_insecure' });
    await expect(
      run(['set', '--facility', 'fac-nobody', '--url', 'https://x.example.jp/']),
    ).rejects.toMatchObject({
      code: 'unknown_facility',
    });
    expect(await run(['remove', '--facility', 'fac-a'])).toStrictEqual({
      facilityId: 'fac-a',
      removed: true,
    });
    expect(await run(['remove', '--facility', 'fac-a'])).toStrictEqual({
      facilityId: 'fac-a',
      removed: false,
    });
    await expect(run(['show', '--facility', 'fac-a'])).rejects.toMatchObject({ code: 'unknown_webhook' });
  });
});
