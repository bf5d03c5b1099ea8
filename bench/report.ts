import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../test/support/process.ts';

/** The p-th percentile (nearest rank) of ascending values; NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/**
 * A process's memory from /proc/PID/status, MB: resident now (VmRSS) and its peak (VmHWM, the kernel's
 * high-water mark of this process image; getrusage's maxRSS is carried over fork and exec from the parent).
 */
export function procMemoryMb(pid: number | 'self'): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const mb = (field: string): number =>
    Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
  return { rssMb: mb('VmRSS'), peakMb: mb('VmHWM') };
}

export const round1 = (x: number): number => Math.round(x * 10) / 10;

/**
 * Replaces one benchmark's section of docs/benchmarks.md, between `<!-- bench:NAME:start -->` and
 * `<!-- bench:NAME:end -->`; a section not there yet is appended after its description.
 */
export async function writeBenchSection(
  name: string,
  body: readonly string[],
  description = '',
): Promise<void> {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const section = [start, ...body, end].join('\n');
  const file = join(ROOT, 'docs/benchmarks.md');
  const doc = await readFile(file, 'utf8').catch(() => '');
  const at = doc.indexOf(start);
  const stop = doc.indexOf(end);
  const next =
    at >= 0 && stop > at
      ? doc.slice(0, at) + section + doc.slice(stop + end.length)
      : `${doc.trimEnd()}\n\n${description ? `${description}\n` : ''}${section}\n`;
  await writeFile(file, next);
}
