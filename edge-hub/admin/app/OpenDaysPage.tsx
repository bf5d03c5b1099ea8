import { useEffect, useState } from 'react';
import type { OpenDay } from '../../../protocol/history.ts';
import {
  getDailyLedger,
  getMonthlyLedger,
  getMonths,
  getOpenDays,
  type ApiFailure,
  type DailyRows,
  type MonthlyRows,
} from './api.ts';
import type { PageProps } from './App.tsx';
import { CorrectionForm } from './CorrectionForm.tsx';
import {
  dayLabel,
  dayOfDailyRow,
  dayOfMonthlyCell,
  HISTORY_TEST_IDS as T,
  monthOf,
  nextMonth,
  previousMonth,
} from './history-logic.ts';
import { todayIso } from './logic.ts';

/** The closed months (GET /api/months), loaded again whenever `reload` changes. */
function useClosedMonths(onFailure: (f: ApiFailure) => void, reload: number): ReadonlySet<string> {
  const [closed, setClosed] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    let cancelled = false;
    void getMonths().then((r) => {
      if (cancelled) return;
      if (r.ok) setClosed(new Set(r.value.months.filter((x) => x.state === 'closed').map((x) => x.month)));
      else onFailure(r.failure);
    });
    return () => {
      cancelled = true;
    };
  }, [onFailure, reload]);
  return closed;
}

/**
 * 未退園・未登園の記録: a month's open days, each with its correction form (a corrected day leaves the list),
 * and below them the correction of any past day of any child.
 */
export function OpenDaysPage({ m, onFailure }: PageProps) {
  const today = todayIso();
  const [month, setMonth] = useState(() => monthOf(today));
  const [openDays, setOpenDays] = useState<readonly OpenDay[] | null>(null);
  const [ledger, setLedger] = useState<MonthlyRows | null>(null);
  const [reload, setReload] = useState(0);
  const [done, setDone] = useState<string | null>(null);
  const closed = useClosedMonths(onFailure, reload);
  const o = m.history.openDays;

  useEffect(() => {
    let cancelled = false;
    void Promise.all([getOpenDays(month), getMonthlyLedger(month)]).then(([days, rows]) => {
      if (cancelled) return;
      if (!days.ok) {
        onFailure(days.failure);
        return;
      }
      setOpenDays(days.value.openDays);
      // Without the ledger the list still works: ids instead of names, empty forms.
      setLedger(rows.ok ? rows.value : null);
    });
    return () => {
      cancelled = true;
    };
  }, [month, reload, onFailure]);

  const rowOf = (childId: string) => ledger?.rows.find((r) => r.child_id === childId);
  const childText = (childId: string): string => {
    const r = rowOf(childId);
    return r ? `${r.child_name}（${r.class_name}）` : childId;
  };
  const corrected = (date: string, childId: string) => () => {
    setDone(m.history.correction.done(date, childText(childId)));
    setReload((n) => n + 1);
  };

  return (
    <>
      <section className="card">
        <h2>{o.title}</h2>
        <p className="help">{o.help}</p>
        <div className="row">
          <button
            type="button"
            data-testid={T.openDaysPrevious}
            onClick={() => {
              setMonth(previousMonth(month));
            }}
          >
            {o.previous}
          </button>
          <label>
            {o.month}{' '}
            <input
              type="month"
              data-testid={T.openDaysMonth}
              value={month}
              max={monthOf(today)}
              onChange={(e) => {
                if (e.target.value !== '') setMonth(e.target.value);
              }}
            />
          </label>
          <button
            type="button"
            disabled={month >= monthOf(today)}
            onClick={() => {
              setMonth(nextMonth(month));
            }}
          >
            {o.next}
          </button>
        </div>
        {closed.has(month) && <p className="notice inline">{o.closedMonth}</p>}
        {done !== null && (
          <p className="ok" role="status" data-testid={T.correctionDone}>
            {done}
          </p>
        )}
        {openDays === null ? (
          <p>{m.loading}</p>
        ) : (
          <table data-testid={T.openDays} data-month={month}>
            <thead>
              <tr>
                <th>{o.date}</th>
                <th>{o.child}</th>
                <th>{o.missing}</th>
                <th>{o.correction}</th>
              </tr>
            </thead>
            <tbody>
              {openDays.length === 0 && (
                <tr>
                  <td colSpan={4} className="muted">
                    {o.none}
                  </td>
                </tr>
              )}
              {openDays.map((d) => {
                const day = Number(d.date.slice(8));
                const cell = rowOf(d.childId)?.days[day - 1] ?? '';
                return (
                  <tr
                    key={`${d.date}/${d.childId}`}
                    data-testid={T.openDayRow}
                    data-child-id={d.childId}
                    data-date={d.date}
                    data-missing={d.missing}
                  >
                    <td className="nowrap">{dayLabel(d.date, m.intlLocale)}</td>
                    <td>{childText(d.childId)}</td>
                    <td className="nowrap error">{o.missingKind[d.missing]}</td>
                    <td>
                      <CorrectionForm
                        key={`${d.date}/${d.childId}/${cell}`}
                        m={m}
                        childId={d.childId}
                        date={d.date}
                        recorded={dayOfMonthlyCell(cell)}
                        closed={closed.has(month)}
                        onDone={corrected(d.date, d.childId)}
                        onFailure={onFailure}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
      <AnyDayCorrection
        m={m}
        onFailure={onFailure}
        today={today}
        closed={closed}
        onCorrected={() => {
          setReload((n) => n + 1);
        }}
      />
    </>
  );
}

/** The correction of any past day: pick the day, then a child enrolled that day (names from its ledger). */
function AnyDayCorrection(
  props: PageProps & {
    today: string;
    closed: ReadonlySet<string>;
    /** A day was corrected: the open days may have changed. */
    onCorrected: () => void;
  },
) {
  const { m, onFailure, today } = props;
  const c = m.history.correction;
  const [date, setDate] = useState(() => {
    const d = new Date(`${today}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() - 1);
    return d.toISOString().slice(0, 10);
  });
  const [rows, setRows] = useState<DailyRows['rows'] | null>(null);
  const [childId, setChildId] = useState('');
  const [reload, setReload] = useState(0);
  const [done, setDone] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    void getDailyLedger(date).then((r) => {
      if (cancelled) return;
      if (r.ok) setRows(r.value.rows);
      else onFailure(r.failure);
    });
    return () => {
      cancelled = true;
    };
  }, [date, reload, onFailure]);

  const row = rows?.find((r) => r.child_id === childId);
  return (
    <section className="card">
      <h2>{c.title}</h2>
      <p className="help">{c.help}</p>
      <div className="row">
        <label>
          {c.date}{' '}
          <input
            type="date"
            data-testid={T.correctionDate}
            value={date}
            max={today}
            onChange={(e) => {
              if (e.target.value === '') return;
              setDate(e.target.value);
              setDone(null);
            }}
          />
        </label>
        <label>
          {c.child}{' '}
          <select
            data-testid={T.correctionChild}
            value={childId}
            onChange={(e) => {
              setChildId(e.target.value);
              setDone(null);
            }}
          >
            <option value="">{rows?.length === 0 ? c.noChildren : c.choose}</option>
            {(rows ?? []).map((r) => (
              <option key={r.child_id} value={r.child_id}>
                {`${r.class_name} ${r.child_name}`}
              </option>
            ))}
          </select>
        </label>
      </div>
      {done !== null && (
        <p className="ok" role="status" data-testid={T.correctionDone}>
          {done}
        </p>
      )}
      {row && (
        <CorrectionForm
          // A new form for the day as recorded now (after a correction, once the ledger is read again).
          key={`${date}/${row.child_id}/${row.status}/${row.check_in ?? ''}/${row.check_out ?? ''}/${row.note}`}
          m={m}
          childId={row.child_id}
          date={date}
          recorded={dayOfDailyRow(row)}
          closed={props.closed.has(monthOf(date))}
          onDone={() => {
            setDone(c.done(date, row.child_name));
            setReload((n) => n + 1);
            props.onCorrected();
          }}
          onFailure={onFailure}
        />
      )}
    </section>
  );
}
