import { afterEach, beforeEach, describe } from 'vitest';
import type { CloudStore } from '../../cloud-relay/store/types.ts';
import { describeAmendmentsContract } from './cloud-store-amendments.ts';
import { describeCatchUpContract } from './cloud-store-catch-up.ts';
import { describeEventInsertContract } from './cloud-store-events.ts';
import type { CloudStoreContext, CloudStoreFixture } from './cloud-store-fixtures.ts';
import { describeHubsContract } from './cloud-store-hubs.ts';
import { describeOrgsContract } from './cloud-store-orgs.ts';
import { describeParentNoticesContract } from './cloud-store-parent-notices.ts';
import { describeParentPickupsContract } from './cloud-store-parent-pickups.ts';
import { describeParentsContract } from './cloud-store-parents.ts';
import { describePushContract } from './cloud-store-push.ts';
import { describeEventReadsContract } from './cloud-store-reads.ts';
import { describeRetentionContract } from './cloud-store-retention.ts';
import { describeSnapshotsContract } from './cloud-store-snapshots.ts';
import { describeWebhooksContract } from './cloud-store-webhooks.ts';

export {
  REFUSAL_TEXT,
  sampleAmendment,
  sampleEvent,
  sampleSnapshot,
  sampleVersion,
  type CloudStoreFixture,
} from './cloud-store-fixtures.ts';

/**
 * The behaviour every CloudStore backend must show, one part per aggregate (cloud-store-*.ts). Each test
 * gets a fresh, empty store from `factory`. Run it from the backend's own test file:
 * describeCloudStoreContract('sqlite', async () => …).
 */
export function describeCloudStoreContract(name: string, factory: () => Promise<CloudStoreFixture>): void {
  describe(`CloudStore contract: ${name}`, () => {
    let current: CloudStoreFixture | undefined;
    const ctx: CloudStoreContext = {
      get fixture(): CloudStoreFixture {
        if (current === undefined) throw new Error('no store outside a test');
        return current;
      },
      get store(): CloudStore {
        return ctx.fixture.store;
      },
    };

    beforeEach(async () => {
      current = await factory();
    });
    afterEach(async () => {
      await current?.cleanup();
      current = undefined;
    });

    describeHubsContract(ctx);
    describeEventInsertContract(ctx);
    describeEventReadsContract(ctx);
    describeSnapshotsContract(ctx);
    describeAmendmentsContract(ctx);
    describeOrgsContract(ctx);
    describeRetentionContract(ctx);
    describeCatchUpContract(ctx);
    describeParentsContract(ctx);
    describeWebhooksContract(ctx);
    describeParentNoticesContract(ctx);
    describeParentPickupsContract(ctx);
    describePushContract(ctx);
  });
}
