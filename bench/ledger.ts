import { execFile } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { generateMonth, sourceOf } from '../test/support/ledger-month.ts';
import { ledgerCsv, ledgerXlsx, monthlyLedger } from '../common/ledger/index.ts';
import { procMemoryMb, round1, writeBenchSection } from './report.ts';

/**
 * The monthly ledger (出席簿) of 300 children over a generated month, as CSV and as XLSX. Each format runs
 * in its own child process so that its peak memory is its own: the process generates the month's events,
 * records its peak RSS so far (the baseline: Node, tsx, the libraries and the events), then builds the
 * ledger (engine) and renders it ROUNDS times; time is the median per run, memory the process's peak RSS
 * (the kernel's high-water mark VmHWM, so nothing between samples is missed; not getrusage's maxRSS, which
 * Linux carries over fork and exec from the parent) at the end, and that peak minus the baseline.
 */
const ROOT = resolve(import.meta.dirname, '..');
const RUNNER = join(ROOT, 'bin/run-ts.mjs');
const CHILDREN = Number(process.env['BENCH_LEDGER_CHILDREN'] ?? 300);
const ROUNDS = Number(process.env['BENCH_LEDGER_ROUNDS'] ?? 5);
const MONTH = '2026-04';
const WORKER_FLAG = '--ledger-worker';

interface WorkerResult {
  format: 'csv' | 'xlsx';
  events: number;
  bytes: number;
  engineMs: number;
  renderMs: number;
  totalMs: number;
  baselineRssMb: number;
  peakRssMb: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const maxRssMb = (): number => procMemoryMb('self').peakMb;

async function worker(format: 'csv' | 'xlsx'): Promise<WorkerResult> {
  const { snapshot, events } = generateMonth(MONTH, CHILDREN, 10, 20260401);
  // One snapshot version for the whole month, as a facility without roster changes has.
  const source = sourceOf(snapshot);
  const baselineRssMb = maxRssMb();
  const engine: number[] = [];
  const render: number[] = [];
  let bytes = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    const ledger = monthlyLedger(source, MONTH, events, null);
    const t1 = performance.now();
    const out = format === 'csv' ? ledgerCsv(ledger, 'utf8') : await ledgerXlsx(ledger);
    const t2 = performance.now();
    bytes = out.length;
    engine.push(t1 - t0);
    render.push(t2 - t1);
  }
  const totals = engine.map((e, i) => e + (render[i] ?? 0));
  return {
    format,
    events: events.length,
    bytes,
    engineMs: median(engine),
    renderMs: median(render),
    totalMs: median(totals),
    baselineRssMb,
    peakRssMb: maxRssMb(),
  };
}

async function measure(format: 'csv' | 'xlsx'): Promise<WorkerResult> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [RUNNER, 'bench/ledger.ts', WORKER_FLAG, format],
    {
      cwd: ROOT,
      maxBuffer: 1024 * 1024,
    },
  );
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as WorkerResult;
}

export async function runLedgerBench(): Promise<void> {
  const results: WorkerResult[] = [];
  for (const format of ['csv', 'xlsx'] as const) {
    const r = await measure(format);
    console.log(JSON.stringify(r));
    results.push(r);
  }
  const date = new Date().toISOString().slice(0, 10);
  const machine = `${String(cpus().length)} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
  const events = results[0]?.events ?? 0;
  await writeBenchSection(
    'ledger',
    [
      `Measured ${date} on ${machine}; ${String(CHILDREN)} children, ${MONTH} (${events.toLocaleString('en-US')} events), median of ${String(ROUNDS)} runs per format, each format in its own process.`,
      '',
      '| format | file | engine (monthlyLedger) | render | total | peak RSS | peak − baseline |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...results.map(
        (r) =>
          `| ${r.format.toUpperCase()} | ${(r.bytes / 1024).toFixed(0)} KiB | ${String(round1(r.engineMs))} ms | ${String(round1(r.renderMs))} ms | ${String(round1(r.totalMs))} ms | ${r.peakRssMb.toFixed(0)} MB | ${(r.peakRssMb - r.baselineRssMb).toFixed(0)} MB |`,
      ),
      '',
      'Baseline: the worker process’s peak RSS after loading the libraries and generating the events, before the first ledger.',
      `Load average when the run ended: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(
          ' / ',
        )} (1 / 5 / 15 min) on ${String(cpus().length)} cores; other jobs shared the machine when above the core count.`,
    ],
    [
      '## Monthly ledger (出席簿): CSV and XLSX',
      '',
      'Command: `BENCH_ONLY=ledger npm run bench` (options: `BENCH_LEDGER_CHILDREN`, default 300; `BENCH_LEDGER_ROUNDS`, default 5).',
      '',
      'One child process per format generates a month of events (bench/ledger.ts, test/support/ledger-month.ts: absences,',
      'corrections, early arrivals, late pickups), then builds the monthly ledger with common/ledger and renders it,',
      'several times. Time: median per run of the engine, the renderer and both. Memory: the process’s peak RSS',
      'as the kernel’s high-water mark (`VmHWM`; not getrusage’s maxRSS, which Linux carries over from the parent),',
      'and that peak minus the peak before the first ledger.',
      '',
    ].join('\n'),
  );
}

if (process.argv.includes(WORKER_FLAG)) {
  const format = process.argv.at(-1) === 'xlsx' ? 'xlsx' : 'csv';
  console.log(JSON.stringify(await worker(format)));
}
