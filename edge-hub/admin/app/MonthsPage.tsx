import { useEffect, useState } from 'react';
import type { MonthState } from '../../../protocol/history.ts';
import { closeMonth, getMonths } from './api.ts';
import type { PageProps } from './App.tsx';
import { HISTORY_TEST_IDS as T, isMonthOver } from './history-logic.ts';
import { todayIso } from './logic.ts';

/**
 * 月の確定: each month's state, and closing an ended month after a confirmation that says what it means
 * (it cannot be undone; later corrections become amendments).
 */
export function MonthsPage({ m, onFailure }: PageProps) {
  const [months, setMonths] = useState<readonly MonthState[] | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [reload, setReload] = useState(0);
  const t = m.history.months;
  const today = todayIso();

  useEffect(() => {
    let cancelled = false;
    void getMonths().then((r) => {
      if (cancelled) return;
      if (r.ok) setMonths([...r.value.months].sort((a, b) => b.month.localeCompare(a.month)));
      else onFailure(r.failure);
    });
    return () => {
      cancelled = true;
    };
  }, [onFailure, reload]);

  const close = (month: string): void => {
    setSending(true);
    void closeMonth(month).then((r) => {
      setSending(false);
      setConfirming(null);
      setReload((n) => n + 1);
      if (r.ok) {
        setMessage({ text: t.closed(month), error: false });
        return;
      }
      const f = r.failure;
      if (f.kind === 'http' && f.status === 401) onFailure(f);
      else
        setMessage({ text: f.kind === 'http' ? t.error(f.code, f.message) : m.error(f.kind), error: true });
    });
  };

  const when = (iso: string | null) => (iso === null ? '' : new Date(iso).toLocaleString(m.intlLocale));
  return (
    <section className="card">
      <h2>{t.title}</h2>
      <p className="help">{t.help}</p>
      {message !== null && (
        <p
          className={message.error ? 'error' : 'ok'}
          role={message.error ? 'alert' : 'status'}
          data-testid={message.error ? T.monthError : undefined}
        >
          {message.text}
        </p>
      )}
      {confirming !== null && (
        <div className="confirm" role="alertdialog" aria-labelledby="month-confirm-title">
          <h3 id="month-confirm-title">{t.confirmTitle(confirming)}</h3>
          <p>{t.confirmText}</p>
          <div className="row">
            <button
              type="button"
              className="primary"
              data-testid={T.monthCloseConfirm}
              disabled={sending}
              onClick={() => {
                close(confirming);
              }}
            >
              {t.confirm}
            </button>
            <button
              type="button"
              data-testid={T.monthCloseCancel}
              disabled={sending}
              onClick={() => {
                setConfirming(null);
              }}
            >
              {t.cancel}
            </button>
          </div>
        </div>
      )}
      {months === null ? (
        <p>{m.loading}</p>
      ) : (
        <table data-testid={T.months}>
          <thead>
            <tr>
              <th>{t.month}</th>
              <th>{t.state}</th>
              <th>{t.closedAt}</th>
              <th>{t.closedBy}</th>
              <th>{t.amendments}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {months.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  {t.none}
                </td>
              </tr>
            )}
            {months.map((x) => (
              <tr key={x.month} data-testid={T.monthRow} data-month={x.month} data-state={x.state}>
                <td className="nowrap">{x.month}</td>
                <td className={x.state === 'closed' ? 'ok' : ''}>{t.states[x.state]}</td>
                <td>{when(x.closedAt)}</td>
                <td>{x.closedBy ?? ''}</td>
                <td>{String(x.amendments)}</td>
                <td>
                  {x.state === 'open' &&
                    (isMonthOver(x.month, today) ? (
                      <button
                        type="button"
                        data-testid={T.monthClose}
                        data-month={x.month}
                        disabled={sending}
                        onClick={() => {
                          setMessage(null);
                          setConfirming(x.month);
                        }}
                      >
                        {t.close}
                      </button>
                    ) : (
                      <span className="muted">{t.notOver}</span>
                    ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
