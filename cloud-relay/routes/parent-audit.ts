import type { Logger } from '../../common/logger.ts';
import type { Clock } from '../../common/time.ts';
import type { ParentAuditEntry } from '../store/parent-notice-types.ts';
import type { CloudStore } from '../store/types.ts';

/** What a parent did, as audited: lower case words joined by `.` or `_` (e.g. `notice.sent`). */
export type ParentAuditAction = string;

/**
 * The audit of parent actions at the cloud (issue 17: "every parent action is audited"; table
 * parent_audit): passkey registration, sign-in (ok, and refused where the guardian is known), sign-out,
 * notices sent, push subscriptions… `detail` holds ids, dates, counts and codes only: never a name, a
 * token, a credential id or a push endpoint. Kept as long as the facility's records (retention).
 *
 * A failed audit write is logged and does not undo or fail the action it records: the action has
 * happened by then, and the parent must see its true outcome.
 */
export class ParentAudit {
  private readonly store: Pick<CloudStore, 'parentNotices'>;
  private readonly clock: Clock;
  private readonly log: Logger;

  constructor(store: Pick<CloudStore, 'parentNotices'>, clock: Clock, logger: Logger) {
    this.store = store;
    this.clock = clock;
    this.log = logger;
  }

  async record(
    facilityId: string,
    guardianId: string,
    action: ParentAuditAction,
    outcome: ParentAuditEntry['outcome'],
    detail?: Readonly<Record<string, unknown>>,
  ): Promise<void> {
    try {
      await this.store.parentNotices.appendAudit({
        facilityId,
        guardianId,
        at: this.clock.now().toISOString(),
        action,
        outcome,
        detail: detail ?? null,
      });
    } catch (err) {
      this.log.error({ err, facilityId, guardianId, action }, 'parent audit not written');
    }
  }
}
