import { isIPv6 } from 'node:net';
import { systemClock, type Clock } from '../../common/time.ts';
import { FailureLimiter } from '../access/pairing.ts';

/** The broker's limits on logins and on connections not logged in yet (docs/deployment.md, "Limits"). */
export interface LoginLimits {
  /** Failed logins per source address within `failureWindowMs` before its attempts are refused unchecked. */
  maxFailures: number;
  failureWindowMs: number;
  /** Password checks running at once (scrypt on libuv's pool, which has four threads). */
  maxVerifying: number;
  /** Password checks running or waiting per source address; more from it are refused at once. */
  maxVerifyingPerAddress: number;
  /** Password checks waiting for a slot, all addresses together; more are refused at once. */
  maxWaiting: number;
  /** Connections from one address that have not logged in yet (TLS handshake, CONNECT, password check). */
  maxPendingPerAddress: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  maxFailures: 10,
  failureWindowMs: 60_000,
  maxVerifying: 4,
  maxVerifyingPerAddress: 2,
  maxWaiting: 64,
  maxPendingPerAddress: 8,
};

/**
 * The key a source address is counted under: IPv4 as is (IPv4-mapped IPv6 as IPv4), IPv6 by its /64, since
 * one host on a LAN can take any number of addresses of its prefix.
 */
export function addressKey(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.split('%')[0]?.split('::') ?? [];
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** Why a login was not checked: its address failed too often lately, or too many checks are under way. */
export type LoginRefusal = { kind: 'limited'; retryAfterSeconds: number } | { kind: 'busy' };

/**
 * What keeps a flood of logins from slowing the devices' own: per source address, failures within a window
 * (refused without a password hash once over the limit), password checks running or waiting (bounded, so
 * many addresses at once cannot queue the CPU away either), and connections not logged in yet (each holds a
 * TLS handshake's state and a parser).
 */
export class LoginGuard {
  readonly limits: LoginLimits;
  private readonly failures: FailureLimiter;
  private readonly pending = new Map<string, number>();
  private readonly checking = new Map<string, number>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(limits: Partial<LoginLimits> = {}, clock: Clock = systemClock) {
    this.limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
    this.failures = new FailureLimiter(clock, this.limits.maxFailures, this.limits.failureWindowMs);
  }

  /**
   * A new connection from `key` (before its TLS handshake): a release to call once, when it logged in or
   * closed, or undefined when the address has too many connections not logged in yet (drop it unanswered).
   */
  open(key: string): (() => void) | undefined {
    const n = this.pending.get(key) ?? 0;
    if (n >= this.limits.maxPendingPerAddress) return undefined;
    this.pending.set(key, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.pending.get(key) ?? 1) - 1;
      if (left <= 0) this.pending.delete(key);
      else this.pending.set(key, left);
    };
  }

  /**
   * Runs `check` (a password verification) for a login from `key` unless the address is over its failure
   * limit or the checks are saturated; a check that answers false counts as a failure of the address.
   */
  async check(key: string, check: () => Promise<boolean>): Promise<boolean | LoginRefusal> {
    const retryAfterSeconds = this.failures.retryAfter(key);
    if (retryAfterSeconds !== undefined) return { kind: 'limited', retryAfterSeconds };
    const mine = this.checking.get(key) ?? 0;
    if (mine >= this.limits.maxVerifyingPerAddress) return { kind: 'busy' };
    if (this.running >= this.limits.maxVerifying && this.waiting.length >= this.limits.maxWaiting) {
      return { kind: 'busy' };
    }
    this.checking.set(key, mine + 1);
    try {
      await this.slot();
      try {
        const ok = await check();
        if (!ok) this.failures.fail(key);
        return ok;
      } finally {
        this.release();
      }
    } finally {
      const left = (this.checking.get(key) ?? 1) - 1;
      if (left <= 0) this.checking.delete(key);
      else this.checking.set(key, left);
    }
  }

  /** Checks running now and waiting (for tests and metrics). */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  private slot(): Promise<void> {
    if (this.running < this.limits.maxVerifying) {
      this.running++;
      return Promise.resolve();
    }
    // FIFO: a device's login waits behind at most maxWaiting others, each from a bounded share per address.
    return new Promise((resolve) => {
      this.waiting.push(() => {
        this.running++;
        resolve();
      });
    });
  }

  private release(): void {
    this.running--;
    this.waiting.shift()?.();
  }
}
