import type { AdminChart } from '../../../protocol/admin.ts';

/** Pure helpers of the admin app (unit-tested in logic.test.ts). */

/** A refused setting's message is `FIELD: reason` (edge-hub/facility/settings.ts): split it for the form. */
export function fieldErrorOf(message: string): { field: string; reason: string } {
  const m = /^([A-Za-z0-9_.-]+): (.*)$/s.exec(message);
  return m ? { field: m[1] ?? '', reason: m[2] ?? '' } : { field: '', reason: message };
}

export interface ChartGeometry {
  width: number;
  height: number;
  /** Largest value on the y axis. */
  max: number;
  bars: { x: number; y: number; w: number; h: number; count: number; bucket: number }[];
  /** SVG path of the present count, a step line. */
  presentPath: string;
}

/** Lays out the attendance chart (arrival bars, present step line) in a width × height box. */
export function chartGeometry(chart: AdminChart, width: number, height: number): ChartGeometry {
  const buckets = (24 * 60) / chart.bucketMinutes;
  const max = Math.max(1, chart.expected, ...chart.present, ...chart.arrivals);
  const bw = width / buckets;
  const y = (v: number) => height - (v / max) * height;
  const bars = chart.arrivals.flatMap((count, bucket) =>
    count === 0
      ? []
      : [{ x: bucket * bw, y: y(count), w: Math.max(1, bw - 1), h: height - y(count), count, bucket }],
  );
  let path = '';
  chart.present.forEach((v, i) => {
    const x0 = i * bw;
    const x1 = (i + 1) * bw;
    path += `${i === 0 ? 'M' : 'L'}${round(x0)} ${round(y(v))}L${round(x1)} ${round(y(v))}`;
  });
  return { width, height, max, bars, presentPath: path };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** HH:MM at the start of a chart bucket. */
export function bucketTime(bucket: number, bucketMinutes: number): string {
  const m = bucket * bucketMinutes;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

export type LedgerFormat = 'csv' | 'csv-sjis' | 'xlsx' | 'pdf';
export const LEDGER_FORMATS: readonly LedgerFormat[] = ['csv', 'csv-sjis', 'xlsx', 'pdf'];

/** The extended-care report's files: its print formats, and its CSV's two tables (per child, per day). */
export type ExtendedFormat = 'xlsx' | 'pdf' | 'csv' | 'csv-days';
export const EXTENDED_FORMATS: readonly ExtendedFormat[] = ['xlsx', 'pdf', 'csv', 'csv-days'];

/** A ledger's language as chosen for a download: null is the facility's setting (no `lang` sent). */
export type LedgerLang = 'ja' | 'en' | null;

/** A download link of the hub's ledger routes (they accept the admin session). */
export function ledgerUrl(
  kind: { daily: string } | { monthly: string; classId: string | null },
  format: LedgerFormat,
  lang: LedgerLang = null,
): string {
  const q = new URLSearchParams();
  if ('daily' in kind) q.set('date', kind.daily);
  else {
    q.set('month', kind.monthly);
    if (kind.classId !== null) q.set('class', kind.classId);
  }
  q.set('format', format === 'csv-sjis' ? 'csv' : format);
  if (format === 'csv-sjis') q.set('encoding', 'sjis');
  if (lang !== null) q.set('lang', lang);
  return `/api/ledger/${'daily' in kind ? 'daily' : 'monthly'}?${q.toString()}`;
}

/** A download link of the month's extended-care report (GET /api/ledger/extended). */
export function extendedUrl(month: string, format: ExtendedFormat, lang: LedgerLang = null): string {
  const q = new URLSearchParams({ month, format: format === 'csv-days' ? 'csv' : format });
  if (format === 'csv-days') q.set('table', 'days');
  if (lang !== null) q.set('lang', lang);
  return `/api/ledger/extended?${q.toString()}`;
}

/**
 * HH:MM of an RFC 3339 instant the hub wrote with the facility's offset (formatRfc3339): the facility's
 * clock time, whatever the browser's zone.
 */
export function facilityClockTime(instant: string): string {
  return /T(\d{2}:\d{2})/.exec(instant)?.[1] ?? instant;
}

/** Today in the browser's zone as YYYY-MM-DD (the facility's zone is the same in practice). */
export function todayIso(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${String(now.getFullYear())}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}
