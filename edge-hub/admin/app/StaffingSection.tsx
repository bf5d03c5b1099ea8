import type { KeyboardEvent } from 'react';
import { STAFFING_AGES, type FacilitySettings } from '../../../protocol/settings.ts';
import type { PageProps } from './App.tsx';
import { num, refusalLine, SaveRow, useSettingsGroup } from './SettingsGroup.tsx';
import { staffingMessages } from './staffing-messages.ts';

type Field = (typeof STAFFING_AGES)[number] | 'minimumStaff';

function valuesOf({ staffing: s }: FacilitySettings): Record<Field, string> {
  return {
    age0: String(s.childrenPerStaff.age0),
    age1: String(s.childrenPerStaff.age1),
    age2: String(s.childrenPerStaff.age2),
    age3: String(s.childrenPerStaff.age3),
    age4plus: String(s.childrenPerStaff.age4plus),
    minimumStaff: String(s.minimumStaff),
  };
}

/**
 * The staffing standard in the settings page (settings `staffing`): children per staff member by age and
 * the least staff on site. Its own save (PATCH of the `staffing` group only), so it sits inside the
 * settings form without taking part in its submit; Enter in its fields saves this section.
 */
export function StaffingSection({ m, onFailure }: PageProps) {
  const t = staffingMessages(m).settings;
  const group = useSettingsGroup(m, onFailure, valuesOf);
  const { form: values, refusal: error } = group;
  if (values === null) return null;

  const save = (): void => {
    group.save({
      staffing: {
        childrenPerStaff: {
          age0: num(values.age0),
          age1: num(values.age1),
          age2: num(values.age2),
          age3: num(values.age3),
          age4plus: num(values.age4plus),
        },
        minimumStaff: num(values.minimumStaff),
      },
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
            group.edit({ ...values, [field]: e.target.value });
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
      <SaveRow
        ids={{ save: 'staffing-save', saved: 'staffing-saved' }}
        texts={t}
        state={group}
        onSave={save}
        error={error !== null && !error.field.startsWith('staffing.') ? refusalLine(error) : null}
      />
    </fieldset>
  );
}
