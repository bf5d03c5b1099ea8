import { useEffect, useState, type KeyboardEvent } from 'react';
import { STAFFING_AGES, type Staffing } from '../../../protocol/settings.ts';
import { getSettings, patchSettings } from './api.ts';
import type { PageProps } from './App.tsx';
import { fieldErrorOf } from './logic.ts';
import { staffingMessages } from './staffing-messages.ts';

type Field = (typeof STAFFING_AGES)[number] | 'minimumStaff';

function valuesOf(s: Staffing): Record<Field, string> {
  return {
    age0: String(s.childrenPerStaff.age0),
    age1: String(s.childrenPerStaff.age1),
    age2: String(s.childrenPerStaff.age2),
    age3: String(s.childrenPerStaff.age3),
    age4plus: String(s.childrenPerStaff.age4plus),
    minimumStaff: String(s.minimumStaff),
  };
}

/** A number as typed; text that is not one is sent as is (NaN), so that the hub names the field. */
const num = (s: string): number => (s.trim() === '' ? Number.NaN : Number(s));

/**
 * The staffing standard in the settings page (settings `staffing`): children per staff member by age and
 * the least staff on site. Its own save (PATCH of the `staffing` group only), so it sits inside the
 * settings form without taking part in its submit; Enter in its fields saves this section.
 */
export function StaffingSection({ m, onFailure }: PageProps) {
  const [values, setValues] = useState<Record<Field, string> | null>(null);
  const [error, setError] = useState<{ field: string; reason: string } | null>(null);
  const [saved, setSaved] = useState(false);
  const [working, setWorking] = useState(false);
  const t = staffingMessages(m).settings;

  useEffect(() => {
    let cancelled = false;
    void getSettings().then((r) => {
      if (cancelled) return;
      if (r.ok) setValues(valuesOf(r.value.staffing));
      else onFailure(r.failure);
    });
    return () => {
      cancelled = true;
    };
  }, [onFailure]);

  if (values === null) return null;

  const save = (): void => {
    setSaved(false);
    setWorking(true);
    const staffing = {
      childrenPerStaff: {
        age0: num(values.age0),
        age1: num(values.age1),
        age2: num(values.age2),
        age3: num(values.age3),
        age4plus: num(values.age4plus),
      },
      minimumStaff: num(values.minimumStaff),
    };
    void patchSettings({ staffing }).then((r) => {
      setWorking(false);
      if (r.ok) {
        setError(null);
        setSaved(true);
        setValues(valuesOf(r.value.staffing));
      } else if (r.failure.kind === 'http' && r.failure.status === 400) {
        // The field from the error's params when the hub gives it, else from its English message.
        const english = fieldErrorOf(r.failure.message);
        const field = r.failure.params['field'];
        setError({ field: typeof field === 'string' ? field : english.field, reason: english.reason });
      } else onFailure(r.failure);
    });
  };
  const onKey = (e: KeyboardEvent): void => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    save();
  };
  const input = (field: Field, label: string) => {
    const path = field === 'minimumStaff' ? 'staffing.minimumStaff' : `staffing.childrenPerStaff.${field}`;
    return (
      <label className="field" data-field={path} key={field}>
        <span>{label}</span>
        <input
          name={path}
          size={4}
          inputMode="decimal"
          value={values[field]}
          aria-invalid={error?.field === path}
          onKeyDown={onKey}
          onChange={(e) => {
            setValues({ ...values, [field]: e.target.value });
            setSaved(false);
          }}
        />
        {error?.field === path && (
          <span className="error" role="alert" data-field={path}>
            {error.reason}
          </span>
        )}
      </label>
    );
  };

  return (
    <fieldset data-testid="staffing-section">
      <legend>{t.title}</legend>
      <p className="help">{t.help}</p>
      {STAFFING_AGES.map((g) => input(g, t.perStaff[g]))}
      {input('minimumStaff', t.minimumStaff)}
      {error !== null && !error.field.startsWith('staffing.') && (
        <p className="error" role="alert">
          {error.field === '' ? error.reason : `${error.field}: ${error.reason}`}
        </p>
      )}
      <div className="row">
        <button type="button" data-testid="staffing-save" disabled={working} onClick={save}>
          {t.save}
        </button>
        {saved && (
          <span className="ok" data-testid="staffing-saved">
            {t.saved}
          </span>
        )}
      </div>
    </fieldset>
  );
}
