import type { Logger } from '../common/logger.ts';
import type { AttendanceEvent } from '../protocol/index.ts';

/** Told of the events an upload stored for the first time (after their commit). */
export type StoredEventsListener = (facilityId: string, events: readonly AttendanceEvent[]) => void;

/**
 * The events each batch newly stored, for what reacts to them at once (Web Push to parents). Listeners run
 * after the commit and are never awaited: a slow or failing one never holds up or fails an upload. Whatever
 * must survive a restart (webhooks) reads the stored events by cursor instead.
 */
export class StoredEvents {
  private readonly listeners: StoredEventsListener[] = [];
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  add(listener: StoredEventsListener): void {
    this.listeners.push(listener);
  }

  emit(facilityId: string, events: readonly AttendanceEvent[]): void {
    if (events.length === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(facilityId, events);
      } catch (err) {
        this.logger.error({ err, facilityId }, 'stored-events listener failed');
      }
    }
  }
}
