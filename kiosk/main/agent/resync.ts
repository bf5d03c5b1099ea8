import type { Logger } from '../../../common/logger.ts';
import { decodeJson, describeIssues, ResyncRequestSchema } from '../../../protocol/index.ts';
import type { OutboxSender } from '../sender.ts';
import type { KioskTransactional } from '../store/kiosk-store.ts';
import type { OutboxStore } from '../store/outbox.ts';
import type { ResyncStore } from '../store/resync.ts';
import type { StatusPublisher } from './status.ts';

export interface KioskResyncOptions {
  logger: Logger;
  store: KioskTransactional & {
    outbox: Pick<OutboxStore, 'requeueAckedSince'>;
    resync: Pick<ResyncStore, 'served' | 'recordServed'>;
  };
  sender: Pick<OutboxSender, 'rewind'>;
  status: Pick<StatusPublisher, 'publishNow'>;
}

/**
 * A restored hub's request (genkan/v1/F/resync, protocol/resync.ts): every event this kiosk holds that
 * was acknowledged since `since` becomes pending again and goes out through the outbox, in seq order and
 * resent until acknowledged (the hub stores them idempotently). Each request is served once, recorded in
 * the same transaction; the status then reports it (`resynced`), which is how the hub learns it was served.
 */
export class KioskResync {
  readonly #o: KioskResyncOptions;

  constructor(options: KioskResyncOptions) {
    this.#o = options;
  }

  onRequest(payload: Buffer): void {
    const { logger, store, sender, status } = this.#o;
    // An empty retained payload: the hub withdrew its request.
    if (payload.length === 0) return;
    const r = decodeJson(ResyncRequestSchema, payload.toString('utf8'));
    if (!r.ok) {
      const issue = r.problem === 'not_json' ? 'not JSON' : describeIssues(r.error);
      logger.warn({ issue }, 'ignoring an invalid resync request');
      return;
    }
    const { id, since } = r.value;
    const requeued = store.transaction(() => {
      if (store.resync.served(id)) return undefined;
      const n = store.outbox.requeueAckedSince(new Date(since));
      store.resync.recordServed(id);
      return n;
    });
    if (requeued === undefined) {
      // Served before (the retained request again at a reconnect): report it again, the hub may have missed it.
      status.publishNow();
      return;
    }
    logger.info(
      { id, since, requeued },
      'restored hub asked for a resend: events since the backup queued again',
    );
    sender.rewind();
    status.publishNow();
  }
}
