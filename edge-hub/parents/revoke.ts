import { NotFoundError } from '../../common/errors.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import { followRoster, type ParentAccessActor } from './state.ts';

/**
 * Ends a guardian's access to the parent app (issue 17): the open invitation is dropped and, once the
 * relay has uploaded `revoked`, the cloud deletes the guardian's passkeys and sessions. A new invitation
 * gives access again. Audited.
 */
export function revokeParent(
  store: StoreOf<'roster' | 'parentAccess' | 'audit'> & Transactional,
  guardianId: string,
  actor: ParentAccessActor,
): { guardianId: string; revoked: true } {
  store.transaction(() => {
    const guardian = store.roster.read().guardians.find((g) => g.id === guardianId);
    const record = store.parentAccess.get(guardianId);
    // A guardian who left the roster may still have access (to nothing): that can be ended too.
    const name = record?.name ?? guardian?.name;
    if (name === undefined) {
      throw new NotFoundError('unknown_guardian', `guardian ${guardianId} is not on the roster`);
    }
    const version = store.parentAccess.put(
      guardianId,
      followRoster({ name, childIds: [], invitation: null, revoked: true }, guardian),
    );
    store.audit.append({
      actorKind: actor.kind,
      actorId: actor.id,
      action: 'parent.revoke',
      subject: `guardian:${guardianId}`,
      outcome: 'ok',
      after: { version },
    });
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
export function adoptCloudRevocation(
  store: StoreOf<'roster' | 'parentAccess' | 'audit'> & Transactional,
  guardianId: string,
  version: number,
): boolean {
  return store.transaction(() => {
    const record = store.parentAccess.get(guardianId);
    if (record === undefined || record.version !== version || record.revoked) return false;
    const guardian = store.roster.read().guardians.find((g) => g.id === guardianId);
    const next = store.parentAccess.put(
      guardianId,
      followRoster({ name: record.name, childIds: [], invitation: null, revoked: true }, guardian),
    );
    store.audit.append({
      actorKind: 'api',
      actorId: 'cloud',
      action: 'parent.revoke_adopted',
      subject: `guardian:${guardianId}`,
      outcome: 'ok',
      before: { version },
      after: { version: next },
    });
    return true;
  });
}
