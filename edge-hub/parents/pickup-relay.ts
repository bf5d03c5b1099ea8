import type { Logger } from '../../common/logger.ts';
import type { PickupPeopleUpload } from '../../protocol/parent-pickups.ts';
import { notStored, putJson, type CloudTarget } from '../relay/http.ts';
import type { UploadRetry } from '../relay/upload-retry.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import { pickupPeopleOf } from './pickup-view.ts';

export type PickupRelayStore = StoreOf<'roster' | 'parentAccess' | 'pickups'> & Transactional;

/**
 * Gives each child of a guardian with parent access (invited at least once) its current pickup list as
 * the upload to the cloud, with a new version where the list changed (guardians on the roster, people the
 * admin added or changed). One transaction. Returns the children whose version moved.
 */
export function syncPickupUploads(store: PickupRelayStore): string[] {
  return store.transaction(() => {
    const withAccess = new Set(store.parentAccess.all().map((r) => r.guardianId));
    if (withAccess.size === 0) return [];
    const roster = store.roster.read();
    const childIds = new Set(roster.guardians.filter((g) => withAccess.has(g.id)).flatMap((g) => g.childIds));
    const changed: string[] = [];
    for (const childId of [...childIds].sort()) {
      if (store.pickups.putUpload(childId, pickupPeopleOf(store, roster, childId)).changed) {
        changed.push(childId);
      }
    }
    return changed;
  });
}

/**
 * The pickup lists' part of the parent relay (parent-relay.ts): PUT /v1/hub/pickup-people/CHILD with the
 * child's current version, one per step, followed by the cloud's `{stored:false}` as parents' access is
 * (a restored hub's versions are behind: sent again with the next version).
 */
export class PickupRelay {
  private readonly o: {
    store: PickupRelayStore;
    logger: Logger;
    retry: UploadRetry;
    stopping: AbortSignal;
    cloud: CloudTarget;
  };
  /** What the lists were last compared at (roster version, parent access, people's revision). */
  private seen: string | undefined;

  constructor(options: PickupRelay['o']) {
    this.o = options;
  }

  next(): (() => Promise<void>) | undefined {
    const { store, retry } = this.o;
    if (!retry.due()) return undefined;
    // The roster (an import), parent access (an invitation) and the people (the admin app, another
    // process) may change: compared again whenever one of them moved.
    const access = store.parentAccess.all();
    const key = [
      store.roster.rosterVersion(),
      access.map((a) => a.guardianId).join(','),
      store.pickups.peopleRevision(),
    ].join('|');
    if (key !== this.seen) {
      syncPickupUploads(store);
      this.seen = key;
    }
    const [upload] = store.pickups.unrelayedUploads(1);
    if (upload === undefined) return undefined;
    const body: PickupPeopleUpload = { version: upload.version, people: upload.people };
    return () => this.send(upload.childId, body);
  }

  private async send(childId: string, body: PickupPeopleUpload): Promise<void> {
    const { store, logger, retry } = this.o;
    const answer = await putJson(this.o.cloud, `/v1/hub/pickup-people/${childId}`, body);
    if (answer.ok) {
      store.pickups.markUploadRelayed(childId, body.version);
      if (notStored(answer.body) && store.pickups.bumpUpload(childId, body.version)) {
        retry.again();
        logger.warn(
          { childId, version: body.version },
          'the cloud holds a later pickup list; sending it again',
        );
        return;
      }
      retry.succeeded();
      logger.info({ childId, version: body.version }, 'pickup list relayed');
      return;
    }
    if (this.o.stopping.aborted) return;
    const reason = retry.failed(answer, `pickup list ${childId}`);
    logger.warn({ childId, reason }, "cloud did not take a child's pickup list; retrying");
  }
}
