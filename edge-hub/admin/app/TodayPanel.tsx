import { useEffect, useState } from 'react';
import { ADMIN_PEOPLE_TEST_IDS as T, type AdminToday } from '../../../protocol/admin-dashboard.ts';
import { getToday } from './api.ts';
import type { PageProps } from './App.tsx';

/** Today's numbers change with every tap: read again this often. */
const REFRESH_MS = 30_000;

function Figure({
  testId,
  label,
  value,
  count,
  tone,
  href,
}: {
  testId: string;
  label: string;
  value: string;
  count: number | null;
  tone?: 'alert' | 'muted';
  href?: string;
}) {
  const body = (
    <>
      <span className="figure-value">{value}</span>
      <span className="figure-label">{label}</span>
    </>
  );
  return (
    <div
      className={`figure${tone === undefined ? '' : ` ${tone}`}`}
      data-testid={testId}
      data-count={count === null ? undefined : String(count)}
    >
      {href === undefined ? body : <a href={href}>{body}</a>}
    </div>
  );
}

/**
 * The overview's first box: today's children by status (as the tablets count them), those unaccounted
 * after their class's cut-off, the open days of this month and the last (linking to their page), and how
 * far sending to the cloud is behind.
 */
export function TodayPanel({ m, onFailure }: PageProps) {
  const [today, setToday] = useState<AdminToday | null>(null);
  const t = m.today;

  useEffect(() => {
    let cancelled = false;
    const load = () => {
      void getToday().then((r) => {
        if (cancelled) return;
        if (r.ok) setToday(r.value);
        else onFailure(r.failure);
      });
    };
    load();
    const timer = window.setInterval(load, REFRESH_MS);
    return () => {
      cancelled = true;
      window.clearInterval(timer);
    };
  }, [onFailure]);

  if (today === null) return null;
  const c = today.counts;
  const relay = today.relay;
  const lag = relay.configured ? relay.lagSeconds : null;
  return (
    <section className="card today" data-testid={T.today} data-date={today.date}>
      <div className="row">
        <h2>{t.title(today.date)}</h2>
        <span className="muted">{t.enrolled(c.enrolled)}</span>
      </div>
      <div className="figures">
        <Figure testId={T.todayPresent} label={t.present} value={t.children(c.present)} count={c.present} />
        <Figure testId="today-left" label={t.left} value={t.children(c.left)} count={c.left} />
        <Figure testId={T.todayAbsent} label={t.absent} value={t.children(c.absent)} count={c.absent} />
        <Figure
          testId={T.todayNotArrived}
          label={t.notArrived}
          value={t.children(c.notArrived)}
          count={c.notArrived}
        />
        <Figure
          testId={T.todayUnaccounted}
          label={t.unaccounted}
          value={t.children(c.unaccounted)}
          count={c.unaccounted}
          {...(c.unaccounted > 0 && { tone: 'alert' as const })}
        />
        <Figure
          testId={T.todayOpenDays}
          label={t.openDays}
          value={t.days(today.openDays.count)}
          count={today.openDays.count}
          href="#open-days"
          {...(today.openDays.count > 0 && { tone: 'alert' as const })}
        />
        <div
          className={`figure${lag !== null ? ' alert' : ''}`}
          data-testid={T.todayRelay}
          data-configured={String(relay.configured)}
          data-lag-seconds={lag === null ? '' : String(lag)}
        >
          <span className="figure-value small">
            {!relay.configured
              ? t.notConfigured
              : relay.lagSeconds === null
                ? t.upToDate
                : t.lag(m.age(relay.lagSeconds), relay.waiting)}
          </span>
          <span className="figure-label">{t.relay}</span>
        </div>
      </div>
      <p className="help">{t.openDaysHelp}</p>
    </section>
  );
}
