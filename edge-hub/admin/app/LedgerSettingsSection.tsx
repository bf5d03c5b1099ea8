import { useEffect, useState } from 'react';
import { LEDGER_LANGUAGES, type FacilitySettings, type LedgerSettings } from '../../../protocol/settings.ts';
import { getSettings, patchSettings } from './api.ts';
import type { PageProps } from './App.tsx';
import { LEDGER_SETTINGS_MESSAGES } from './ledger-settings-messages.ts';

/** Hooks of the section for the browser tests. */
export const LEDGER_SETTINGS_TEST_IDS = {
  section: 'ledger-settings-section',
  language: 'ledger-settings-language',
  era: 'ledger-settings-era',
  weekday: 'ledger-settings-weekday',
  holidays: 'ledger-settings-holidays',
  dates: 'ledger-settings-dates',
  save: 'ledger-settings-save',
  saved: 'ledger-settings-saved',
  error: 'ledger-settings-error',
} as const;

/** The closed dates as typed: one a line, blank lines dropped. */
const datesOf = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

/**
 * The ledgers' settings (settings `ledger`): language, Japanese era, closed weekdays, public holidays
 * closed, further closed dates. Inside the settings form but saved on its own (PATCH with `ledger`
 * only; the closed dates replace the stored list); the hub checks them and names the field it refuses.
 */
export function LedgerSettingsSection({ m, onFailure }: PageProps) {
  const t = LEDGER_SETTINGS_MESSAGES[m.intlLocale.startsWith('ja') ? 'ja' : 'en'];
  const [value, setValue] = useState<LedgerSettings | null>(null);
  const [dates, setDates] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [working, setWorking] = useState(false);

  const show = (s: FacilitySettings) => {
    setValue(s.ledger);
    setDates(s.ledger.closedDates.join('\n'));
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

  if (value === null) return null;

  const change = (patch: Partial<LedgerSettings>) => {
    setValue({ ...value, ...patch });
    setSaved(false);
  };
  const toggleWeekday = (day: number, on: boolean) => {
    const rest = value.closedWeekdays.filter((d) => d !== day);
    change({ closedWeekdays: on ? [...rest, day].sort((a, b) => a - b) : rest });
  };

  const save = () => {
    setWorking(true);
    setSaved(false);
    void patchSettings({ ledger: { ...value, closedDates: datesOf(dates) } }).then((r) => {
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
    <fieldset className="ledger-settings" data-testid={LEDGER_SETTINGS_TEST_IDS.section}>
      <legend>{t.title}</legend>
      <p className="help">{t.help}</p>
      <label>
        {t.language}{' '}
        <select
          data-testid={LEDGER_SETTINGS_TEST_IDS.language}
          value={value.language}
          onChange={(e) => {
            const language = LEDGER_LANGUAGES.find((l) => l === e.target.value);
            if (language !== undefined) change({ language });
          }}
        >
          {LEDGER_LANGUAGES.map((l) => (
            <option key={l} value={l}>
              {t.languages[l]}
            </option>
          ))}
        </select>
      </label>
      <label>
        <input
          type="checkbox"
          data-testid={LEDGER_SETTINGS_TEST_IDS.era}
          checked={value.japaneseEra}
          onChange={(e) => {
            change({ japaneseEra: e.target.checked });
          }}
        />{' '}
        {t.japaneseEra}
      </label>
      <div role="group" aria-label={t.closedWeekdays}>
        {t.closedWeekdays}{' '}
        {t.weekdays.map((name, day) => (
          <label key={name}>
            <input
              type="checkbox"
              data-testid={LEDGER_SETTINGS_TEST_IDS.weekday}
              data-weekday={day}
              checked={value.closedWeekdays.includes(day)}
              onChange={(e) => {
                toggleWeekday(day, e.target.checked);
              }}
            />
            {name}
          </label>
        ))}
      </div>
      <label>
        <input
          type="checkbox"
          data-testid={LEDGER_SETTINGS_TEST_IDS.holidays}
          checked={value.closedOnHolidays}
          onChange={(e) => {
            change({ closedOnHolidays: e.target.checked });
          }}
        />{' '}
        {t.closedOnHolidays}
      </label>
      <label>
        {t.closedDates}
        <textarea
          data-testid={LEDGER_SETTINGS_TEST_IDS.dates}
          rows={4}
          cols={14}
          value={dates}
          onChange={(e) => {
            setDates(e.target.value);
            setSaved(false);
          }}
        />
      </label>
      <p className="help">{t.closedDatesHelp}</p>
      <div className="row">
        <button type="button" data-testid={LEDGER_SETTINGS_TEST_IDS.save} disabled={working} onClick={save}>
          {t.save}
        </button>
        {saved && (
          <span className="ok" data-testid={LEDGER_SETTINGS_TEST_IDS.saved}>
            {t.saved}
          </span>
        )}
        {error !== null && (
          <span className="error" role="alert" data-testid={LEDGER_SETTINGS_TEST_IDS.error}>
            {error}
          </span>
        )}
      </div>
    </fieldset>
  );
}
