import webpush from 'web-push';
import type { Clock } from '../../common/time.ts';
import type { PushStore, VapidKeyPair } from '../store/push-types.ts';

/** The VAPID contact when none is configured: syntactically what push services require, reaching no one. */
export const DEFAULT_PUSH_CONTACT = 'mailto:push@genkan.invalid';

/**
 * The cloud's VAPID keys, made on first use and kept in the store (PushStore.vapidKeys: insert if absent,
 * then read back), so that every cloud process on one database signs with the same pair and a browser's
 * subscription, bound to the public key, works whichever process sends. Read once per process.
 */
export class VapidSource {
  private readonly store: PushStore;
  private readonly clock: Clock;
  private readonly contact: string | undefined;
  private pending: Promise<VapidKeyPair> | undefined;

  /** `contact` (--push-contact) overrides the one stored with the keys. */
  constructor(store: PushStore, clock: Clock, contact: string | undefined) {
    this.store = store;
    this.clock = clock;
    this.contact = contact;
  }

  keys(): Promise<VapidKeyPair> {
    this.pending ??= this.load().catch((err: unknown) => {
      // A failed read (database down) is tried again by the next caller.
      this.pending = undefined;
      throw err;
    });
    return this.pending;
  }

  private async load(): Promise<VapidKeyPair> {
    const candidate = { ...webpush.generateVAPIDKeys(), subject: this.contact ?? DEFAULT_PUSH_CONTACT };
    const stored = await this.store.vapidKeys(candidate, this.clock.now());
    return this.contact === undefined ? stored : { ...stored, subject: this.contact };
  }
}
