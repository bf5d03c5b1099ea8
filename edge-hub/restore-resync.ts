import type { Logger } from '../common/logger.ts';
import type { Clock } from '../common/time.ts';
import { decodeJson, RESYNC_MAX_DAYS, StatusSchema, topics, type ResyncRequest } from '../protocol/index.ts';
import { readRestoreMark, writeRestoreMark, type RestoreMark } from './backup/restore-mark.ts';
import type { HubBus } from './events-bus.ts';
import type { StoreOf } from './store/hub-store.ts';

export interface RestoreResyncOptions {
  dataDir: string;
  facilityId: string;
  store: StoreOf<'devices'>;
  bus: Pick<HubBus, 'on'>;
  /** Publishes on the broker; an empty retained payload withdraws the retained message. */
  publish: (topic: string, payload: string, retain: boolean) => void;
  clock: Clock;
  logger: Logger;
  /** Withdrawn after this many days whoever did not report it (RESYNC_MAX_DAYS). */
  maxDays?: number;
  /** How often the deadline and removed kiosks are looked at (1 h). */
  checkIntervalMs?: number;
}

const DAY_MS = 86_400_000;

/**
 * A restored hub asks its kiosks to resend every event they hold since the backup (protocol/resync.ts),
 * including those the lost hub acknowledged after it: a retained request on genkan/v1/F/resync, which a
 * kiosk serves once (it re-queues them in its outbox) and reports in its status (`resynced`). Ingest stores
 * them idempotently, so what the hub already has is acked as a duplicate. The request is withdrawn once
 * every paired kiosk reported it, or after `maxDays`; the restore mark keeps who reported, across restarts.
 */
export class RestoreResync {
  private readonly o: RestoreResyncOptions;
  private request: ResyncRequest | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: RestoreResyncOptions) {
    this.o = options;
  }

  /** Publishes the standing request, if the hub was restored and it was not withdrawn yet. */
  start(): void {
    const mark = readRestoreMark(this.o.dataDir);
    if (mark === undefined || mark.resync.clearedAt !== null) return;
    this.request = { id: mark.resync.id, since: mark.since };
    this.o.bus.on('device.status', (signal) => {
      if (signal.kind !== 'status') return;
      const status = decodeJson(StatusSchema, signal.payload.toString());
      if (status.ok && status.value.resynced === this.request?.id) this.served(signal.deviceId);
    });
    if (this.check(mark)) return;
    this.o.publish(topics.resync(this.o.facilityId), JSON.stringify(this.request), true);
    this.o.logger.info(
      { id: this.request.id, since: this.request.since, waitingFor: this.waitingFor(mark).length },
      'restored hub: kiosks asked to resend their events since the backup',
    );
    this.timer = setInterval(() => {
      const latest = readRestoreMark(this.o.dataDir);
      if (latest !== undefined) this.check(latest);
    }, this.o.checkIntervalMs ?? 3_600_000);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private served(deviceId: string): void {
    const mark = readRestoreMark(this.o.dataDir);
    if (mark === undefined || mark.resync.clearedAt !== null) return;
    if (!mark.resync.served.includes(deviceId)) {
      const next: RestoreMark = {
        ...mark,
        resync: { ...mark.resync, served: [...mark.resync.served, deviceId] },
      };
      writeRestoreMark(this.o.dataDir, next);
      this.o.logger.info({ deviceId }, 'kiosk served the resync request');
      this.check(next);
      return;
    }
    this.check(mark);
  }

  /** Paired kiosks that have not reported the request. */
  private waitingFor(mark: RestoreMark): string[] {
    return this.o.store.devices
      .deviceList()
      .filter((d) => d.role === 'kiosk' && !mark.resync.served.includes(d.id))
      .map((d) => d.id);
  }

  /** Withdraws the request when every kiosk reported it or its time is up; true when withdrawn. */
  private check(mark: RestoreMark): boolean {
    if (mark.resync.clearedAt !== null || this.request === undefined) return true;
    const waiting = this.waitingFor(mark);
    const now = this.o.clock.now();
    const expired =
      now.getTime() - Date.parse(mark.restoredAt) > (this.o.maxDays ?? RESYNC_MAX_DAYS) * DAY_MS;
    if (waiting.length > 0 && !expired) return false;
    writeRestoreMark(this.o.dataDir, { ...mark, resync: { ...mark.resync, clearedAt: now.toISOString() } });
    this.o.publish(topics.resync(this.o.facilityId), '', true);
    if (waiting.length > 0) {
      this.o.logger.warn(
        { id: this.request.id, notReported: waiting },
        'resync request withdrawn after its time; these kiosks never reported it',
      );
    } else {
      this.o.logger.info({ id: this.request.id }, 'every kiosk served the resync request; withdrawn');
    }
    this.request = undefined;
    this.close();
    return true;
  }
}
