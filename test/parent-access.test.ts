import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParentGuardianUploadSchema, ParentInviteResultSchema } from '../protocol/parents.ts';
import { acceptAll, FakeCloud } from './support/fake-cloud.ts';
import { genkanJson, runGenkan, tempDir, type GenkanProcess } from './support/process.ts';
import { provisionSite, simpleRoster, startHub, type Site } from './support/site.ts';
import { until } from './support/wait.ts';

/**
 * Issue 17 slice 1 at the hub, across real processes: `genkan guardian invite` and `revoke-parent` on a
 * running hub's data, and the hub relaying each change of the guardian's parent access to its cloud (a
 * recording stand-in here) — the invitation's token hash, the roster's name and children, the revocation.
 */
describe('parent access from the CLI to the cloud', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  let hubData: string;
  let cloud: FakeCloud;
  let cloudUrl: string;
  let hub: GenkanProcess | undefined;

  beforeAll(async () => {
    dir = await tempDir();
    site = await provisionSite(dir.path, { kiosks: 0, children: 3 });
    hubData = join(dir.path, 'hub');
    cloud = new FakeCloud(acceptAll);
    cloudUrl = await cloud.listen();
  });
  afterAll(async () => {
    await hub?.stop();
    await cloud.close();
    await dir.remove();
  });

  const uploads = (guardianId: string) =>
    cloud.received
      .filter((r) => r.method === 'PUT' && r.url === `/v1/hub/parents/${guardianId}`)
      .map((r) => ({ auth: r.auth, body: ParentGuardianUploadSchema.parse(r.body) }));

  it('needs a cloud URL for the link, and a guardian on the roster', async () => {
    const noUrl = await runGenkan(['guardian', 'invite', 'g001', '--data', hubData]);
    expect(noUrl.code).toBe(1);
    expect(noUrl.stderr).toContain('no_cloud_url');
    const unknown = await runGenkan([
      'guardian',
      'invite',
      'nobody',
      '--data',
      hubData,
      '--parent-url',
      'https://parents.example',
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown_guardian');
    const revokeUnknown = await runGenkan(['guardian', 'revoke-parent', 'nobody', '--data', hubData]);
    expect(revokeUnknown.code).toBe(1);
    expect(revokeUnknown.stderr).toContain('unknown_guardian');
  });

  it('invites, follows the roster and revokes, each relayed by the running hub', async () => {
    hub = startHub(site, { cloudUrl });
    await hub.ready();

    // The link goes to the cloud the hub was started with; the cloud gets only the token's hash.
    const invited = ParentInviteResultSchema.parse(
      await genkanJson(['guardian', 'invite', 'g001', '--data', hubData, '--hours', '24']),
    );
    expect(invited.guardianId).toBe('g001');
    expect(invited.url.startsWith(`${cloudUrl}/parent/#invite=`)).toBe(true);
    expect(Date.parse(invited.expires) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    const token = invited.url.split('#invite=')[1] ?? '';
    await until(() => uploads('g001').length === 1, 'the invitation at the cloud');
    expect(uploads('g001')[0]).toStrictEqual({
      auth: `Bearer ${site.hubToken}`,
      body: {
        version: 1,
        name: '保護者 001',
        childIds: ['c001'],
        invitation: {
          tokenHash: createHash('sha256').update(token).digest('hex'),
          expires: invited.expires,
        },
        revoked: false,
      },
    });

    // A roster import by another process gives the guardian a second child: version 2.
    const { csv } = simpleRoster(3);
    await writeFile(join(dir.path, 'roster2.csv'), csv.replace(',g002,保護者 002,', ',g001,保護者 001,'));
    await genkanJson(['roster', 'import', join(dir.path, 'roster2.csv'), '--data', hubData]);
    await until(() => uploads('g001').length === 2, 'the new children at the cloud');
    expect(uploads('g001')[1]?.body).toMatchObject({ version: 2, childIds: ['c001', 'c002'] });

    expect(await genkanJson(['guardian', 'revoke-parent', 'g001', '--data', hubData])).toStrictEqual({
      guardianId: 'g001',
      revoked: true,
    });
    await until(() => uploads('g001').length === 3, 'the revocation at the cloud');
    expect(uploads('g001')[2]?.body).toMatchObject({ version: 3, invitation: null, revoked: true });
    // No other guardian was sent, and the token is in no log.
    expect(cloud.received.filter((r) => r.url.startsWith('/v1/hub/parents/g00')).length).toBe(3);
    expect(hub.stderr).not.toContain(token);
  });
});
