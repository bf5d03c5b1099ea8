import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { addressKey, LoginGuard } from './login-guard.ts';
import { OutgoingWatch } from './slow-client.ts';

describe('addressKey', () => {
  it('counts IPv4 as is, IPv4-mapped IPv6 as IPv4, and IPv6 by its /64', () => {
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('2001:db8:0:1::5')).toBe('2001:db8:0:1::/64');
    expect(addressKey('2001:db8:0:1:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:0:1::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey(undefined)).toBe('unknown');
  });
});

describe('LoginGuard', () => {
  it('bounds the checks running at once, and those of one address', async () => {
    const guard = new LoginGuard({ maxVerifying: 2, maxVerifyingPerAddress: 2, maxWaiting: 1 });
    const gates: (() => void)[] = [];
    const held = () =>
      new Promise<boolean>((resolve) => {
        gates.push(() => {
          resolve(true);
        });
      });
    const a1 = guard.check('a', held);
    const a2 = guard.check('a', held);
    // A third from the same address: refused at once.
    expect(await guard.check('a', held)).toEqual({ kind: 'busy' });
    // Another address waits for a slot; a fourth overall finds the queue full.
    const b1 = guard.check('b', held);
    expect(guard.load).toEqual({ running: 2, waiting: 1 });
    expect(await guard.check('c', held)).toEqual({ kind: 'busy' });
    gates.shift()?.();
    expect(await a1).toBe(true);
    gates.shift()?.();
    gates.shift()?.();
    expect([await a2, await b1]).toEqual([true, true]);
    expect(guard.load).toEqual({ running: 0, waiting: 0 });
  });

  it('releases a connection slot once only', () => {
    const guard = new LoginGuard({ maxPendingPerAddress: 1 });
    const release = guard.open('a');
    expect(release).toBeDefined();
    expect(guard.open('a')).toBeUndefined();
    release?.();
    release?.();
    const again = guard.open('a');
    expect(again).toBeDefined();
    expect(guard.open('a')).toBeUndefined();
  });
});

describe('OutgoingWatch', () => {
  /** A stream whose writes are never consumed: its buffer only grows. */
  const stuck = () =>
    new Duplex({
      read() {
        // nothing to read
      },
      write(_chunk, _encoding, _callback) {
        // never written out: like a peer that stopped reading
      },
    });

  it('drops a stream whose buffer neither shrinks nor empties for the stall time, and not before', () => {
    let now = 0;
    const drops: string[] = [];
    const watch = new OutgoingWatch(
      { maxBufferedBytes: 1 << 20, stallMs: 1000 },
      (_s, reason) => {
        drops.push(reason);
      },
      () => now,
    );
    const s = stuck();
    watch.watch(s);
    s.write(Buffer.alloc(100));
    s.write(Buffer.alloc(100));
    watch.sweep();
    now = 900;
    watch.sweep();
    expect(drops).toEqual([]);
    now = 1000;
    watch.sweep();
    expect(drops).toEqual(['not_reading']);
    expect(s.destroyed).toBe(true);
    watch.stop();
  });

  it('refuses a delivery to a stream over its buffer bound, dropping it', () => {
    const drops: string[] = [];
    const watch = new OutgoingWatch({ maxBufferedBytes: 1000, stallMs: 1000 }, (_s, reason) => {
      drops.push(reason);
    });
    const s = stuck();
    watch.watch(s);
    s.write(Buffer.alloc(500));
    s.write(Buffer.alloc(500));
    expect(watch.admit(s)).toBe(true);
    s.write(Buffer.alloc(1));
    expect(watch.admit(s)).toBe(false);
    expect(drops).toEqual(['outgoing_queue_full']);
    watch.stop();
  });
});
