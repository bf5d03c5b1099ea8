import { useEffect, useState, type SyntheticEvent } from 'react';
import {
  ADMIN_TEST_IDS,
  type AdminAuditEntry,
  type AdminChart,
  type AdminDevice,
  type AdminPairing,
} from '../../../protocol/admin.ts';
import { getAudit, getChart, getDevices, getRoster, pairDevice, removeDevice } from './api.ts';
import type { PageProps } from './App.tsx';
import { OpenDaysSummary } from './OpenDaysSummary.tsx';
import { RelayPanel } from './RecordsPage.tsx';
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

export function DevicesPage({ m, onFailure }: PageProps) {
  const [devices, setDevices] = useState<AdminDevice[] | null>(null);
  const [deviceId, setDeviceId] = useState('');
  const [role, setRole] = useState<'kiosk' | 'tablet'>('kiosk');
  const [pairing, setPairing] = useState<AdminPairing | null>(null);
  /** Moves on each removal: the list reloads. */
  const [removals, setRemovals] = useState(0);
  const d = m.devices;

  useEffect(() => {
    let cancelled = false;
    const load = () => {
      void getDevices().then((r) => {
        if (cancelled) return;
        if (r.ok) setDevices(r.value.devices);
        else onFailure(r.failure);
      });
    };
    load();
    const timer = window.setInterval(load, 10_000);
    return () => {
      cancelled = true;
      window.clearInterval(timer);
    };
  }, [onFailure, pairing, removals]);

  const remove = (id: string): void => {
    if (!window.confirm(d.confirmRemove(id))) return;
    void removeDevice(id).then((r) => {
      if (r.ok) setRemovals((n) => n + 1);
      else onFailure(r.failure);
    });
  };

  const onSubmit = (e: SyntheticEvent): void => {
    e.preventDefault();
    if (deviceId.trim() === '') return;
    void pairDevice({ deviceId: deviceId.trim(), role }).then((r) => {
      if (r.ok) setPairing(r.value);
      else onFailure(r.failure);
    });
  };

  return (
    <>
      <section className="card">
        <h2>{d.title}</h2>
        <table data-testid="device-list">
          <thead>
            <tr>
              <th>{d.id}</th>
              <th>{d.role}</th>
              <th>{d.online}</th>
              <th>{d.lastSeen}</th>
              <th>{d.outbox}</th>
              <th>{d.readers}</th>
              <th>{d.version}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(devices ?? []).map((x) => (
              <tr key={x.id} data-device-id={x.id} data-online={String(x.online)}>
                <td>{x.id}</td>
                <td>{d.roles[x.role]}</td>
                <td className={x.online ? 'ok' : 'muted'}>{x.online ? d.online : d.offline}</td>
                <td>{x.lastSeen ?? d.never}</td>
                <td>{x.outbox ?? d.never}</td>
                <td data-testid="device-readers">
                  {x.readers === null
                    ? d.never
                    : x.readers.map((r) => `${r.name} ${r.attached ? '✓' : d.detached}`).join(' · ')}
                </td>
                <td>{x.version ?? d.never}</td>
                <td>
                  <button
                    type="button"
                    data-testid="device-remove"
                    data-device-id={x.id}
                    onClick={() => {
                      remove(x.id);
                    }}
                  >
                    {d.remove}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="card">
        <h2>{d.addTitle}</h2>
        <form className="row" onSubmit={onSubmit}>
          <label>
            {d.id}{' '}
            <input
              data-testid="pair-device-id"
              value={deviceId}
              onChange={(e) => {
                setDeviceId(e.target.value);
              }}
            />
          </label>
          <select
            data-testid="pair-role"
            value={role}
            onChange={(e) => {
              setRole(e.target.value === 'tablet' ? 'tablet' : 'kiosk');
            }}
          >
            <option value="kiosk">{d.roles.kiosk}</option>
            <option value="tablet">{d.roles.tablet}</option>
          </select>
          <button type="submit" className="primary" data-testid="pair-submit">
            {d.add}
          </button>
        </form>
        {pairing && (
          <figure className="pairing" data-testid="pairing-qr" data-device-id={pairing.deviceId}>
            <img
              alt={pairing.deviceId}
              src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(pairing.svg)}`}
              width={240}
              height={240}
            />
            <figcaption>{d.scan(pairing.role, pairing.expiresAt)}</figcaption>
          </figure>
        )}
      </section>
    </>
  );
}

const json = (v: unknown): string => (v === null || v === undefined ? '' : JSON.stringify(v));

export function AuditPage({ m, onFailure }: PageProps) {
  const [entries, setEntries] = useState<AdminAuditEntry[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const a = m.audit;

  useEffect(() => {
    let cancelled = false;
    void getAudit(null).then((r) => {
      if (cancelled) return;
      if (r.ok) {
        setEntries(r.value.entries);
        setNext(r.value.nextBefore);
      } else onFailure(r.failure);
    });
    return () => {
      cancelled = true;
    };
  }, [onFailure]);

  return (
    <section className="card">
      <h2>{a.title}</h2>
      <table data-testid="audit-log" className="audit">
        <thead>
          <tr>
            <th>{a.at}</th>
            <th>{a.actor}</th>
            <th>{a.action}</th>
            <th>{a.subject}</th>
            <th>{a.outcome}</th>
            <th>{a.change}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id} data-action={e.action} data-outcome={e.outcome}>
              <td>{new Date(e.at).toLocaleString(m.intlLocale)}</td>
              <td>{`${e.actorKind}${e.actorId === null ? '' : `:${e.actorId}`}`}</td>
              <td>{e.action}</td>
              <td>{e.subject ?? ''}</td>
              <td>{e.outcome}</td>
              <td className="change">
                {json(e.before)}
                {e.before !== null && e.after !== null ? ' → ' : ''}
                {json(e.after)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {next !== null && (
        <button
          type="button"
          onClick={() => {
            void getAudit(next).then((r) => {
              if (r.ok) {
                setEntries([...entries, ...r.value.entries]);
                setNext(r.value.nextBefore);
              } else onFailure(r.failure);
            });
          }}
        >
          {a.more}
        </button>
      )}
    </section>
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
