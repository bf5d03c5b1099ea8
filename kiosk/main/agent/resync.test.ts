import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../common/logger.ts';
import { newEventId } from '../../../common/ids.ts';
import type { AttendanceEvent } from '../../../protocol/index.ts';
import { OutboxSender } from '../sender.ts';
import { KioskStore } from '../store/kiosk-store.ts';
import { KioskResync } from './resync.ts';

function draft(childId: string): Omit<AttendanceEvent, 'seq'> {
  return {
    id: newEventId(),
    type: 'check_in',
    childId,
    occurredAt: '2026-04-01T08:00:00.000+09:00',
    deviceId: 'kiosk-1',
    method: 'card',
    actor: 'g001',
  };
}

/** A restored hub's resync request at the kiosk: acked events since the time go out again, once per id. */
describe('kiosk resync', () => {
  let dir: string;
  let store: KioskStore;
  let published: AttendanceEvent[][];
  let sender: OutboxSender;
  let statuses: number;
  let resync: KioskResync;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kiosk-resync-'));
    store = KioskStore.open(dir);
    published = [];
    statuses = 0;
    sender = new OutboxSender({
      store,
      publish: (_payload, events) => {
        published.push([...events]);
      },
      logger: silentLogger(),
    });
    resync = new KioskResync({
      logger: silentLogger(),
      store,
      sender,
      status: {
        publishNow: () => {
          statuses++;
        },
      },
    });
  });
  afterEach(() => {
    sender.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const request = (id: string, since: string) => Buffer.from(JSON.stringify({ id, since }));
  /** One tap's event, stored. */
  const tap = (childId: string, at: string): AttendanceEvent => {
    const [event] = store.outbox.append([draft(childId)], new Date(at));
    if (event === undefined) throw new Error('not stored');
    return event;
  };
  const sent = () => published.flat().map((e) => e.id);

  it('re-queues the events acked since the time, sends them in seq order, and serves an id once', async () => {
    const old = tap('c-001', '2026-04-01T08:00:00Z');
    const recent1 = tap('c-002', '2026-04-01T09:00:00Z');
    const recent2 = tap('c-003', '2026-04-01T09:05:00Z');
    const pending = tap('c-004', '2026-04-01T09:10:00Z');
    store.outbox.markAcked([old.id], new Date('2026-04-01T08:00:01Z'));
    store.outbox.markAcked([recent1.id, recent2.id], new Date('2026-04-01T09:06:00Z'));
    sender.connected();
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(sent()).toEqual([pending.id]);
    published = [];

    const id = randomUUID();
    resync.onRequest(request(id, '2026-04-01T09:00:00+00:00'));
    expect(store.resync.served(id)).toBe(true);
    expect(store.resync.lastServed()).toBe(id);
    expect(store.outbox.counts()).toMatchObject({ pending: 3, acked: 1 });
    await new Promise<void>((resolve) => setImmediate(resolve));
    // In seq order; the one still in flight is not sent twice.
    expect(sent()).toEqual([recent1.id, recent2.id]);
    expect(statuses).toBe(1);

    // The same retained request again (a reconnect): nothing re-queued, the status reported again.
    store.outbox.markAcked([recent1.id, recent2.id, pending.id], new Date('2026-04-01T09:20:00Z'));
    published = [];
    resync.onRequest(request(id, '2026-04-01T09:00:00+00:00'));
    expect(store.outbox.counts().pending).toBe(0);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(sent()).toEqual([]);
    expect(statuses).toBe(2);
  });

  it('ignores a withdrawn (empty) or malformed request', () => {
    const e = tap('c-001', '2026-04-01T08:00:00Z');
    store.outbox.markAcked([e.id], new Date('2026-04-01T09:00:00Z'));
    resync.onRequest(Buffer.alloc(0));
    resync.onRequest(Buffer.from('{"id":"nope","since":"x"}'));
    resync.onRequest(Buffer.from('not json'));
    expect(store.outbox.counts().pending).toBe(0);
    expect(store.resync.lastServed()).toBeUndefined();
    expect(statuses).toBe(0);
  });
});
