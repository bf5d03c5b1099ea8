import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.ts';
import type { Clock } from '../common/time.ts';
import { RESYNC_MAX_DAYS, ResyncRequestSchema, topics } from '../protocol/index.ts';
import {
  newRestoreMark,
  readRestoreMark,
  RESTORE_MARK_FILE,
  writeRestoreMark,
  type RestoreMark,
} from './backup/restore-mark.ts';
import { createHubBus, type HubBus } from './events-bus.ts';
import { RestoreResync, type RestoreResyncOptions } from './restore-resync.ts';
import { HubStore } from './store/hub-store.ts';
import { removeDir, tempDir } from '../test/support/hub.ts';

/**
 * A restored hub's resend request to its kiosks (restore-resync.ts): the retained request on
 * genkan/v1/F/resync, withdrawn (an empty retained payload) once every paired kiosk reported it served in
 * its status, or after its time; who reported is kept in the restore mark across restarts.
 */

const FACILITY = 'f1';
const TOPIC = topics.resync(FACILITY);
const DAY_MS = 86_400_000;
const RESTORED_AT = new Date('2026-05-02T00:00:00.000Z');

interface Published {
  topic: string;
  payload: string;
  retain: boolean;
}

describe('RestoreResync', () => {
  let dir: string;
  let store: HubStore;
  let bus: HubBus;
  let now: number;
  let published: Published[];
  let onPublish: (() => void) | undefined;
  const running: RestoreResync[] = [];
  const clock: Clock = { now: () => new Date(now) };

  const start = (extra: Partial<RestoreResyncOptions> = {}): RestoreResync => {
    const resync = new RestoreResync({
      dataDir: dir,
      facilityId: FACILITY,
      store,
      bus,
      publish: (topic, payload, retain) => {
        published.push({ topic, payload, retain });
        onPublish?.();
      },
      clock,
      logger: silentLogger(),
      ...extra,
    });
    running.push(resync);
    resync.start();
    return resync;
  };

  /** Resolves at the next publish. */
  const nextPublish = () =>
    new Promise<void>((resolve) => {
      onPublish = () => {
        onPublish = undefined;
        resolve();
      };
    });

  const status = (deviceId: string, body: Record<string, unknown>) => {
    bus.publish('device.status', {
      deviceId,
      kind: 'status',
      payload: Buffer.from(JSON.stringify({ online: true, ...body })),
    });
  };

  const mark = (): RestoreMark => {
    const m = readRestoreMark(dir);
    if (m === undefined) throw new Error('the restore mark is gone');
    return m;
  };

  const request = (m: RestoreMark): Published => ({
    topic: TOPIC,
    payload: JSON.stringify({ id: m.resync.id, since: m.since }),
    retain: true,
  });
  const WITHDRAWAL: Published = { topic: TOPIC, payload: '', retain: true };

  beforeEach(async () => {
    dir = await tempDir();
    store = HubStore.open(dir);
    bus = createHubBus(silentLogger());
    now = RESTORED_AT.getTime();
    published = [];
    onPublish = undefined;
    for (const [id, role] of [
      ['kiosk-1', 'kiosk'],
      ['kiosk-2', 'kiosk'],
      ['tablet-1', 'tablet'],
    ] as const) {
      store.devices.upsertDevice(id, role, 'not-a-real-hash');
    }
  });
  afterEach(async () => {
    for (const r of running.splice(0)) r.close();
    store.close();
    await removeDir(dir);
  });

  const restored = () => {
    writeRestoreMark(dir, newRestoreMark('2026-05-01T00:00:00.000Z', RESTORED_AT));
    return mark();
  };

  it('publishes nothing on a hub that was never restored', () => {
    start();
    status('kiosk-1', { resynced: crypto.randomUUID() });
    expect(published).toStrictEqual([]);
    expect(existsSync(join(dir, RESTORE_MARK_FILE))).toBe(false);
  });

  it('publishes the retained request, and withdraws it once every paired kiosk reported it served', () => {
    const m = restored();
    start();
    expect(published).toStrictEqual([request(m)]);
    expect(ResyncRequestSchema.parse(JSON.parse(published[0]?.payload ?? ''))).toStrictEqual({
      id: m.resync.id,
      since: m.since,
    });

    status('kiosk-1', { resynced: m.resync.id });
    expect(mark().resync).toStrictEqual({ id: m.resync.id, served: ['kiosk-1'], clearedAt: null });
    // Not served: another request's id, none, a status that is no status, other signals.
    status('kiosk-2', { resynced: crypto.randomUUID() });
    status('kiosk-2', {});
    status('kiosk-2', { resynced: 'not-a-uuid' });
    bus.publish('device.status', { deviceId: 'kiosk-2', kind: 'status', payload: '{not json' });
    bus.publish('device.status', { deviceId: 'kiosk-2', kind: 'connected' });
    // kiosk-1 again: counted once.
    status('kiosk-1', { resynced: m.resync.id });
    expect(published).toStrictEqual([request(m)]);
    expect(mark().resync.served).toStrictEqual(['kiosk-1']);

    // The last kiosk: withdrawn (tablet-1 is not waited for; it holds no events to resend).
    now += 60_000;
    status('kiosk-2', { resynced: m.resync.id });
    expect(published).toStrictEqual([request(m), WITHDRAWAL]);
    expect(mark().resync).toStrictEqual({
      id: m.resync.id,
      served: ['kiosk-1', 'kiosk-2'],
      clearedAt: new Date(now).toISOString(),
    });
    // The rest of the mark (the catch-up from the cloud) is untouched.
    expect(mark().caughtUpAt).toBeNull();

    // Once withdrawn, never again: neither at a later status nor after a restart.
    status('kiosk-2', { resynced: m.resync.id });
    status('kiosk-1', {});
    start();
    expect(published).toStrictEqual([request(m), WITHDRAWAL]);
  });

  it('remembers who reported across a restart, and asks again for the others', () => {
    const m = restored();
    const first = start();
    status('kiosk-1', { resynced: m.resync.id });
    first.close();

    published = [];
    bus = createHubBus(silentLogger());
    start();
    // The same request again (retained messages do not survive the broker's restart).
    expect(published).toStrictEqual([request(m)]);
    status('kiosk-2', { resynced: m.resync.id });
    expect(published).toStrictEqual([request(m), WITHDRAWAL]);
    expect(mark().resync.served).toStrictEqual(['kiosk-1', 'kiosk-2']);
  });

  it(`withdraws it after its time (${String(RESYNC_MAX_DAYS)} days) when a kiosk never reports`, async () => {
    const m = restored();
    start({ checkIntervalMs: 5 });
    status('kiosk-1', { resynced: m.resync.id });
    expect(published).toStrictEqual([request(m)]);

    const withdrawn = nextPublish();
    now = RESTORED_AT.getTime() + RESYNC_MAX_DAYS * DAY_MS + 1;
    await withdrawn;
    expect(published).toStrictEqual([request(m), WITHDRAWAL]);
    expect(mark().resync).toStrictEqual({
      id: m.resync.id,
      served: ['kiosk-1'],
      clearedAt: new Date(now).toISOString(),
    });
  });

  it('honours a shorter time limit, and withdraws at once when it has passed before the start', () => {
    const m = restored();
    now = RESTORED_AT.getTime() + 2 * DAY_MS + 1;
    start({ maxDays: 2 });
    // Never asked: the request's time was over when the hub started.
    expect(published).toStrictEqual([WITHDRAWAL]);
    expect(mark().resync.clearedAt).toBe(new Date(now).toISOString());
    status('kiosk-1', { resynced: m.resync.id });
    expect(mark().resync.served).toStrictEqual([]);
  });

  it('stops waiting for a kiosk that was removed', async () => {
    const m = restored();
    start({ checkIntervalMs: 5 });
    status('kiosk-1', { resynced: m.resync.id });
    expect(published).toStrictEqual([request(m)]);

    const withdrawn = nextPublish();
    store.devices.removeDevice('kiosk-2');
    await withdrawn;
    expect(published).toStrictEqual([request(m), WITHDRAWAL]);
    expect(mark().resync.served).toStrictEqual(['kiosk-1']);
  });
});
