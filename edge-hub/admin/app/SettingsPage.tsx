import { useEffect, useState, type ReactNode, type SyntheticEvent } from 'react';
import { ADMIN_TEST_IDS } from '../../../protocol/admin.ts';
import {
  FacilitySettingsSchema,
  ROUNDINGS,
  type FacilitySettings,
  type Rounding,
  type SettingsPatch,
} from '../../../protocol/settings.ts';
import { getRoster, getSettings, patchSettings } from './api.ts';
import type { PageProps } from './App.tsx';
import { fieldErrorOf } from './logic.ts';
import { StaffingSection } from './StaffingSection.tsx';
import { ExtendedReportSection } from './ExtendedReportSection.tsx';
import { LedgerSettingsSection } from './LedgerSettingsSection.tsx';
import type { SettingsMessages } from './settings-messages.ts';

/** The form's values as typed (text), by settings path. */
type Values = Record<string, string>;

function valuesOf(s: FacilitySettings, classIds: readonly string[]): Values {
  const v: Values = {
    facilityName: s.facilityName,
    closingTime: s.closingTime,
    defaultCutoff: s.defaultCutoff,
    'careBands.standard.start': s.careBands.standard.start,
    'careBands.standard.end': s.careBands.standard.end,
    'careBands.short.start': s.careBands.short.start,
    'careBands.short.end': s.careBands.short.end,
    'extendedCare.graceMinutes': String(s.extendedCare.graceMinutes),
    'extendedCare.roundingMinutes': String(s.extendedCare.roundingMinutes),
    'extendedCare.rounding': s.extendedCare.rounding,
    undoWindowMinutes: String(s.undoWindowMinutes),
    reversalGuardMinutes: String(s.reversalGuardMinutes),
  };
  for (const id of classIds) {
    const c = s.classes[id];
    v[`classes.${id}.cutoff`] = c?.cutoff ?? '';
    v[`classes.${id}.maxChildrenPerStaff`] =
      c?.maxChildrenPerStaff == null ? '' : String(c.maxChildrenPerStaff);
  }
  return v;
}

/** A number as typed; text that is not one is sent as is, so that the hub names the field. */
const num = (s: string): number => (s.trim() === '' ? Number.NaN : Number(s));

function patchOf(v: Values, classIds: readonly string[]): SettingsPatch {
  const get = (k: string) => v[k] ?? '';
  return {
    facilityName: get('facilityName'),
    closingTime: get('closingTime'),
    defaultCutoff: get('defaultCutoff'),
    careBands: {
      standard: { start: get('careBands.standard.start'), end: get('careBands.standard.end') },
      short: { start: get('careBands.short.start'), end: get('careBands.short.end') },
    },
    extendedCare: {
      graceMinutes: num(get('extendedCare.graceMinutes')),
      roundingMinutes: num(get('extendedCare.roundingMinutes')),
      rounding: get('extendedCare.rounding') as Rounding,
    },
    undoWindowMinutes: num(get('undoWindowMinutes')),
    reversalGuardMinutes: num(get('reversalGuardMinutes')),
    classes: Object.fromEntries(
      classIds.map((id) => {
        const cutoff = get(`classes.${id}.cutoff`);
        const ratio = get(`classes.${id}.maxChildrenPerStaff`);
        return [
          id,
          { cutoff: cutoff === '' ? null : cutoff, maxChildrenPerStaff: ratio === '' ? null : num(ratio) },
        ];
      }),
    ),
  };
}

/** onSaved: the settings as now stored (the header shows the facility's name). */
export function SettingsPage({
  m,
  onFailure,
  onSaved,
}: PageProps & { onSaved?: (settings: FacilitySettings) => void }) {
  const [settings, setSettings] = useState<FacilitySettings | null>(null);
  const [classes, setClasses] = useState<{ id: string; name: string }[]>([]);
  const [values, setValues] = useState<Values>({});
  // The reason is worded at each render: switching the language rewords a refusal shown.
  const [error, setError] = useState<{ field: string; reason: (t: SettingsMessages) => string } | null>(null);
  const [saved, setSaved] = useState(false);
  const [working, setWorking] = useState(false);
  const s = m.settings;

  useEffect(() => {
    let cancelled = false;
    void Promise.all([getSettings(), getRoster()]).then(([st, ro]) => {
      if (cancelled) return;
      if (!st.ok) {
        onFailure(st.failure);
        return;
      }
      const cls = ro.ok ? ro.value.classes.map((c) => ({ id: c.id, name: c.name })) : [];
      setClasses(cls);
      setSettings(st.value);
      setValues(
        valuesOf(
          st.value,
          cls.map((c) => c.id),
        ),
      );
    });
    return () => {
      cancelled = true;
    };
  }, [onFailure]);

  if (settings === null) return <p>{m.loading}</p>;

  const onSubmit = (e: SyntheticEvent): void => {
    e.preventDefault();
    setSaved(false);
    const ids = classes.map((c) => c.id);
    const patch = patchOf(values, ids);
    // Checked here as the hub checks it (the same schema), so a mistyped guard is named before sending.
    if (!FacilitySettingsSchema.shape.reversalGuardMinutes.safeParse(patch.reversalGuardMinutes).success) {
      setError({ field: 'reversalGuardMinutes', reason: (t) => t.reversalGuardInvalid });
      return;
    }
    setWorking(true);
    void patchSettings(patch).then((r) => {
      setWorking(false);
      if (r.ok) {
        setError(null);
        setSaved(true);
        setSettings(r.value);
        setValues(valuesOf(r.value, ids));
        onSaved?.(r.value);
      } else if (r.failure.kind === 'http' && r.failure.status === 400) {
        // The hub names the field and the problem in params; the English message is the fallback.
        const { code, params, message } = r.failure;
        const english = fieldErrorOf(message);
        const field = params['field'];
        setError({
          field: typeof field === 'string' ? field : english.field,
          reason: (t) => t.refusal(code, params) ?? english.reason,
        });
      } else onFailure(r.failure);
    });
  };

  const fields = new Set(Object.keys(values));
  const errorFor = (name: string): ReactNode =>
    error !== null && error.field === name ? (
      <span className="error" role="alert" data-testid={ADMIN_TEST_IDS.fieldError} data-field={name}>
        {error.reason(s)}
      </span>
    ) : null;
  const input = (name: string, label: string, size = 6) => (
    <label className="field" data-field={name}>
      <span>{label}</span>
      <input
        name={name}
        size={size}
        value={values[name] ?? ''}
        aria-invalid={error?.field === name}
        onChange={(e) => {
          setValues({ ...values, [name]: e.target.value });
          setSaved(false);
        }}
      />
      {errorFor(name)}
    </label>
  );

  return (
    <form className="card settings" data-testid={ADMIN_TEST_IDS.settingsForm} onSubmit={onSubmit}>
      <h2>{s.title}</h2>
      <p className="help">{s.timeZone(settings.timeZone)}</p>
      {error !== null && !fields.has(error.field) && (
        <p className="error" role="alert" data-testid={ADMIN_TEST_IDS.fieldError} data-field={error.field}>
          {error.field === '' ? error.reason(s) : `${error.field}: ${error.reason(s)}`}
        </p>
      )}
      <fieldset>
        {input('facilityName', s.facilityName, 30)}
        <p className="help">{s.facilityNameHelp}</p>
      </fieldset>
      <fieldset>
        {input('closingTime', s.closingTime)}
        {input('defaultCutoff', s.defaultCutoff)}
      </fieldset>
      <fieldset>
        <legend>{s.standardBand}</legend>
        {input('careBands.standard.start', s.start)}
        {input('careBands.standard.end', s.end)}
      </fieldset>
      <fieldset>
        <legend>{s.shortBand}</legend>
        {input('careBands.short.start', s.start)}
        {input('careBands.short.end', s.end)}
      </fieldset>
      <fieldset>
        {input('extendedCare.graceMinutes', s.graceMinutes, 4)}
        {input('extendedCare.roundingMinutes', s.roundingMinutes, 4)}
        <label className="field" data-field="extendedCare.rounding">
          <span>{s.rounding}</span>
          <select
            value={values['extendedCare.rounding'] ?? 'up'}
            onChange={(e) => {
              setValues({ ...values, 'extendedCare.rounding': e.target.value });
            }}
          >
            {ROUNDINGS.map((r) => (
              <option key={r} value={r}>
                {s.roundings[r]}
              </option>
            ))}
          </select>
          {errorFor('extendedCare.rounding')}
        </label>
      </fieldset>
      <fieldset data-testid={ADMIN_TEST_IDS.undoWindow}>
        {input('undoWindowMinutes', s.undoWindowMinutes, 4)}
        <p className="help">{s.undoWindowHelp}</p>
      </fieldset>
      <fieldset>
        {input('reversalGuardMinutes', s.reversalGuardMinutes, 4)}
        <p className="help">{s.reversalGuardHelp}</p>
      </fieldset>
      {classes.map((c) => (
        <fieldset key={c.id}>
          <legend>{c.name}</legend>
          {input(`classes.${c.id}.cutoff`, s.classCutoff)}
          {input(`classes.${c.id}.maxChildrenPerStaff`, s.ratio, 4)}
        </fieldset>
      ))}
      <StaffingSection m={m} onFailure={onFailure} />
      <ExtendedReportSection m={m} onFailure={onFailure} />
      <LedgerSettingsSection m={m} onFailure={onFailure} />
      <div className="row">
        <button
          type="submit"
          className="primary"
          data-testid={ADMIN_TEST_IDS.settingsSave}
          disabled={working}
        >
          {s.save}
        </button>
        {saved && (
          <span className="ok" data-testid={ADMIN_TEST_IDS.settingsSaved}>
            {s.saved}
          </span>
        )}
      </div>
    </form>
  );
}
