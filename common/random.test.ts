import { describe, expect, it } from 'vitest';
import { prng } from './random.ts';

describe('prng', () => {
  it('is mulberry32: the same seed gives the same numbers, on any machine', () => {
    // The demo roster (cli/demo-roster.ts) and the ledger fixtures are made from these: never to change.
    const demo = prng(20260401);
    expect([demo(), demo(), demo()]).toEqual([0.46507471753284335, 0.8177711239550263, 0.19491523713804781]);
    const zero = prng(0);
    expect([zero(), zero()]).toEqual([0.26642920868471265, 0.0003297457005828619]);
  });

  it('gives numbers in [0, 1) and takes any integer seed modulo 2^32', () => {
    const a = prng(-1);
    const b = prng(2 ** 32 - 1);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      expect(b()).toBe(x);
    }
  });
});
