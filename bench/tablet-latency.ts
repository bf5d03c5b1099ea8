import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { TABLET_TEST_IDS } from '../protocol/tablet.ts';
import { hasChromium, launchChromium, CHROMIUM_PATH } from '../test/support/browser.ts';
import { tempDir, type GenkanProcess } from '../test/support/process.ts';
import { percentile, round1 } from './report.ts';
import { addStaff, provisionSite, startHub, startKiosk, type Site } from '../test/support/site.ts';
import { tabletPairing } from '../test/support/tablet.ts';
import {
  writeTabletLatencySection,
  type TabletLatencyResult,
  type TabletLatencyStats,
} from './tablet-latency-report.ts';

/**
 * Kiosk tap → staff tablet latency: from the reader event (a card line written to a real kiosk's stdin)
 * to the moment the child's row on each signed-in tablet page (headless Chromium, one browser context
 * and one pairing per tablet) shows the new `data-status`. In between: the kiosk's outbox commit, MQTT to
 * the hub, the hub's commit, the roll-call build and the WebSocket push (/tablet/ws), React's commit.
 *
 * The main phase runs with one extra "frozen" tablet: a raw WebSocket client with valid device and session
 * cookies that never reads its socket. Control taps without it alternate with it in blocks, in the same
 * process on the same hub, so the two p99s compare directly. Its report: tablet-latency-report.ts.
 */

const env = (name: string, fallback: number): number => {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : Number(v);
};
const TAPS = env('BENCH_TABLET_TAPS', 1000);
const CONTROL_TAPS = env('BENCH_TABLET_CONTROL_TAPS', 300);
/** Blocks of taps with the frozen tablet, each preceded and the last one followed by control taps. */
const BLOCKS = env('BENCH_TABLET_BLOCKS', 5);
const WARMUP = env('BENCH_TABLET_WARMUP', 20);
const TABLETS = env('BENCH_TABLET_PAGES', 10);
const CHILDREN = 100;
/** Least time from the previous tap's first page update to the next tap (see tablet-latency-report.ts). */
const GAP_MS = env('BENCH_TABLET_GAP_MS', 110);
const TAP_TIMEOUT_MS = env('BENCH_TABLET_TIMEOUT_MS', 10_000);
const FROZEN_LOG = 'tablet not reading its push channel; disconnected';
const FROZEN_DEVICE = 'tab-frozen';

/**
 * Runs in each page before its scripts: reports every change of a child row's data-status (and each row
 * as it first appears) with the page's clock reading taken in the MutationObserver callback. A string,
 * because the page's DOM types are not Node's.
 */
const OBSERVER = `(() => {
  const last = new Map();
  const report = (el, t) => {
    const id = el.getAttribute('data-child-id');
    const status = el.getAttribute('data-status');
    if (id === null || status === null || last.get(id) === status) return;
    last.set(id, status);
    window.__genkanRow(id, status, t);
  };
  const sel = '[data-testid="${TABLET_TEST_IDS.childRow}"]';
  new MutationObserver((records) => {
    const t = performance.timeOrigin + performance.now();
    for (const r of records) {
      if (r.type === 'attributes') {
        if (r.target.nodeType === 1 && r.target.matches(sel)) report(r.target, t);
        continue;
      }
      for (const n of r.addedNodes) {
        if (n.nodeType !== 1) continue;
        if (n.matches(sel)) report(n, t);
        for (const el of n.querySelectorAll(sel)) report(el, t);
      }
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
})();`;

const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Latencies of one phase: per tablet, in tap order. */
class Samples {
  readonly perTablet: number[][];
  taps = 0;
  misses = 0;
  constructor(tablets: number) {
    this.perTablet = Array.from({ length: tablets }, () => []);
  }

  stats(): TabletLatencyStats {
    const all = this.perTablet.flat().sort((a, b) => a - b);
    const p99s = this.perTablet.map((xs) =>
      percentile(
        [...xs].sort((a, b) => a - b),
        99,
      ),
    );
    return {
      taps: this.taps,
      samples: all.length,
      misses: this.misses,
      p50: round1(percentile(all, 50)),
      p95: round1(percentile(all, 95)),
      p99: round1(percentile(all, 99)),
      max: round1(all.at(-1) ?? NaN),
      tabletP99Min: round1(Math.min(...p99s)),
      tabletP99Max: round1(Math.max(...p99s)),
    };
  }
}

/** The tap in flight: which row must show which status, and when each page showed it. */
interface Expected {
  childId: string;
  status: string;
  times: (number | undefined)[];
  done: () => void;
}

/** name=value of a response's Set-Cookie header for `name`. */
function cookieFrom(res: Response, name: string): string {
  for (const c of res.headers.getSetCookie()) {
    const pair = c.split(';')[0] ?? '';
    if (pair.startsWith(`${name}=`)) return pair;
  }
  throw new Error(`no ${name} cookie in the answer (${res.status})`);
}

/** Kernel queues of a client connection over loopback, from `ss` (Linux); undefined if unavailable. */
function socketQueues(ws: WebSocket): TabletLatencyResult['frozenQueues'] {
  // ws's public API does not expose the socket; the URL's port is the hub's, so find ours by state.
  try {
    const out = execFileSync('ss', ['-tnH', 'state', 'established'], { encoding: 'utf8' });
    const port = new URL(ws.url).port;
    let unreadBytes = 0;
    let hubUnsentBytes = 0;
    for (const line of out.split('\n')) {
      const [recvQ, sendQ, local, peer] = line.trim().split(/\s+/);
      if (peer?.endsWith(`:${port}`)) unreadBytes = Math.max(unreadBytes, Number(recvQ));
      if (local?.endsWith(`:${port}`)) hubUnsentBytes = Math.max(hubUnsentBytes, Number(sendQ));
    }
    return { unreadBytes, hubUnsentBytes };
  } catch {
    return undefined;
  }
}

export async function benchTabletLatency(): Promise<TabletLatencyResult | undefined> {
  if (!hasChromium()) {
    console.log(`tablet latency: SKIPPED, no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`);
    return undefined;
  }
  const startedAt = now();
  const load = loadavg()[0] ?? NaN;
  const dir = await tempDir('genkan-bench-tablet-');
  const procs: GenkanProcess[] = [];
  const contexts: BrowserContext[] = [];
  let browser: Browser | undefined;
  let frozen: WebSocket | undefined;
  try {
    const site: Site = await provisionSite(dir.path, { kiosks: 1, children: CHILDREN });
    const hubDir = join(site.dir, 'hub');
    await addStaff(hubDir, { id: 's1', name: 'Bench Staff', pin: '1234' });
    const hub = startHub(site);
    procs.push(hub);
    const ready = await hub.ready();
    const httpPort = Number(ready['http']);
    const origin = `http://127.0.0.1:${httpPort}`;
    const kiosk = startKiosk(site, 0, Number(ready['mqtt']), {
      ui: 'none',
      extra: ['--debounce-ms', '0', '--reversal-guard-ms', '0'],
    });
    procs.push(kiosk);
    await kiosk.ready();
    browser = await launchChromium();

    // One pairing code per tablet (and one for the frozen client), issued as an admin would.
    const ids = Array.from({ length: TABLETS }, (_, i) => `tab-${i + 1}`);
    const pairings = await Promise.all(
      [...ids, FROZEN_DEVICE].map((deviceId) => tabletPairing(hubDir, origin, deviceId)),
    );

    let expected: Expected | undefined;
    const onRow = (tablet: number, childId: string, status: string, t: number): void => {
      const e = expected;
      if (!e || e.childId !== childId || e.status !== status || e.times[tablet] !== undefined) return;
      e.times[tablet] = t;
      if (e.times.every((x) => x !== undefined)) e.done();
    };

    // Set up concurrently: one context (own cookies), pairing and sign-in per tablet.
    const setUpPage = async (deviceId: string, i: number): Promise<Page> => {
      if (!browser) throw new Error('no browser');
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (err) => {
        console.error(`tablet ${deviceId} page error: ${err.message}`);
      });
      await page.exposeFunction('__genkanRow', (childId: string, status: string, t: number) => {
        onRow(i, childId, status, t);
      });
      await page.addInitScript({ content: OBSERVER });
      const p = pairings[i];
      if (!p) throw new Error(`no pairing for ${deviceId}`);
      await page.goto(p.url);
      await page.locator('[data-testid="setup-status"][data-setup="done"]').waitFor({ timeout: 30_000 });
      await page.locator(`[data-testid="${TABLET_TEST_IDS.staffId}"]`).fill('s1');
      await page.locator(`[data-testid="${TABLET_TEST_IDS.staffPin}"]`).fill('1234');
      await page.locator(`[data-testid="${TABLET_TEST_IDS.signIn}"]`).click();
      await page
        .locator(`[data-testid="${TABLET_TEST_IDS.rollcall}"][data-stale="false"]`)
        .waitFor({ timeout: 30_000 });
      const rows = page.locator(`[data-testid="${TABLET_TEST_IDS.childRow}"]`);
      await rows.nth(CHILDREN - 1).waitFor({ timeout: 30_000 });
      return page;
    };
    const pages = await Promise.all(ids.map(setUpPage));

    // Clock check: each page's clock against Node's over a round trip (error at most half of it).
    let clockOffsetMax = 0;
    for (const page of pages) {
      const offsets: number[] = [];
      for (let k = 0; k < 15; k++) {
        const before = now();
        const inPage = Number(await page.evaluate('performance.timeOrigin + performance.now()'));
        offsets.push(inPage - (before + now()) / 2);
      }
      const median = [...offsets].sort((a, b) => a - b)[7] ?? 0;
      clockOffsetMax = Math.max(clockOffsetMax, Math.abs(median));
    }

    // The frozen tablet's cookies, through the same API the tablet app uses.
    const frozenCode = pairings[TABLETS]?.code;
    if (frozenCode === undefined) throw new Error('no pairing for the frozen tablet');
    const deviceRes = await fetch(`${origin}/api/tablet/device`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ deviceId: FROZEN_DEVICE, code: frozenCode }),
    });
    if (deviceRes.status !== 204)
      throw new Error(`tablet set-up: ${deviceRes.status} ${await deviceRes.text()}`);
    const deviceCookie = cookieFrom(deviceRes, 'genkan_device');
    const sessionRes = await fetch(`${origin}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin, cookie: deviceCookie },
      body: JSON.stringify({ staffId: 's1', pin: '1234' }),
    });
    if (!sessionRes.ok) throw new Error(`sign-in: ${sessionRes.status} ${await sessionRes.text()}`);
    const cookies = `${deviceCookie}; ${cookieFrom(sessionRes, 'genkan_session')}`;

    /**
     * Connects a tablet that never reads: ws emits 'upgrade' with the HTTP response before it attaches its
     * own 'data' listener, so pausing the response's socket (a typed net.Socket) there keeps the stream
     * paused for good; the kernel buffers fill and the hub's bufferedAmount grows.
     */
    const connectFrozen = (): Promise<WebSocket> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${httpPort}/tablet/ws`, {
          origin,
          headers: { cookie: cookies },
        });
        ws.once('upgrade', (res) => {
          res.socket.pause();
        });
        ws.once('open', () => {
          ws.on('error', () => undefined);
          resolve(ws);
        });
        ws.once('unexpected-response', (_req, res) => {
          reject(new Error(`frozen tablet refused: ${res.statusCode ?? '?'}`));
        });
        ws.once('error', reject);
      });

    const setupSeconds = (now() - startedAt) / 1000;
    const runStart = now();
    let frozenDisconnects = 0;
    let logScan = 0;
    /** Replaces the frozen client if the hub disconnected it for not reading (its designed reaction). */
    const keepFrozen = async (): Promise<void> => {
      if (!frozen) return;
      for (;;) {
        const at = hub.stderr.indexOf(FROZEN_LOG, logScan);
        if (at < 0) break;
        logScan = at + FROZEN_LOG.length;
        frozenDisconnects++;
        frozen.terminate();
        frozen = await connectFrozen();
      }
    };

    let tapIndex = 0;
    let lastFirstUpdate = 0;
    const runTaps = async (count: number, samples: Samples | undefined): Promise<void> => {
      for (let n = 0; n < count; n++, tapIndex++) {
        await keepFrozen();
        const child = tapIndex % CHILDREN;
        const childId = `c${String(child + 1).padStart(3, '0')}`;
        // Pass 0 checks everyone in, pass 1 out, pass 2 in again…
        const status = Math.floor(tapIndex / CHILDREN) % 2 === 0 ? 'present' : 'left';
        const wait = lastFirstUpdate + GAP_MS - now();
        if (wait > 0) await sleep(wait);
        let timer: NodeJS.Timeout | undefined;
        const all = new Promise<void>((resolve) => {
          expected = {
            childId,
            status,
            times: Array<number | undefined>(TABLETS).fill(undefined),
            done: resolve,
          };
          timer = setTimeout(resolve, TAP_TIMEOUT_MS);
        });
        const writtenAt = now();
        kiosk.write(`card:${site.cards[child] ?? ''}\n`);
        await all;
        clearTimeout(timer);
        const times = expected?.times ?? [];
        expected = undefined;
        const seen = times.filter((t): t is number => t !== undefined);
        lastFirstUpdate = seen.length > 0 ? Math.min(...seen) : now();
        if (!samples) continue;
        samples.taps++;
        times.forEach((t, i) => {
          if (t === undefined) samples.misses++;
          else samples.perTablet[i]?.push(t - writtenAt);
        });
      }
    };

    const control = new Samples(TABLETS);
    const withFrozen = new Samples(TABLETS);
    await runTaps(WARMUP, undefined);
    // Alternating blocks (control, frozen, control, frozen, …, control), so that a change of load on the
    // machine during the run falls on both phases alike.
    const share = (total: number, parts: number, k: number) =>
      Math.floor((total * (k + 1)) / parts) - Math.floor((total * k) / parts);
    let frozenQueues: TabletLatencyResult['frozenQueues'];
    for (let b = 0; b < BLOCKS; b++) {
      await runTaps(share(CONTROL_TAPS, BLOCKS + 1, b), control);
      frozen = await connectFrozen();
      logScan = hub.stderr.length;
      await runTaps(share(TAPS, BLOCKS, b), withFrozen);
      await keepFrozen();
      frozenQueues = socketQueues(frozen);
      const frozenNow: WebSocket = frozen;
      frozen = undefined;
      frozenNow.terminate();
      console.log(`tablet latency: block ${b + 1}/${BLOCKS} done`);
    }
    await runTaps(share(CONTROL_TAPS, BLOCKS + 1, BLOCKS), control);

    const kioskFailures = kiosk.lines.filter((l) => l['type'] === 'tap' && l['result'] !== 'ok').length;
    const c = control.stats();
    const f = withFrozen.stats();
    return {
      date: new Date().toISOString().slice(0, 10),
      machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
      loadAvgAtStart: Math.round(load * 100) / 100,
      tablets: TABLETS,
      children: CHILDREN,
      warmup: WARMUP,
      gapMs: GAP_MS,
      withFrozen: f,
      control: c,
      p99Ratio: Math.round((f.p99 / c.p99) * 100) / 100,
      frozenDisconnects,
      frozenQueues,
      kioskFailures,
      clockOffsetMax: Math.round(clockOffsetMax * 100) / 100,
      setupSeconds: round1(setupSeconds),
      runSeconds: round1((now() - runStart) / 1000),
    };
  } finally {
    frozen?.terminate();
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await browser?.close().catch(() => undefined);
    await Promise.all(procs.map((p) => p.stop()));
    await dir.remove();
  }
}

/** The benchmark as bench/run.ts runs it: measure, print, and record in docs/benchmarks.md. */
export async function runTabletLatencyBench(): Promise<void> {
  const result = await benchTabletLatency();
  if (!result) return;
  const f = result.withFrozen;
  const c = result.control;
  console.log(
    `kiosk tap → tablet (with frozen): p50 ${f.p50} ms, p95 ${f.p95} ms, p99 ${f.p99} ms, max ${f.max} ms, misses ${f.misses}; ` +
      `control: p99 ${c.p99} ms; ratio ${result.p99Ratio}`,
  );
  console.log(JSON.stringify(result));
  await writeTabletLatencySection(result);
}
