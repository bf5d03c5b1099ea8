import { useEffect, useState } from 'react';
import { ADMIN_TEST_IDS, type AdminChart } from '../../../protocol/admin.ts';
import { getChart, getRoster } from './api.ts';
import type { PageProps } from './App.tsx';
import { OpenDaysSummary } from './OpenDaysSummary.tsx';
import { RelayPanel } from './RecordsPage.tsx';
import { TodayPanel } from './TodayPanel.tsx';
import { DateField } from './DateField.tsx';
import {
  bucketTime,
  chartGeometry,
  EXTENDED_FORMATS,
  extendedUrl,
  LEDGER_FORMATS,
  ledgerUrl,
  todayIso,
  type LedgerLang,
} from './logic.ts';
import { useLoaded } from './use-loaded.ts';

const CHART_W = 960;
const CHART_H = 220;

export function OverviewPage({ m, onFailure }: PageProps) {
  const [date, setDate] = useState(() => todayIso());
  const [chart, setChart] = useState<AdminChart | null>(null);

  useEffect(() => {
    let cancelled = false;
    const load = () => {
      void getChart(date).then((r) => {
        if (cancelled) return;
        if (r.ok) setChart(r.value);
        else onFailure(r.failure);
      });
    };
    load();
    // Today's chart grows: refresh it every minute.
    const timer = window.setInterval(load, 60_000);
    return () => {
      cancelled = true;
      window.clearInterval(timer);
    };
  }, [date, onFailure]);

  const o = m.overview;
  const g = chart && chartGeometry(chart, CHART_W, CHART_H);
  return (
    <>
      <TodayPanel m={m} onFailure={onFailure} />
      <RelayPanel m={m} onFailure={onFailure} />
      <OpenDaysSummary m={m} onFailure={onFailure} />
      <section className="card">
        <div className="row">
          <h2>{o.chartTitle(date)}</h2>
          <DateField label={o.date} value={date} onChange={setDate} />
        </div>
        {chart && g && (
          <figure>
            <svg
              data-testid={ADMIN_TEST_IDS.chart}
              viewBox={`-40 -10 ${String(CHART_W + 70)} ${String(CHART_H + 40)}`}
              role="img"
              aria-label={`${o.arrivals} / ${o.present}`}
              className="chart"
            >
              {[0, 0.5, 1].map((f) => (
                <g key={f}>
                  <line x1={0} x2={CHART_W} y1={CHART_H * (1 - f)} y2={CHART_H * (1 - f)} className="grid" />
                  <text x={-6} y={CHART_H * (1 - f) + 4} textAnchor="end" className="axis">
                    {Math.round(g.max * f)}
                  </text>
                </g>
              ))}
              {[0, 6, 12, 18, 24].map((h) => (
                <text key={h} x={(CHART_W * h) / 24} y={CHART_H + 18} textAnchor="middle" className="axis">
                  {`${String(h)}:00`}
                </text>
              ))}
              {g.bars.map((b) => (
                <rect key={b.bucket} x={b.x} y={b.y} width={b.w} height={b.h} className="bar">
                  <title>{`${bucketTime(b.bucket, chart.bucketMinutes)} ${String(b.count)}`}</title>
                </rect>
              ))}
              <path d={g.presentPath} className="present" fill="none" />
            </svg>
            <figcaption className="legend">
              <span className="key bar" /> {o.arrivals} <span className="key present" /> {o.present} ·{' '}
              {o.expected(chart.expected)}
            </figcaption>
          </figure>
        )}
      </section>
    </>
  );
}

/** A list of download links, one a format. */
function DownloadLinks<F extends string>(props: {
  formats: readonly F[];
  href: (format: F) => string;
  label: (format: F) => string;
  testId: (format: F) => string;
}) {
  return (
    <ul className="links">
      {props.formats.map((f) => (
        <li key={f}>
          <a href={props.href(f)} download data-testid={props.testId(f)}>
            {props.label(f)}
          </a>
        </li>
      ))}
    </ul>
  );
}

const LEDGER_LANGS: readonly LedgerLang[] = [null, 'ja', 'en'];

/**
 * The ledger downloads: the daily and monthly ledgers and the month's extended-care report, in the
 * facility's ledger language (no `lang` sent) or one chosen for these downloads.
 */
export function LedgerPage({ m, onFailure }: PageProps) {
  const [date, setDate] = useState(() => todayIso());
  const [month, setMonth] = useState(() => todayIso().slice(0, 7));
  const [classId, setClassId] = useState<string | null>(null);
  const [lang, setLang] = useState<LedgerLang>(null);
  const [roster] = useLoaded(getRoster, onFailure);
  const classes = roster?.classes ?? [];
  const l = m.ledger;

  return (
    <section className="card ledger">
      <h2>{l.title}</h2>
      <label>
        {l.language}{' '}
        <select
          data-testid="ledger-lang"
          value={lang ?? ''}
          onChange={(e) => {
            setLang(LEDGER_LANGS.find((x) => (x ?? '') === e.target.value) ?? null);
          }}
        >
          {LEDGER_LANGS.map((x) => (
            <option key={x ?? ''} value={x ?? ''}>
              {l.languages[x ?? 'setting']}
            </option>
          ))}
        </select>
      </label>
      <h3>{l.daily}</h3>
      <DateField label={l.date} value={date} onChange={setDate} />
      <DownloadLinks
        formats={LEDGER_FORMATS}
        href={(f) => ledgerUrl({ daily: date }, f, lang)}
        label={(f) => l.formats[f]}
        testId={(f) => `ledger-daily-${f}`}
      />
      <h3>{l.monthly}</h3>
      <div className="row">
        <DateField label={l.month} type="month" value={month} onChange={setMonth} />
        <label>
          {l.cls}{' '}
          <select
            value={classId ?? ''}
            onChange={(e) => {
              setClassId(e.target.value === '' ? null : e.target.value);
            }}
          >
            <option value="">{l.allClasses}</option>
            {classes.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <DownloadLinks
        formats={LEDGER_FORMATS}
        href={(f) => ledgerUrl({ monthly: month, classId }, f, lang)}
        label={(f) => l.formats[f]}
        testId={(f) => `ledger-monthly-${f}`}
      />
      <h3>{l.extended}</h3>
      <p className="help">{l.extendedHelp}</p>
      <DownloadLinks
        formats={EXTENDED_FORMATS}
        href={(f) => extendedUrl(month, f, lang)}
        label={(f) => l.extendedFormats[f]}
        testId={(f) => `ledger-extended-${f}`}
      />
    </section>
  );
}
