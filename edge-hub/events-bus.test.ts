import { describe, expect, it, vi } from 'vitest';
import { EventBus } from './events-bus.ts';

interface TestEvents {
  'a.happened': { n: number };
  'b.happened': string;
  'c.happened': undefined;
}

function busWithLog() {
  const errors: { event: string; err: unknown }[] = [];
  const logger = {
    error: (obj: unknown) => {
      const { event, err } = obj as { event: string; err: unknown };
      errors.push({ event, err });
    },
  };
  return { bus: new EventBus<TestEvents>({ logger }), errors };
}

describe('EventBus', () => {
  it('delivers each payload to the listeners of its name, in the order they subscribed', () => {
    const { bus } = busWithLog();
    const seen: string[] = [];
    bus.on('a.happened', ({ n }) => {
      seen.push(`first ${n}`);
    });
    bus.on('b.happened', (s) => {
      seen.push(`b ${s}`);
    });
    bus.on('a.happened', ({ n }) => {
      seen.push(`second ${n}`);
    });
    bus.publish('a.happened', { n: 1 });
    bus.publish('b.happened', 'x');
    expect(seen).toEqual(['first 1', 'second 1', 'b x']);
  });

  it('runs the listeners inside the publish call', () => {
    const { bus } = busWithLog();
    let ran = false;
    bus.on('c.happened', () => {
      ran = true;
    });
    bus.publish('c.happened');
    expect(ran).toBe(true);
  });

  it('publishes to nobody without listeners', () => {
    const { bus, errors } = busWithLog();
    expect(() => {
      bus.publish('a.happened', { n: 1 });
    }).not.toThrow();
    expect(errors).toEqual([]);
  });

  it('stops delivering to a listener once it unsubscribed', () => {
    const { bus } = busWithLog();
    const seen: number[] = [];
    const off = bus.on('a.happened', ({ n }) => {
      seen.push(n);
    });
    bus.publish('a.happened', { n: 1 });
    off();
    off(); // twice is harmless
    bus.publish('a.happened', { n: 2 });
    expect(seen).toEqual([1]);
  });

  it('delivers a publish to the listeners subscribed when it began', () => {
    const { bus } = busWithLog();
    const seen: string[] = [];
    let offSecond: () => void = () => undefined;
    bus.on('a.happened', ({ n }) => {
      seen.push(`first ${n}`);
      offSecond();
      bus.on('a.happened', ({ n: m }) => {
        seen.push(`late ${m}`);
      });
    });
    offSecond = bus.on('a.happened', ({ n }) => {
      seen.push(`second ${n}`);
    });
    bus.publish('a.happened', { n: 1 });
    expect(seen).toEqual(['first 1', 'second 1']);
    bus.publish('a.happened', { n: 2 });
    expect(seen).toEqual(['first 1', 'second 1', 'first 2', 'late 2']);
  });

  it('logs a throwing listener and still runs the others; the publisher never sees the error', () => {
    const { bus, errors } = busWithLog();
    const seen: number[] = [];
    const boom = new Error('bad listener');
    bus.on('a.happened', () => {
      throw boom;
    });
    bus.on('a.happened', ({ n }) => {
      seen.push(n);
    });
    expect(() => {
      bus.publish('a.happened', { n: 7 });
    }).not.toThrow();
    expect(seen).toEqual([7]);
    expect(errors).toEqual([{ event: 'a.happened', err: boom }]);
  });

  it('logs a listener whose promise rejects, without an unhandled rejection', async () => {
    const { bus, errors } = busWithLog();
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const boom = new Error('async bad listener');
      let rejected!: Promise<void>;
      bus.on('b.happened', () => {
        rejected = Promise.reject(boom);
        return rejected;
      });
      bus.publish('b.happened', 'x');
      await rejected.catch(() => undefined);
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(errors).toEqual([{ event: 'b.happened', err: boom }]);
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('publishAndWait settles once every promise a listener returned has settled, and never rejects', async () => {
    const { bus, errors } = busWithLog();
    let finish: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const boom = new Error('no');
    bus.on('a.happened', () => slow);
    bus.on('a.happened', () => Promise.reject(boom));
    bus.on('a.happened', () => undefined);
    let settled = false;
    const waited = bus.publishAndWait('a.happened', { n: 1 }).then(() => {
      settled = true;
    });
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    finish();
    await waited;
    expect(settled).toBe(true);
    expect(errors).toEqual([{ event: 'a.happened', err: boom }]);
  });

  it('publishAndWait runs the listeners before it returns, and settles at once without promises', async () => {
    const { bus } = busWithLog();
    const seen: string[] = [];
    bus.on('b.happened', (s) => {
      seen.push(s);
    });
    const waited = bus.publishAndWait('b.happened', 'now');
    expect(seen).toEqual(['now']);
    await expect(waited).resolves.toBeUndefined();
  });
});
