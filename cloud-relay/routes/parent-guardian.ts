import type { ParentGuardian, ParentIdentity } from '../store/parent-types.ts';
import type { CloudStore, Facility } from '../store/types.ts';
import { notSignedIn } from './parent-auth.ts';

/** The signed-in guardian (revoked meanwhile: signed out, 401 not_signed_in) and the facility. */
export async function activeGuardian(
  store: CloudStore,
  who: ParentIdentity,
): Promise<{ guardian: ParentGuardian; facility: Facility }> {
  const [guardian, facility] = await Promise.all([
    store.parents.getGuardian(who.facilityId, who.guardianId),
    store.getFacility(who.facilityId),
  ]);
  if (guardian === undefined || guardian.revoked || facility === undefined) throw notSignedIn();
  return { guardian, facility };
}
