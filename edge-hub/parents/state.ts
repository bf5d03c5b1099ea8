import type { ParentGuardianUpload } from '../../protocol/parents.ts';
import type { AuditActorKind } from '../store/audit.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import type { ParentAccessContent, ParentAccessRecord } from '../store/parent-access.ts';
import type { RosterData } from '../store/roster.ts';

/**
 * What the cloud keeps of a guardian with parent access (issue 17) follows the live roster: the name and
 * the children are the roster's, the invitation and the revocation the director's (invite.ts,
 * revoke.ts). A guardian the roster no longer lists keeps their name and has no children, so their parent
 * sees nothing; they come back with the guardian.
 */

/** Who invites or revokes (the CLI today; the admin app later). */
export interface ParentAccessActor {
  kind: AuditActorKind;
  id: string | null;
}

/** The upload schema's bound (protocol/parents.ts): no family has more, the cloud would refuse more. */
const MAX_CHILDREN = 20;

type RosterGuardian = RosterData['guardians'][number];

/** The guardian's content with name and children from the roster (when it lists them). */
export function followRoster(
  content: ParentAccessContent,
  guardian: RosterGuardian | undefined,
): ParentAccessContent {
  return {
    ...content,
    name: guardian?.name ?? content.name,
    childIds: guardian?.childIds.slice(0, MAX_CHILDREN) ?? [],
  };
}

/**
 * Gives every guardian with parent access the roster's name and children, with a new version where they
 * changed (the relay then uploads it). One transaction, so that an invitation the CLI stores meanwhile
 * is not overwritten with the content read before it. Returns the guardians changed.
 */
export function syncParentAccess(store: StoreOf<'roster' | 'parentAccess'> & Transactional): string[] {
  return store.transaction(() => {
    const records = store.parentAccess.all();
    if (records.length === 0) return [];
    const guardians = new Map(store.roster.read().guardians.map((g) => [g.id, g]));
    const changed: string[] = [];
    for (const record of records) {
      const next = followRoster(record, guardians.get(record.guardianId));
      if (next.name === record.name && sameIds(next.childIds, record.childIds)) continue;
      store.parentAccess.put(record.guardianId, next);
      changed.push(record.guardianId);
    }
    return changed;
  });
}

/** The body of PUT /v1/hub/parents/GUARDIAN for a guardian's current version. */
export function parentUploadOf(record: ParentAccessRecord): ParentGuardianUpload {
  return {
    version: record.version,
    name: record.name,
    childIds: record.childIds,
    invitation: record.invitation,
    revoked: record.revoked,
  };
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
