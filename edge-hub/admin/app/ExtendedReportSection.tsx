import { useEffect, useState } from 'react';
import type { ExtendedReport, FacilitySettings } from '../../../protocol/settings.ts';
import { getSettings, patchSettings } from './api.ts';
import type { PageProps } from './App.tsx';
import { EXTENDED_REPORT_MESSAGES } from './extended-report-messages.ts';

/** Hooks of the section for the browser tests. */
export const EXTENDED_REPORT_TEST_IDS = {
  section: 'extended-report-section',
  band: 'extended-report-band',
  time: 'extended-report-time',
  addBand: 'extended-report-add-band',
  addTime: 'extended-report-add-time',
  save: 'extended-report-save',
  saved: 'extended-report-saved',
  error: 'extended-report-error',
} as const;

/** A band as typed (text), with the id it keeps. */
interface BandRow {
  id: string;
  label: string;
  from: string;
  to: string;
}

const rowsOf = (r: ExtendedReport): BandRow[] =>
  r.bands.map((b) => ({
    id: b.id,
    label: b.label,
    from: String(b.fromMinutes),
    to: b.toMinutes === null ? '' : String(b.toMinutes),
  }));

/** A number as typed; text that is not one is sent as is (NaN), so that the hub names the field. */
const num = (s: string): number => (s.trim() === '' ? Number.NaN : Number(s));

/** An id no band of `rows` has: b1, b2 … */
function freshId(rows: readonly BandRow[]): string {
  for (let i = rows.length + 1; ; i++)
    if (!rows.some((r) => r.id === `b${String(i)}`)) return `b${String(i)}`;
}

/**
 * The extended-care report's settings (settings `extendedReport`): its bands (label, from, to minutes;
 * an empty `to` is no upper bound) and the times children present are counted. Inside the settings
 * form but saved on its own (PATCH /api/admin/settings with `extendedReport` only: both lists replace
 * the stored ones); the hub checks them and names the field it refuses.
 */
export function ExtendedReportSection({ m, onFailure }: PageProps) {
  const t = EXTENDED_REPORT_MESSAGES[m.intlLocale.startsWith('ja') ? 'ja' : 'en'];
  const [bands, setBands] = useState<BandRow[] | null>(null);
  const [times, setTimes] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [working, setWorking] = useState(false);

  const show = (s: FacilitySettings) => {
    setBands(rowsOf(s.extendedReport));
    setTimes([...s.extendedReport.presentAt]);
  };

  useEffect(() => {
    let cancelled = false;
    void getSettings().then((r) => {
      if (cancelled) return;
      if (r.ok) show(r.value);
      else onFailure(r.failure);
    });
    return () => {
      cancelled = true;
    };
  }, [onFailure]);

  if (bands === null) return null;

  const edited = () => {
    setSaved(false);
  };
  const setBand = (i: number, patch: Partial<BandRow>) => {
    setBands(bands.map((b, j) => (j === i ? { ...b, ...patch } : b)));
    edited();
  };

  const save = () => {
    setWorking(true);
    setSaved(false);
    void patchSettings({
      extendedReport: {
        bands: bands.map((b) => ({
          id: b.id,
          label: b.label,
          fromMinutes: num(b.from),
          toMinutes: b.to.trim() === '' ? null : num(b.to),
        })),
        presentAt: times,
      },
    }).then((r) => {
      setWorking(false);
      if (r.ok) {
        setError(null);
        setSaved(true);
        show(r.value);
      } else if (r.failure.kind === 'http' && r.failure.status === 400) {
        const { code, params, message } = r.failure;
        const field = typeof params['field'] === 'string' ? params['field'] : '';
        setError(m.settings.refusal(code, params) ?? t.refused(field, message));
      } else onFailure(r.failure);
    });
  };

  return (
    <fieldset className="extended-report" data-testid={EXTENDED_REPORT_TEST_IDS.section}>
      <legend>{t.title}</legend>
      <p className="help">{t.help}</p>
      <table>
        <caption>{t.bands}</caption>
        <thead>
          <tr>
            <th>{t.label}</th>
            <th>{t.fromMinutes}</th>
            <th>{t.toMinutes}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {bands.map((b, i) => (
            <tr key={b.id} data-testid={EXTENDED_REPORT_TEST_IDS.band} data-band={b.id}>
              <td>
                <input
                  aria-label={t.label}
                  size={10}
                  value={b.label}
                  onChange={(e) => {
                    setBand(i, { label: e.target.value });
                  }}
                />
              </td>
              <td>
                <input
                  aria-label={t.fromMinutes}
                  size={5}
                  inputMode="numeric"
                  value={b.from}
                  onChange={(e) => {
                    setBand(i, { from: e.target.value });
                  }}
                />
              </td>
              <td>
                <input
                  aria-label={t.toMinutes}
                  size={5}
                  inputMode="numeric"
                  value={b.to}
                  onChange={(e) => {
                    setBand(i, { to: e.target.value });
                  }}
                />
              </td>
              <td>
                <button
                  type="button"
                  disabled={bands.length <= 1}
                  onClick={() => {
                    setBands(bands.filter((_, j) => j !== i));
                    edited();
                  }}
                >
                  {t.remove}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="help">{t.toHelp}</p>
      <button
        type="button"
        data-testid={EXTENDED_REPORT_TEST_IDS.addBand}
        disabled={bands.length >= 12}
        onClick={() => {
          const last = bands[bands.length - 1];
          const from = last === undefined ? 1 : num(last.to) + 1;
          setBands([
            ...bands,
            { id: freshId(bands), label: '', from: Number.isNaN(from) ? '' : String(from), to: '' },
          ]);
          edited();
        }}
      >
        {t.addBand}
      </button>
      <div className="row">
        <span>{t.presentAt}</span>
        {times.map((time, i) => (
          <span key={i} className="field" data-testid={EXTENDED_REPORT_TEST_IDS.time}>
            <input
              type="time"
              aria-label={t.presentAt}
              value={time}
              onChange={(e) => {
                setTimes(times.map((x, j) => (j === i ? e.target.value : x)));
                edited();
              }}
            />
            <button
              type="button"
              onClick={() => {
                setTimes(times.filter((_, j) => j !== i));
                edited();
              }}
            >
              {t.remove}
            </button>
          </span>
        ))}
        <button
          type="button"
          data-testid={EXTENDED_REPORT_TEST_IDS.addTime}
          disabled={times.length >= 8}
          onClick={() => {
            setTimes([...times, '18:00']);
            edited();
          }}
        >
          {t.addTime}
        </button>
      </div>
      <p className="help">{t.presentAtHelp}</p>
      {error !== null && (
        <p className="error" role="alert" data-testid={EXTENDED_REPORT_TEST_IDS.error}>
          {error}
        </p>
      )}
      <div className="row">
        <button type="button" data-testid={EXTENDED_REPORT_TEST_IDS.save} disabled={working} onClick={save}>
          {t.save}
        </button>
        {saved && (
          <span className="ok" data-testid={EXTENDED_REPORT_TEST_IDS.saved}>
            {t.saved}
          </span>
        )}
      </div>
    </fieldset>
  );
}
