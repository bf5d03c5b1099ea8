import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../common/time.ts';
import { ParentGuardianUploadSchema, ParentInviteResultSchema } from '../../protocol/parents.ts';
import { ROSTER_HEADER, TEST_ROSTER, useTempHubStore } from '../../test/support/hub.ts';
import { importRoster } from '../facility/roster.ts';
import type { HubStore } from '../store/hub-store.ts';
import { invitationTokenHash, inviteParent } from './invite.ts';
import { revokeParent } from './revoke.ts';
import { parentUploadOf, syncParentAccess } from './state.ts';

/**
 * Parents' access at the hub (issue 17): invitations (only the token's hash kept), revocations, and the
 * guardians' content following the live roster, each change with a new version for the relay.
 */

const CLI = { kind: 'cli', id: null } as const;
const clock = fixedClock('2026-04-01T00:00:00Z');
const tokenOf = (url: string) => /#invite=([A-Za-z0-9_-]+)$/.exec(url)?.[1] ?? '';

describe('parent access', () => {
  let store: HubStore;
  useTempHubStore(
    (s) => {
      store = s;
    },
    { roster: TEST_ROSTER },
  );

  const invite = (guardianId = 'g001', extra: { parentUrl?: string; hours?: number } = {}) =>
    inviteParent(store, guardianId, { parentUrl: 'https://cloud.example/', actor: CLI, clock, ...extra });

  it('invites with a one-time link, keeping only the SHA-256 of its token, audited without it', () => {
    const result = invite('g001', { hours: 48 });
    expect(ParentInviteResultSchema.parse(result)).toStrictEqual(result);
    expect(result.url).toMatch(/^https:\/\/cloud\.example\/parent\/#invite=[A-Za-z0-9_-]{43}$/);
    // Tokyo time, 48 hours on.
    expect(result.expires).toBe('2026-04-03T09:00:00.000+09:00');
    const token = tokenOf(result.url);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    const record = store.parentAccess.get('g001');
    expect(record).toMatchObject({
      version: 1,
      relayedVersion: 0,
      name: '山田 花子',
      childIds: ['c001', 'c002'],
      invitation: { tokenHash: createHash('sha256').update(token).digest('hex'), expires: result.expires },
      revoked: false,
    });
    expect(record && ParentGuardianUploadSchema.parse(parentUploadOf(record))).toStrictEqual({
      version: 1,
      name: '山田 花子',
      childIds: ['c001', 'c002'],
      invitation: { tokenHash: invitationTokenHash(token), expires: result.expires },
      revoked: false,
    });
    const audit = store.audit.all().filter((a) => a.action === 'parent.invite');
    expect(audit).toMatchObject([{ actorKind: 'cli', subject: 'guardian:g001', outcome: 'ok' }]);
    const dump = JSON.stringify(store.audit.all());
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(invitationTokenHash(token));
    expect(store.parentAccess.unrelayed(10).map((r) => r.guardianId)).toStrictEqual(['g001']);
  });

  it('replaces the open invitation with a new one', () => {
    const first = invite();
    store.parentAccess.markRelayed('g001', 1);
    const second = invite();
    expect(tokenOf(second.url)).not.toBe(tokenOf(first.url));
    expect(store.parentAccess.get('g001')).toMatchObject({
      version: 2,
      relayedVersion: 1,
      invitation: { tokenHash: invitationTokenHash(tokenOf(second.url)) },
    });
    expect(store.parentAccess.unrelayed(10).map((r) => r.version)).toStrictEqual([2]);
  });

  it('links to the cloud of the last start by default, and needs one', () => {
    expect(() => inviteParent(store, 'g001', { actor: CLI })).toThrow(
      expect.objectContaining({ code: 'no_cloud_url' }),
    );
    store.parentAccess.rememberCloudUrl('https://relay.example/genkan//');
    expect(store.parentAccess.cloudUrl()).toBe('https://relay.example/genkan');
    expect(inviteParent(store, 'g001', { actor: CLI }).url).toMatch(
      /^https:\/\/relay\.example\/genkan\/parent\/#invite=/,
    );
    // Given, the URL wins.
    expect(invite('g002').url).toMatch(/^https:\/\/cloud\.example\/parent\/#invite=/);
  });

  it('refuses a bad URL, a bad duration and an unknown guardian, storing nothing', () => {
    for (const [extra, code] of [
      [{ parentUrl: 'ftp://cloud.example' }, 'bad_parent_url'],
      [{ parentUrl: 'https://cloud.example/?a=1' }, 'bad_parent_url'],
      [{ parentUrl: 'not a url' }, 'bad_parent_url'],
      [{ hours: 0 }, 'bad_invite_hours'],
      [{ hours: 721 }, 'bad_invite_hours'],
    ] as const) {
      expect(() => invite('g001', extra)).toThrow(expect.objectContaining({ code }));
    }
    expect(() => invite('nobody')).toThrow(expect.objectContaining({ code: 'unknown_guardian' }));
    expect(store.parentAccess.all()).toStrictEqual([]);
    expect(store.audit.all().filter((a) => a.action.startsWith('parent.'))).toStrictEqual([]);
  });

  it('revokes: no invitation, revoked, audited; a new invitation gives access again', () => {
    invite();
    expect(revokeParent(store, 'g001', CLI)).toStrictEqual({ guardianId: 'g001', revoked: true });
    expect(store.parentAccess.get('g001')).toMatchObject({ version: 2, invitation: null, revoked: true });
    expect(store.audit.all().filter((a) => a.action === 'parent.revoke')).toMatchObject([
      { actorKind: 'cli', subject: 'guardian:g001', outcome: 'ok' },
    ]);
    invite();
    expect(store.parentAccess.get('g001')).toMatchObject({ version: 3, revoked: false });
    expect(() => revokeParent(store, 'nobody', CLI)).toThrow(
      expect.objectContaining({ code: 'unknown_guardian' }),
    );
  });

  it("follows the live roster: a guardian's new name and children, none when they leave it", () => {
    invite('g001');
    invite('g002');
    for (const r of store.parentAccess.all()) store.parentAccess.markRelayed(r.guardianId, r.version);
    expect(syncParentAccess(store)).toStrictEqual([]);

    // g001 renamed and one child fewer; g002 unchanged; g003 (never invited) changed too.
    importRoster(
      store,
      [
        ROSTER_HEADER,
        'k1,ひよこ組,c001,山田 太郎,やまだ たろう,g001,山田 花子 (母),04A23B4C',
        'k2,りす組,c003,佐藤 一,さとう はじめ,g002,佐藤 二,0102030405060708',
        'k2,りす組,c004,=1+2,あいう,g003,鈴木 さん,',
      ].join('\n'),
    );
    expect(syncParentAccess(store)).toStrictEqual(['g001']);
    expect(store.parentAccess.get('g001')).toMatchObject({
      version: 2,
      name: '山田 花子 (母)',
      childIds: ['c001'],
      revoked: false,
    });
    expect(store.parentAccess.get('g003')).toBeUndefined();
    expect(syncParentAccess(store)).toStrictEqual([]);

    // g002 leaves the roster: kept by name, with no children; still revocable.
    importRoster(
      store,
      [ROSTER_HEADER, 'k1,ひよこ組,c001,山田 太郎,やまだ たろう,g001,山田 花子 (母),'].join('\n'),
    );
    expect(syncParentAccess(store)).toStrictEqual(['g002']);
    expect(store.parentAccess.get('g002')).toMatchObject({ version: 2, name: '佐藤 二', childIds: [] });
    revokeParent(store, 'g002', CLI);
    expect(store.parentAccess.get('g002')).toMatchObject({ version: 3, childIds: [], revoked: true });
  });
});
