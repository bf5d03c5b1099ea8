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
      heartbeatMs: 600_000,
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
      heartbeatMs: 600_000,
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

  it('sends a lone change at once and coalesces only a burst', async () => {
    let version = 0;
    const push = new TabletPush({
      logger: silentLogger(),
      build: () => ({ generatedAt: String(++version) }) as unknown as TabletRollcall,
      sessionLive: () => true,
      coalesceMs: 300,
      heartbeatMs: 600_000,
    });
    try {
      const socket = new FakeSocket();
      push.add(socket, 'a');
      // Nothing was pushed in the last period: the change goes out at once, not after a timer.
      push.changed();
      expect(socket.sent).toHaveLength(2);
      // A burst right after it: held to the end of the period, then one frame with the newest state.
      const burstAt = Date.now();
      push.changed();
      push.changed();
      push.changed();
      expect(socket.sent).toHaveLength(2);
      await until(() => socket.sent.length === 3, 'the coalesced frame');
      expect(Date.now() - burstAt).toBeGreaterThanOrEqual(250);
      expect(JSON.parse(socket.sent[2] ?? '{}')).toMatchObject({ rollcall: { generatedAt: '3' } });
    } finally {
      push.close();
    }
  });

  it('sends a heartbeat to a tablet that got nothing else for heartbeatMs', async () => {
    const push = new TabletPush({
      logger: silentLogger(),
      build: () => ({}) as unknown as TabletRollcall,
      sessionLive: () => true,
      heartbeatMs: 40,
      now: () => new Date('2026-04-01T00:00:00Z'),
    });
    try {
      const socket = new FakeSocket();
      push.add(socket, 'a');
      const added = Date.now();
      await until(() => socket.sent.length >= 3, 'two heartbeats');
      expect(Date.now() - added).toBeGreaterThanOrEqual(80);
      expect(JSON.parse(socket.sent[1] ?? '{}')).toEqual({
        type: 'heartbeat',
        at: '2026-04-01T00:00:00.000Z',
      });
      // A backed-up tablet gets no heartbeat on top of its backlog; a reading one goes on getting them.
      socket.stuck = true;
      const before = socket.sent.length;
      const other = new FakeSocket();
      push.add(other, 'b');
      await until(() => other.sent.length >= 3, 'heartbeats to the reading tablet');
      expect(socket.sent).toHaveLength(before);
    } finally {
      push.close();
    }
  });
});
