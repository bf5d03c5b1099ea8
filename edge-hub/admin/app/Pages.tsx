import { useEffect, useState } from 'react';
import { ADMIN_TEST_IDS, type AdminChart } from '../../../protocol/admin.ts';
import { getChart, getRoster } from './api.ts';
import type { PageProps } from './App.tsx';
import { OpenDaysSummary } from './OpenDaysSummary.tsx';
import { RelayPanel } from './RecordsPage.tsx';
import { TodayPanel } from './TodayPanel.tsx';
import { bucketTime, chartGeometry, LEDGER_FORMATS, ledgerUrl, todayIso } from './logic.ts';

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
          <label>
            {o.date}{' '}
            <input
              type="date"
              value={date}
              onChange={(e) => {
                if (e.target.value !== '') setDate(e.target.value);
              }}
            />
          </label>
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

export function LedgerPage({ m, onFailure }: PageProps) {
  const [date, setDate] = useState(() => todayIso());
  const [month, setMonth] = useState(() => todayIso().slice(0, 7));
  const [classId, setClassId] = useState<string | null>(null);
  const [classes, setClasses] = useState<{ id: string; name: string }[]>([]);
  const l = m.ledger;

  useEffect(() => {
    let cancelled = false;
    void getRoster().then((r) => {
      if (cancelled) return;
      if (r.ok) setClasses(r.value.classes);
      else onFailure(r.failure);
    });
    return () => {
      cancelled = true;
    };
  }, [onFailure]);

  return (
    <section className="card ledger">
      <h2>{l.title}</h2>
      <h3>{l.daily}</h3>
      <label>
        {l.date}{' '}
        <input
          type="date"
          value={date}
          onChange={(e) => {
            setDate(e.target.value);
          }}
        />
      </label>
      <ul className="links">
        {LEDGER_FORMATS.map((f) => (
          <li key={f}>
            <a href={ledgerUrl({ daily: date }, f)} download data-testid={`ledger-daily-${f}`}>
              {l.formats[f]}
            </a>
          </li>
        ))}
      </ul>
      <h3>{l.monthly}</h3>
      <div className="row">
        <label>
          {l.month}{' '}
          <input
            type="month"
            value={month}
            onChange={(e) => {
              setMonth(e.target.value);
            }}
          />
        </label>
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
      <ul className="links">
        {LEDGER_FORMATS.map((f) => (
          <li key={f}>
            <a href={ledgerUrl({ monthly: month, classId }, f)} download data-testid={`ledger-monthly-${f}`}>
              {l.formats[f]}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
