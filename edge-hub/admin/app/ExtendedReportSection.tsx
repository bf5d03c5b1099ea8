import type { ExtendedReport, FacilitySettings } from '../../../protocol/settings.ts';
import type { PageProps } from './App.tsx';
import { EXTENDED_REPORT_MESSAGES } from './extended-report-messages.ts';
import { num, SaveRow, useSettingsGroup } from './SettingsGroup.tsx';

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

/** The form: the bands as typed, the counting times. */
const formOf = (s: FacilitySettings): { bands: BandRow[]; times: string[] } => ({
  bands: rowsOf(s.extendedReport),
  times: [...s.extendedReport.presentAt],
});

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
  const group = useSettingsGroup(m, onFailure, formOf);
  if (group.form === null) return null;
  const { bands, times } = group.form;

  const setBands = (next: BandRow[]) => {
    group.edit({ bands: next, times });
  };
  const setTimes = (next: string[]) => {
    group.edit({ bands, times: next });
  };
  const setBand = (i: number, patch: Partial<BandRow>) => {
    setBands(bands.map((b, j) => (j === i ? { ...b, ...patch } : b)));
  };

  /** One typed cell of band `i`: its label (text) or a bound in minutes. */
  const cell = (i: number, key: 'label' | 'from' | 'to', label: string) => {
    const band = bands[i];
    return (
      <td>
        <input
          aria-label={label}
          size={key === 'label' ? 10 : 5}
          inputMode={key === 'label' ? 'text' : 'numeric'}
          value={band?.[key] ?? ''}
          onChange={(e) => {
            setBand(i, { [key]: e.target.value });
          }}
        />
      </td>
    );
  };

  const save = () => {
    group.save({
      extendedReport: {
        bands: bands.map((b) => ({
          id: b.id,
          label: b.label,
          fromMinutes: num(b.from),
          toMinutes: b.to.trim() === '' ? null : num(b.to),
        })),
        presentAt: times,
      },
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
              {cell(i, 'label', t.label)}
              {cell(i, 'from', t.fromMinutes)}
              {cell(i, 'to', t.toMinutes)}
              <td>
                <button
                  type="button"
                  disabled={bands.length <= 1}
                  onClick={() => {
                    setBands(bands.filter((_, j) => j !== i));
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
              }}
            />
            <button
              type="button"
              onClick={() => {
                setTimes(times.filter((_, j) => j !== i));
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
          }}
        >
          {t.addTime}
        </button>
      </div>
      <p className="help">{t.presentAtHelp}</p>
      <SaveRow ids={EXTENDED_REPORT_TEST_IDS} texts={t} state={group} onSave={save} />
    </fieldset>
  );
}
