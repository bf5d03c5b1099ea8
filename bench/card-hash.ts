import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import {
  credentialHash,
  credentialLookupHash,
  newCardHashScheme,
  slowCardHashSync,
  type CardHashScheme,
} from '../protocol/credentials.ts';
import { round1, writeBenchSection } from './report.ts';

/**
 * What a stolen kiosk costs an attacker (protocol/credentials.ts): the kiosk holds the facility key and
 * the card hash scheme, so recovering a card number means hashing candidate UIDs until one matches.
 *  - baseline: the HMAC alone (the roster's hash before hub migration 17), per guess, on one core;
 *  - the slow hash, scrypt over the HMAC with the default scheme, per guess, on one core (the calling
 *    thread, as an attacker's loop would run it);
 *  - the same through the kiosk's lookup (credentialLookupHash, libuv's pool): what a tap waits for.
 * Each: median of BENCH_CARD_HASH_RUNS single hashes (HMAC: batches of 10,000), after a warm-up. Years
 * per core for the 4-byte UID space (2^32 guesses) follow from the medians.
 */
const RUNS = Number(process.env['BENCH_CARD_HASH_RUNS'] ?? 50);
const HMAC_BATCH = 10_000;
const UID_SPACE = 2 ** 32;
const YEAR_S = 365.25 * 24 * 3600;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

const uid = (): string => randomBytes(4).toString('hex');

function hmacMs(key: string): number {
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < HMAC_BATCH; i++) credentialHash(key, { kind: 'card', value: uid() });
    times.push((performance.now() - t0) / HMAC_BATCH);
  }
  return median(times);
}

function slowMs(key: string, scheme: CardHashScheme): number {
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const hmac = credentialHash(key, { kind: 'card', value: uid() });
    const t0 = performance.now();
    slowCardHashSync(hmac, scheme);
    times.push(performance.now() - t0);
  }
  return median(times);
}

async function lookupMs(key: string, scheme: CardHashScheme): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    await credentialLookupHash({ credentialKey: key, cardHash: scheme }, { kind: 'card', value: uid() });
    times.push(performance.now() - t0);
  }
  return median(times);
}

export async function runCardHashBench(): Promise<void> {
  const key = randomBytes(32).toString('base64');
  const scheme = newCardHashScheme();
  // Warm-up: the first scrypt allocates its 16 MiB, the first HMAC loads the code paths.
  slowMs(key, scheme);
  hmacMs(key);
  const hmac = hmacMs(key);
  const slow = slowMs(key, scheme);
  const lookup = await lookupMs(key, scheme);
  const years = (ms: number): number => (UID_SPACE * ms) / 1000 / YEAR_S;
  const hours = (ms: number): number => (UID_SPACE * ms) / 1000 / 3600;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const memoryMib = (128 * scheme.n * scheme.r) / 2 ** 20;
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${String(cpus().length)} × ${cpu}, Node ${process.version}; scheme N=2^${String(Math.log2(scheme.n))}, r=${String(scheme.r)}, p=${String(scheme.p)} (${String(memoryMib)} MiB per hash); median of ${String(RUNS)}.`,
    '',
    '| hash per guess (one core) | cost per guess | 2^32 UIDs, one core |',
    '| --- | --- | --- |',
    `| HMAC-SHA256 alone (before migration 17) | ${(hmac * 1000).toFixed(2)} µs | ${round1(hours(hmac)).toString()} hours |`,
    `| scrypt(HMAC), the roster's \`cardHash\` | ${slow.toFixed(1)} ms | ${round1(years(slow)).toString()} years |`,
    '',
    `A kiosk's lookup (credentialLookupHash, off the event loop): ${lookup.toFixed(1)} ms per tap — the time a card tap now waits before its decision. Ratio slow / HMAC: ${Math.round(slow / hmac).toLocaleString('en-US')} ×.`,
    '',
    `Goal ≥ 10 ms per guess, ≥ 1 year per core for 2^32 UIDs: ${slow >= 10 && years(slow) >= 1 ? 'met' : 'NOT met'}.`,
  ];
  await writeBenchSection('card-hash', lines);
  process.stdout.write(`${lines.join('\n')}\n`);
}
