import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseEventsPayload, type AttendanceEvent } from '../../protocol/index.ts';
import { newEventId } from '../../common/ids.ts';
import { silentLogger } from '../../common/logger.ts';
import { KioskStore } from './store/kiosk-store.ts';
import { OutboxSender, type SenderOptions } from './sender.ts';
import { Recorder } from '../../test/support/kiosk/fake-hub.ts';

let dir: string;
let store: KioskStore;
const senders: OutboxSender[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'genkan-sender-'));
  store = KioskStore.open(dir);
});
afterEach(() => {
  for (const s of senders.splice(0)) s.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function append(n: number, note?: string): AttendanceEvent[] {
  return store.outbox.append(
    Array.from({ length: n }, () => ({
      id: newEventId(),
      type: 'check_in' as const,
      childId: 'c1',
      occurredAt: '2026-04-01T08:00:00.000+09:00',
      deviceId: 'kiosk-1',
      method: 'card' as const,
      actor: 'g1',
      ...(note !== undefined && { note }),
    })),
    new Date(),
  );
}

function sender(options: Partial<SenderOptions> = {}) {
  const sent = new Recorder<{ payload: string; seqs: number[] }>();
  const s = new OutboxSender({
    store,
    logger: silentLogger(),
    publish: (payload, events) => {
      sent.push({ payload, seqs: events.map((e) => e.seq) });
    },
    ...options,
  });
  senders.push(s);
  return { s, sent };
}

describe('OutboxSender', () => {
  it('sends nothing until connected, then everything pending oldest first in batches', () => {
    append(250);
    const { s, sent } = sender({ batchSize: 100 });
    s.pump();
    s.kick();
    expect(sent.items).toEqual([]);
    s.connected();
    expect(sent.items.map((m) => m.seqs.length)).toEqual([100, 100, 50]);
    expect(sent.items.flatMap((m) => m.seqs)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    for (const m of sent.items) {
      const parsed = parseEventsPayload(m.payload, {
        now: new Date(),
        window: { aheadMs: Infinity, behindMs: Infinity, absenceAheadMs: Infinity },
      });
      expect(parsed.rejected).toEqual([]);
      expect(parsed.events.map((e) => e.seq)).toEqual(m.seqs);
    }
  });

  it('keeps at most maxInFlight unacknowledged and continues as acks arrive', () => {
    const events = append(30);
    const { s, sent } = sender({ batchSize: 10, maxInFlight: 20 });
    s.connected();
    expect(sent.items.flatMap((m) => m.seqs)).toHaveLength(20);
    expect(s.inFlight).toBe(20);
    store.outbox.markAcked(
      events.slice(0, 5).map((e) => e.id),
      new Date(),
    );
    s.settled(events.slice(0, 5).map((e) => e.id));
    s.pump();
    expect(sent.items.flatMap((m) => m.seqs)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  it('sends newly appended events on kick, coalescing a burst into one message', async () => {
    const { s, sent } = sender();
    s.connected();
    append(3);
    s.kick();
    s.kick();
    append(2);
    s.kick();
    await sent.until((items) => items.length > 0, 'a message');
    expect(sent.items.map((m) => m.seqs)).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('resends what is not acknowledged within the timeout, and not what was settled', async () => {
    const [a, b] = append(2) as [AttendanceEvent, AttendanceEvent];
    const { s, sent } = sender({ ackTimeoutMs: 40 });
    s.connected();
    store.outbox.markAcked([a.id], new Date());
    s.settled([a.id]);
    const resent = await sent.until((items) => items[1], 'a resend');
    expect(resent.seqs).toEqual([b.seq]);
  });

  it('starts over from the oldest pending event on every connection', () => {
    append(3);
    const { s, sent } = sender();
    s.connected();
    s.disconnected();
    s.connected();
    expect(sent.items.map((m) => m.seqs)).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
  });

  it('splits messages to stay under the payload size limit', () => {
    append(10, 'x'.repeat(400));
    const { s, sent } = sender({ maxPayloadBytes: 2000 });
    s.connected();
    expect(sent.items.length).toBeGreaterThan(1);
    for (const m of sent.items) expect(Buffer.byteLength(m.payload)).toBeLessThanOrEqual(2000);
    expect(sent.items.flatMap((m) => m.seqs)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  it('survives a failing publish and retries on the timeout', async () => {
    append(1);
    let calls = 0;
    const sent = new Recorder<number>();
    const s = new OutboxSender({
      store,
      logger: silentLogger(),
      ackTimeoutMs: 40,
      publish: () => {
        calls++;
        sent.push(calls);
        if (calls === 1) throw new Error('socket gone');
      },
    });
    senders.push(s);
    s.connected();
    await sent.until((items) => items.length === 2, 'retry');
  });
});
