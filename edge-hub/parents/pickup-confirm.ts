import { NotFoundError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import type { TabletPickupPlan } from '../../protocol/parent-pickups.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import type { RosterData } from '../store/roster.ts';
import { pickupPlanLookup, tabletPickupPlan } from './pickup-view.ts';

export interface PickupConfirmOptions {
  store: StoreOf<'pickups' | 'audit' | 'people'> & Transactional;
  roster: () => RosterData;
  logger: Logger;
  /** A plan was confirmed: the tablets show it, and the relay takes the confirmation to the cloud. */
  onConfirmed: () => void;
}

/**
 * Staff confirm (確認) a parent's pickup plan on a tablet, as NoticeConfirmations does for notices: the first
 * confirmation is kept (who, when) for every child of the plan, audited, shown on every tablet and relayed
 * to the cloud, where the parent's card shows 確認済; a second one answers the same.
 */
export class PickupConfirmations {
  private readonly o: PickupConfirmOptions;

  constructor(options: PickupConfirmOptions) {
    this.o = options;
  }

  confirm(actor: { staffId: string; deviceId: string }, planId: string): TabletPickupPlan {
    const { store } = this.o;
    const marked = store.transaction(() => {
      const result = store.pickups.markPlanRead(planId, actor.staffId);
      if (result?.first === true) {
        store.audit.append({
          actorKind: 'staff',
          actorId: actor.staffId,
          action: 'tablet.pickup_read',
          subject: `guardian:${result.record.guardianId}`,
          deviceId: actor.deviceId,
          outcome: 'ok',
          after: { planId: result.record.id, readAt: result.record.readAt },
        });
      }
      return result;
    });
    if (marked === undefined) throw new NotFoundError('unknown_pickup', 'no such pickup plan');
    if (marked.first) {
      this.o.logger.info({ planId: marked.record.id, staffId: actor.staffId }, 'pickup plan confirmed');
      this.o.onConfirmed();
    }
    return tabletPickupPlan(marked.record, pickupPlanLookup(store, this.o.roster()));
  }
}
