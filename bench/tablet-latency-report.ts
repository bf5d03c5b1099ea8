import { writeBenchSection } from './report.ts';

/** What the tap → tablet latency bench (tablet-latency.ts) records, and its docs/benchmarks.md section. */

export interface TabletLatencyStats {
  taps: number;
  /** (tap, tablet) pairs measured. */
  samples: number;
  /** (tap, tablet) pairs not updated within the per-tap timeout. */
  misses: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** The lowest and highest of the tablets' own p99s. */
  tabletP99Min: number;
  tabletP99Max: number;
}

export interface TabletLatencyResult {
  date: string;
  machine: string;
  loadAvgAtStart: number;
  tablets: number;
  children: number;
  warmup: number;
  gapMs: number;
  withFrozen: TabletLatencyStats;
  control: TabletLatencyStats;
  /** p99 with the frozen client / p99 of the control. */
  p99Ratio: number;
  /** Times the hub disconnected the frozen client for not reading (it was replaced by a new one). */
  frozenDisconnects: number;
  /**
   * At the end of the main phase, bytes the kernel held for the frozen client's connection (ss): unread
   * in its receive queue, and unsent in the hub side's send queue; undefined without `ss`.
   */
  frozenQueues: { unreadBytes: number; hubUnsentBytes: number } | undefined;
  /** Taps whose kiosk tap line was not `ok`. */
  kioskFailures: number;
  /** Largest |page clock − Node clock| estimated over the pages, ms (not applied). */
  clockOffsetMax: number;
  setupSeconds: number;
  runSeconds: number;
}

const DESCRIPTION = [
  '## Kiosk tap → staff tablet latency',
  '',
  'Command: `BENCH_ONLY=tablet-latency npm run bench` (also part of a plain `npm run bench`; options:',
  '`BENCH_TABLET_TAPS`, default 1000; `BENCH_TABLET_CONTROL_TAPS`, default 300; `BENCH_TABLET_BLOCKS`,',
  'default 5; `BENCH_TABLET_WARMUP`, default 20; `BENCH_TABLET_PAGES`, default 10; `BENCH_TABLET_GAP_MS`,',
  'default 110;',
  '`BENCH_TABLET_TIMEOUT_MS`, default 10000).',
  '',
  'A real hub, a real `genkan kiosk --ui none --reader stdin --debounce-ms 0` and a roster of 100 children',
  '(one guardian and one card each). 10 tablet pages of the hub’s `/tablet` app in headless Debian',
  'Chromium, each in its own browser context, set up with its own pairing code (`genkan device pair …',
  '--role tablet`) and signed in through the sign-in form. Each tap is a card line written to the',
  'kiosk’s stdin; cards go round the 100 children, so the first pass checks everyone in, the next one out,',
  'and so on. The latency of a (tap, tablet) pair runs from just before the line is written (Node clock) to',
  'the moment that tablet’s row of the child has the new `data-status` (a MutationObserver in the page,',
  '`performance.timeOrigin + performance.now()`, same machine clock). It includes the kiosk’s outbox',
  'commit, MQTT, the hub’s commit, the roll-call build and push, and React’s DOM commit, not paint.',
  '',
  'Taps are sequential: the next one waits until all 10 pages show the previous one, and also until',
  '`BENCH_TABLET_GAP_MS` after the first page did. The hub sends at most one push per 100 ms',
  '(`coalesceMs` in edge-hub/tablet/push.ts); without the gap every tap would land inside the window of',
  'the previous push and the result would mostly measure that window. Real taps at an entrance come',
  'seconds apart. A tap not shown on a tablet within the timeout counts as a miss for that tablet.',
  '',
  'The main phase has an 11th, **frozen** tablet: a plain `ws` client with valid device and session',
  'cookies (from `POST /api/tablet/device` and `POST /api/session`) that pauses its socket right after',
  'the upgrade and never reads. The hub keeps at most the newest frame for it and disconnects it after',
  '30 s above its buffer limit; the bench then connects a fresh frozen client, so one is present for the',
  'whole phase (the number of such disconnects is reported). The control taps, without the frozen',
  'client, run in the same process against the same hub, in blocks alternating with the frozen ones',
  '(control, frozen, control, …, control; a fresh frozen client for each frozen block), so that a change',
  'of load on the machine during the run falls on both alike.',
  '',
  'Hub, kiosk, Chromium (10 pages) and the bench all share the same machine, so the numbers include CPU',
  'contention between them.',
  '',
].join('\n');

/** Writes the result into docs/benchmarks.md between this benchmark's markers. */
export async function writeTabletLatencySection(r: TabletLatencyResult): Promise<void> {
  const row = (name: string, s: TabletLatencyStats) =>
    `| ${name} | ${s.taps} × ${r.tablets} | ${s.p50} ms | ${s.p95} ms | ${s.p99} ms | ${s.max} ms | ${s.tabletP99Min}–${s.tabletP99Max} ms | ${s.misses} |`;
  await writeBenchSection(
    'tablet-latency',
    [
      `Measured ${r.date} on ${r.machine}, 1-minute load average ${r.loadAvgAtStart} at the start; ${r.tablets} tablet pages, ${r.children} children, ${r.warmup} warm-up taps not counted, gap ${r.gapMs} ms; set-up ${r.setupSeconds} s, taps ${r.runSeconds} s.`,
      '',
      '| phase | taps × tablets | p50 | p95 | p99 | max | per-tablet p99 | misses |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      row('with one frozen tablet', r.withFrozen),
      row('control, no frozen tablet', r.control),
      '',
      `p99 with the frozen tablet / p99 without: ${r.p99Ratio}. The hub disconnected the frozen tablet ${r.frozenDisconnects} time(s) for not reading (each time replaced at once)${r.frozenQueues ? `; at the end of the last frozen block the kernel held ${Math.round(r.frozenQueues.unreadBytes / 1024)} KiB unread by it and ${Math.round(r.frozenQueues.hubUnsentBytes / 1024)} KiB unsent on the hub side (largest per connection, ss)` : ''}. Kiosk taps not recorded: ${r.kioskFailures}. Largest page − Node clock offset, estimated: ${r.clockOffsetMax} ms (not applied).`,
    ],
    DESCRIPTION,
  );
}
