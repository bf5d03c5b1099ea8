import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.ts';
import type { TabletRollcall } from '../../protocol/index.ts';
import { until } from '../../test/support/wait.ts';
import { TabletPush, type PushSocket } from './push.ts';

/** A socket whose unsent bytes the test sets: `stuck` means the tablet stopped reading. */
class FakeSocket implements PushSocket {
  readyState = 1;
  stuck = false;
  sent: string[] = [];
  terminated = false;
  get bufferedAmount(): number {
    return this.stuck ? 10_000_000 : 0;
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.readyState = 3;
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
  }
}

describe('TabletPush', () => {
  it('keeps only the newest frame for a tablet that stopped reading, and sends it once it drains', async () => {
    let version = 0;
    const push = new TabletPush({
      logger: silentLogger(),
      build: () => ({ generatedAt: String(++version) }) as unknown as TabletRollcall,
      sessionLive: () => true,
      coalesceMs: 1,
      drainPollMs: 5,
      stuckMs: 60_000,
    });
    try {
      const slow = new FakeSocket();
      const fast = new FakeSocket();
      push.add(slow, 'a');
      push.add(fast, 'b');
      slow.stuck = true;
      for (let i = 0; i < 5; i++) {
        const before = fast.sent.length;
        push.changed();
        await until(() => fast.sent.length > before, 'the push to the reading tablet');
      }
      // the reading tablet got every push; the stuck one only its first frame, with 4 replaced
      expect(fast.sent).toHaveLength(6);
      expect(slow.sent).toHaveLength(1);
      expect(push.skippedFor(slow)).toBe(4);
      slow.stuck = false;
      await until(() => slow.sent.length === 2, 'the newest frame once the tablet drains');
      expect(slow.sent[1]).toBe(fast.sent[5]);
    } finally {
      push.close();
    }
  });

  it('disconnects a tablet stuck for too long, and ends dead sessions', async () => {
    let live = true;
    const push = new TabletPush({
      logger: silentLogger(),
      build: () => ({}) as unknown as TabletRollcall,
      sessionLive: () => live,
      coalesceMs: 1,
      drainPollMs: 5,
      stuckMs: 20,
      sessionCheckMs: 10,
    });
    try {
      const stuck = new FakeSocket();
      push.add(stuck, 'a');
      stuck.stuck = true;
      push.changed();
      await until(() => stuck.terminated, 'the stuck tablet to be disconnected');
      expect(push.size).toBe(0);
      const other = new FakeSocket();
      push.add(other, 'b');
      live = false;
      await until(() => other.readyState === 3, 'the dead session to end');
      expect(other.sent.at(-1)).toBe('{"type":"session_ended"}');
    } finally {
      push.close();
    }
  });
});
