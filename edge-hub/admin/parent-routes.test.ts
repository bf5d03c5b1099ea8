import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminAuditPage } from '../../protocol/admin.ts';
import { ParentInviteResultSchema } from '../../protocol/parents.ts';
import { invitationTokenHash } from '../parents/invite.ts';
import { HubStore } from '../store/hub-store.ts';
import {
  adminAudit,
  errorCode,
  startAdminRoutesHub,
  type AdminRoutesHub,
} from '../../test/support/admin-routes.ts';
import { directorCookie, startAdminTestHub, type AdminTestHub } from '../../test/support/hub.ts';
import type { AdminParentInvite } from './parent-routes.ts';

const CLOUD = 'https://cloud.example/genkan';

const tokenOf = (url: string): string => url.slice(url.indexOf('#invite=') + '#invite='.length);

/**
 * The admin app's parent-app routes against an in-process hub that was once started with a cloud: the
 * invitation (link, QR, the hash kept, a second one replacing the first), revoking, the refusals, and
 * that neither the link nor its token reaches a log line or the audit log.
 */
describe('admin parent routes', () => {
  let t: AdminRoutesHub;
  let base: string;
  let cookie: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    t = await startAdminRoutesHub(logLines, {
      seed: (store) => {
        store.parentAccess.rememberCloudUrl(CLOUD);
      },
    });
    ({ base, cookie } = t);
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (path: string, headers: Record<string, string> = { cookie, origin: base }) =>
    fetch(`${base}/api/admin/guardians/${path}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{}',
    });
  const accessOf = (guardianId: string) => {
    const store = HubStore.open(t.site.dir);
    try {
      return store.parentAccess.get(guardianId);
    } finally {
      store.close();
    }
  };
  const audit = async (): Promise<AdminAuditPage['entries']> =>
    (await adminAudit(base, cookie)).filter((e) => e.action.startsWith('parent.'));

  it('invites a guardian: the link and its QR code; the hub keeps only the hash; a second replaces the first', async () => {
    const res = await post('g001/parent-invite');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const first = (await res.json()) as AdminParentInvite;
    const { svg, ...result } = first;
    expect(ParentInviteResultSchema.parse(result).guardianId).toBe('g001');
    expect(first.url.startsWith(`${CLOUD}/parent/#invite=`)).toBe(true);
    expect(svg).toMatch(/^<svg [^>]*>.*<path d="M/s);
    const token = tokenOf(first.url);
    expect(accessOf('g001')).toMatchObject({
      revoked: false,
      invitation: { tokenHash: invitationTokenHash(token), expires: first.expires },
    });

    const second = (await (await post('g001/parent-invite')).json()) as AdminParentInvite;
    expect(tokenOf(second.url)).not.toBe(token);
    const record = accessOf('g001');
    expect(record?.invitation?.tokenHash).toBe(invitationTokenHash(tokenOf(second.url)));
    expect(record?.version).toBe(2);

    const entries = await audit();
    expect(entries.filter((e) => e.action === 'parent.invite')).toHaveLength(2);
    expect(entries.every((e) => e.actorId === 'boss' && e.subject === 'guardian:g001')).toBe(true);
    const said = JSON.stringify(entries) + logLines.join('\n');
    for (const secret of [token, tokenOf(second.url)]) expect(said).not.toContain(secret);
  });

  it("revokes a parent's access, audited", async () => {
    const res = await post('g001/parent-revoke');
    expect(res.status).toBe(200);
    expect(await res.json()).toStrictEqual({ guardianId: 'g001', revoked: true });
    expect(accessOf('g001')).toMatchObject({ revoked: true, invitation: null });
    expect((await audit()).some((e) => e.action === 'parent.revoke' && e.actorId === 'boss')).toBe(true);
  });

  it('refuses without a session (401), another origin (403) and an unknown guardian (404)', async () => {
    const noSession = await post('g002/parent-invite', { origin: base });
    expect(noSession.status).toBe(401);
    const otherOrigin = await post('g002/parent-invite', { cookie, origin: 'http://evil.example' });
    expect(otherOrigin.status).toBe(403);
    const unknown = await post('nobody/parent-invite');
    expect(unknown.status).toBe(404);
    expect(await errorCode(unknown)).toBe('unknown_guardian');
    const unknownRevoke = await post('nobody/parent-revoke');
    expect(unknownRevoke.status).toBe(404);
    expect(await post('g002/parent-revoke', { origin: base }).then((r) => r.status)).toBe(401);
    expect(accessOf('g002')).toBeUndefined();
  });
});

describe('admin parent routes on a hub never started with a cloud', () => {
  let t: AdminTestHub;
  beforeAll(async () => {
    t = await startAdminTestHub();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 409 no_cloud_url and stores nothing', async () => {
    const cookie = await directorCookie(t.base);
    const res = await fetch(`${t.base}/api/admin/guardians/g001/parent-invite`, {
      method: 'POST',
      headers: { cookie, origin: t.base, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(409);
    expect(await errorCode(res)).toBe('no_cloud_url');
    const store = HubStore.open(t.site.dir);
    try {
      expect(store.parentAccess.get('g001')).toBeUndefined();
    } finally {
      store.close();
    }
  });
});
