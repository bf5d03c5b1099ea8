import { LEDGER_LANGUAGES, type FacilitySettings, type LedgerSettings } from '../../../protocol/settings.ts';
import type { PageProps } from './App.tsx';
import { LEDGER_SETTINGS_MESSAGES } from './ledger-settings-messages.ts';
import { SaveRow, useSettingsGroup } from './SettingsGroup.tsx';

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

/** The form: the settings as they are, the closed dates as text. */
interface LedgerForm {
  value: LedgerSettings;
  dates: string;
}
const formOf = (s: FacilitySettings): LedgerForm => ({
  value: s.ledger,
  dates: s.ledger.closedDates.join('\n'),
});

/**
 * The ledgers' settings (settings `ledger`): language, Japanese era, closed weekdays, public holidays
 * closed, further closed dates. Inside the settings form but saved on its own (PATCH with `ledger`
 * only; the closed dates replace the stored list); the hub checks them and names the field it refuses.
 */
export function LedgerSettingsSection({ m, onFailure }: PageProps) {
  const t = LEDGER_SETTINGS_MESSAGES[m.intlLocale.startsWith('ja') ? 'ja' : 'en'];
  const group = useSettingsGroup(m, onFailure, formOf);
  const { form } = group;
  if (form === null) return null;
  const { value, dates } = form;

  const change = (patch: Partial<LedgerSettings>) => {
    group.edit({ value: { ...value, ...patch }, dates });
  };
  const toggleWeekday = (day: number, on: boolean) => {
    const rest = value.closedWeekdays.filter((d) => d !== day);
    change({ closedWeekdays: on ? [...rest, day].sort((a, b) => a - b) : rest });
  };
  const save = () => {
    group.save({ ledger: { ...value, closedDates: datesOf(dates) } });
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
            group.edit({ value, dates: e.target.value });
          }}
        />
      </label>
      <p className="help">{t.closedDatesHelp}</p>
      <SaveRow ids={LEDGER_SETTINGS_TEST_IDS} texts={t} state={group} onSave={save} />
    </fieldset>
  );
}
