import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { RunningHubWithPlain } from '../../edge-hub/hub.ts';
import { addStaff } from '../../edge-hub/access/staff-accounts.ts';
import { HubStore } from '../../edge-hub/store/hub-store.ts';
import { provision, removeDir, startTestHub, TEST_ROSTER, type TestSite } from '../support/hub.ts';
import {
  AdminRosterSchema,
  ImportJobSchema,
  ImportStartedSchema,
  type ImportJob,
} from '../../protocol/admin.ts';
import { FacilitySettingsSchema } from '../../protocol/index.ts';
import {
  httpSpec,
  renderBody,
  rosterCsv,
  settingsPatch,
  SETTINGS_KEYS,
  type HttpSpec,
} from './arbitraries.ts';
import {
  announce,
  checkNoPollution,
  checkRefusal,
  FUZZ_RUNS,
  fuzzTimeout,
  http,
  preview,
  prototypeKeys,
  runFuzz,
  Tally,
  type HttpAnswer,
} from './harness.ts';

/**
 * Issue 11, fuzzing the hub's admin bodies on a real hub (HTTP over TCP): PATCH /api/settings (admin token)
 * and PATCH /api/admin/settings (admin app session), and roster files to the import endpoint (preview and
 * real import). Never 5xx; a refusal has a known code and changes nothing; the hub keeps serving.
 */

const TOKEN = 'test-admin-token';
const PIN = '246813';

describe('fuzz: admin bodies', () => {
  let site: TestSite;
  let hub: RunningHubWithPlain;
  let base: string;
  let cookie = '';
  const prototypeBefore = prototypeKeys();

  const signIn = async () => {
    const res = await fetch(`${base}/api/admin/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ staffId: 'boss', pin: PIN }),
    });
    if (res.status !== 200) throw new Error(`admin sign-in failed: ${res.status}`);
    cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  };

  beforeAll(async () => {
    announce('admin');
    site = await provision(1);
    const setup = HubStore.open(site.dir);
    await addStaff(setup, { id: 'boss', name: '園長', pin: PIN, role: 'admin' });
    setup.close();
    hub = await startTestHub(site);
    base = `http://127.0.0.1:${hub.ports.http}`;
    await signIn();
  }, 120_000);

  afterAll(async () => {
    await hub.close();
    await removeDir(site.dir);
  }, 60_000);

  /** Headers of a request authenticated (or not, or wrongly) by the admin token or the admin app's cookie. */
  const headersOf = (spec: Pick<HttpSpec, 'auth' | 'origin' | 'contentType'>, via: 'token' | 'cookie') => {
    const headers: Record<string, string> = {};
    if (spec.contentType !== null) headers['content-type'] = spec.contentType;
    if (via === 'token') {
      if (spec.auth === 'ok') headers['authorization'] = `Bearer ${TOKEN}`;
      else if (spec.auth === 'garbage') headers['authorization'] = 'Bearer not-the-token';
      else if (spec.auth === 'partial') headers['authorization'] = `Basic ${TOKEN}`;
    } else if (spec.auth === 'ok') headers['cookie'] = cookie;
    else if (spec.auth === 'garbage') headers['cookie'] = 'genkan_admin=AAAA';
    else if (spec.auth === 'partial') headers['cookie'] = 'genkan_admin=';
    if (spec.origin === 'same') headers['origin'] = base;
    else if (spec.origin === 'other') headers['origin'] = 'http://evil.example';
    return headers;
  };

  const settingsNow = async () => http(`${base}/api/settings`, 'GET', { authorization: `Bearer ${TOKEN}` });

  /** A 401 on a request that carried good credentials means the session ended: noted, and signed in again. */
  const sessionLost = async (
    tally: Tally,
    code: string | undefined,
    spec: HttpSpec,
    via: 'token' | 'cookie',
  ) => {
    if (spec.auth === 'ok' && (code === 'unauthorized' || code === 'not_signed_in')) {
      tally.record('violation', `good ${via} credentials refused with ${code}`, spec);
      await signIn();
    }
  };

  it(
    'PATCH /api/settings and /api/admin/settings: 200 with the settings as now stored, or 4xx with a code and nothing changed',
    async () => {
      const tally = new Tally('admin settings (HTTP)');
      let current = (await settingsNow()).text;
      const classIds = ['k1', 'k2'];
      const arb = fc.tuple(
        httpSpec(settingsPatch(classIds), SETTINGS_KEYS, 65 * 1024),
        fc.constantFrom<'token' | 'cookie'>('token', 'cookie'),
      );
      const stillServing = async () => {
        const answer = await http(
          `${base}/api/settings`,
          'PATCH',
          { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          Buffer.from('{}'),
        );
        if (answer.status !== 200)
          tally.record('crash', `the hub stopped serving: {} got ${answer.status} ${answer.text}`);
      };

      await runFuzz(tally, arb, async ([spec, via]) => {
        if (tally.cases % 100 === 0) await stillServing();
        const body = renderBody(spec.body, { recent: [], now: new Date(), timeZone: 'Asia/Tokyo' });
        const url = via === 'token' ? `${base}/api/settings` : `${base}/api/admin/settings`;
        const answer: HttpAnswer = await http(url, 'PATCH', headersOf(spec, via), body);
        const after = await settingsNow();
        if (after.status !== 200) {
          tally.record(
            'crash',
            `GET /api/settings answered ${after.status} ${after.text.slice(0, 200)}`,
            spec,
          );
          return;
        }
        if (answer.status === 200) {
          tally.count(`200 via ${via}`);
          if (spec.auth !== 'ok' || (via === 'cookie' && spec.origin === 'other')) {
            tally.record(
              'violation',
              `200 for a request with auth ${spec.auth}, origin ${spec.origin}`,
              spec,
            );
          }
          if (!FacilitySettingsSchema.safeParse(JSON.parse(answer.text)).success) {
            tally.record('violation', `200 with malformed settings ${answer.text.slice(0, 200)}`, spec);
          }
          if (JSON.stringify(JSON.parse(answer.text)) !== JSON.stringify(JSON.parse(after.text))) {
            tally.record('violation', 'the answered settings are not the stored ones', {
              spec,
              answer: answer.text,
              after: after.text,
            });
          }
          current = after.text;
          return;
        }
        const code = checkRefusal(tally, answer, { spec, via, body: preview(body, 300) });
        if (after.text !== current) {
          tally.record('violation', `refused (${answer.status} ${code ?? ''}) but the settings changed`, {
            spec,
            before: current,
            after: after.text,
          });
          current = after.text;
        }
        await sessionLost(tally, code, spec, via);
      });
      await stillServing();
      checkNoPollution(tally, prototypeBefore);
      tally.finish();
    },
    fuzzTimeout(FUZZ_RUNS, 30),
  );

  it(
    'POST /api/admin/roster/imports (preview and import): a job that ends done or failed with its problems; a refused file changes nothing',
    async () => {
      const tally = new Tally('admin roster import (HTTP)');
      const rosterVersion = async (): Promise<number> => {
        let answer = await http(`${base}/api/admin/roster`, 'GET', { cookie });
        if (answer.status === 401) {
          await signIn();
          answer = await http(`${base}/api/admin/roster`, 'GET', { cookie });
        }
        if (answer.status !== 200) throw new Error(`GET /api/admin/roster answered ${answer.status}`);
        return AdminRosterSchema.parse(JSON.parse(answer.text)).version;
      };
      /** Follows a job to its end (it runs in the background, in steps). */
      const finished = async (jobId: string): Promise<ImportJob | string> => {
        const deadline = Date.now() + 30_000;
        for (;;) {
          const answer = await http(`${base}/api/admin/roster/imports/${encodeURIComponent(jobId)}`, 'GET', {
            cookie,
          });
          if (answer.status !== 200)
            return `job status answered ${answer.status} ${answer.text.slice(0, 200)}`;
          const job = ImportJobSchema.safeParse(JSON.parse(answer.text));
          if (!job.success) return `malformed job ${answer.text.slice(0, 200)}`;
          if (job.data.state === 'done' || job.data.state === 'failed') return job.data;
          if (Date.now() > deadline) return `job still ${job.data.state} after 30 s`;
          await new Promise((r) => setImmediate(r));
        }
      };
      const importCsv = (csv: string, dryRun: boolean, headers: Record<string, string>) =>
        http(`${base}/api/admin/roster/imports?dryRun=${String(dryRun)}`, 'POST', headers, Buffer.from(csv));
      /** Puts the test roster back after a fuzzed file was imported: also the "keeps serving" check. */
      const restore = async () => {
        const answer = await importCsv(TEST_ROSTER, false, { cookie, 'content-type': 'text/csv' });
        const job =
          answer.status === 202
            ? await finished(ImportStartedSchema.parse(JSON.parse(answer.text)).jobId)
            : answer.text;
        if (typeof job === 'string' || job.state !== 'done')
          tally.record('crash', `the test roster no longer imports: ${preview(job)}`);
      };
      let version = await rosterVersion();
      const arb = fc.record({
        csv: rosterCsv(TEST_ROSTER),
        dryRun: fc.oneof(
          { weight: 3, arbitrary: fc.constant(true) },
          { weight: 1, arbitrary: fc.constant(false) },
        ),
        contentType: fc.oneof(
          { weight: 12, arbitrary: fc.constant<string | null>('text/csv') },
          {
            weight: 1,
            arbitrary: fc.constantFrom<string | null>(
              null,
              'text/csv; charset=shift_jis',
              'application/json',
              'text/plain',
            ),
          },
        ),
        auth: fc.oneof(
          { weight: 20, arbitrary: fc.constant<HttpSpec['auth']>('ok') },
          { weight: 1, arbitrary: fc.constantFrom<HttpSpec['auth']>('none', 'garbage', 'partial') },
        ),
        origin: fc.oneof(
          { weight: 20, arbitrary: fc.constant<HttpSpec['origin']>('none') },
          { weight: 1, arbitrary: fc.constantFrom<HttpSpec['origin']>('same', 'other') },
        ),
      });

      await runFuzz(tally, arb, async (spec) => {
        const answer = await importCsv(spec.csv, spec.dryRun, headersOf(spec, 'cookie'));
        if (answer.status === 202) {
          if (spec.auth !== 'ok' || spec.origin === 'other') {
            tally.record(
              'violation',
              `202 for a request with auth ${spec.auth}, origin ${spec.origin}`,
              spec,
            );
          }
          const job = await finished(ImportStartedSchema.parse(JSON.parse(answer.text)).jobId);
          if (typeof job === 'string') {
            tally.record('crash', job, spec);
            return;
          }
          tally.count(`${job.dryRun ? 'preview' : 'import'} ${job.state}`);
          if (job.state === 'failed' && job.problems.some((p) => p.reason === 'internal error')) {
            tally.record('crash', `the job failed with an internal error: ${preview(job)}`, spec);
          }
          if (job.state === 'failed' && job.problems.length === 0)
            tally.record('violation', 'a failed job without problems', spec);
          const now = await rosterVersion();
          const imported = !spec.dryRun && job.state === 'done';
          if (imported ? now <= version : now !== version) {
            tally.record(
              'violation',
              `roster version ${version} → ${now} after a ${spec.dryRun ? 'preview' : 'import'} that ended ${job.state}`,
              spec,
            );
          }
          version = now;
          if (imported) {
            await restore();
            version = await rosterVersion();
          }
          return;
        }
        const code = checkRefusal(tally, answer, { spec, csv: preview(spec.csv, 300) });
        const now = await rosterVersion();
        if (now !== version)
          tally.record('violation', `refused (${answer.status} ${code ?? ''}) but the roster changed`, spec);
        version = now;
        if (spec.auth === 'ok' && code === 'not_signed_in') {
          tally.record('violation', 'the admin session was lost', spec);
          await signIn();
        }
      });
      await restore();
      checkNoPollution(tally, prototypeBefore);
      tally.finish();
    },
    fuzzTimeout(FUZZ_RUNS, 60),
  );
});
