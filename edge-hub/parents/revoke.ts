import { NotFoundError } from '../../common/errors.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import { followRoster, type ParentAccessActor } from './state.ts';

type RevokeStore = StoreOf<'roster' | 'parentAccess' | 'audit'> & Transactional;

/**
 * Stores the guardian's access as revoked (no invitation, the roster's name and children) with the next
 * version and audits it as `action`; within the caller's transaction. Returns the new version.
 */
function storeRevoked(
  store: RevokeStore,
  guardianId: string,
  name: string,
  audit: { actor: ParentAccessActor; action: string; before?: unknown },
): number {
  const guardian = store.roster.read().guardians.find((g) => g.id === guardianId);
  const version = store.parentAccess.put(
    guardianId,
    followRoster({ name, childIds: [], invitation: null, revoked: true }, guardian),
  );
  store.audit.append({
    actorKind: audit.actor.kind,
    actorId: audit.actor.id,
    action: audit.action,
    subject: `guardian:${guardianId}`,
    outcome: 'ok',
    ...(audit.before !== undefined && { before: audit.before }),
    after: { version },
  });
  return version;
}

/**
 * Ends a guardian's access to the parent app (issue 17): the open invitation is dropped and, once the
 * relay has uploaded `revoked`, the cloud deletes the guardian's passkeys and sessions. A new invitation
 * gives access again. Audited.
 */
export function revokeParent(
  store: RevokeStore,
  guardianId: string,
  actor: ParentAccessActor,
): { guardianId: string; revoked: true } {
  store.transaction(() => {
    const guardian = store.roster.read().guardians.find((g) => g.id === guardianId);
    // A guardian who left the roster may still have access (to nothing): that can be ended too.
    const name = store.parentAccess.get(guardianId)?.name ?? guardian?.name;
    if (name === undefined) {
      throw new NotFoundError('unknown_guardian', `guardian ${guardianId} is not on the roster`);
    }
    storeRevoked(store, guardianId, name, { actor, action: 'parent.revoke' });
  });
  return { guardianId, revoked: true };
}

/**
 * The cloud did not take `version` of the guardian's access, and the version it holds is a revocation: a
 * hub restored from a backup older than the revocation. Sending its own content with a higher version
 * would give access back (and its open invitation, if any, would work again), so the hub revokes too, as
 * the cloud holds. Only while the record is still at `version` and not revoked; audited as the cloud's.
 * Returns whether it revoked.
 */
export function adoptCloudRevocation(store: RevokeStore, guardianId: string, version: number): boolean {
  return store.transaction(() => {
    const record = store.parentAccess.get(guardianId);
    if (record === undefined || record.version !== version || record.revoked) return false;
    storeRevoked(store, guardianId, record.name, {
      actor: { kind: 'api', id: 'cloud' },
      action: 'parent.revoke_adopted',
      before: { version },
    });
    return true;
  });
}
