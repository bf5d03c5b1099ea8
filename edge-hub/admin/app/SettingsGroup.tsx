import { useCallback, useState } from 'react';
import type { FacilitySettings, SettingsPatch } from '../../../protocol/settings.ts';
import type { ApiFailure } from '../../../ui/http-client.ts';
import { getSettings, patchSettings } from './api.ts';
import { fieldErrorOf } from './logic.ts';
import type { Messages } from './messages.ts';
import { useLoaded } from './use-loaded.ts';

/**
 * What the settings page's own-save sections (ledger, extended-care report, staffing) share: loading the
 * settings into a form, saving one group (PATCH with that group only), and the refusal the hub names a
 * field in. Each section keeps only its fields.
 */

/** A setting the hub refused: the field it names (settings path, or '') and the reason worded. */
export interface GroupRefusal {
  field: string;
  reason: string;
}

/** A number as typed; text that is not one is sent as is (NaN), so that the hub names the field. */
export const num = (s: string): number => (s.trim() === '' ? Number.NaN : Number(s));

/**
 * One settings group edited in a form of type F (`formOf` the stored settings; module-level, so that it
 * is stable): `edit` changes the form, `save` sends the group's patch and shows what the hub kept.
 */
export function useSettingsGroup<F>(
  m: Messages,
  onFailure: (failure: ApiFailure) => void,
  formOf: (s: FacilitySettings) => F,
) {
  const load = useCallback(async () => {
    const r = await getSettings();
    return r.ok ? { ok: true as const, value: formOf(r.value) } : r;
  }, [formOf]);
  const [form, setForm] = useLoaded(load, onFailure);
  const [refusal, setRefusal] = useState<GroupRefusal | null>(null);
  const [saved, setSaved] = useState(false);
  const [working, setWorking] = useState(false);

  const edit = (next: F): void => {
    setForm(next);
    setSaved(false);
  };
  const save = (patch: SettingsPatch): void => {
    setWorking(true);
    setSaved(false);
    void patchSettings(patch).then((r) => {
      setWorking(false);
      if (r.ok) {
        setRefusal(null);
        setSaved(true);
        setForm(formOf(r.value));
      } else if (r.failure.kind === 'http' && r.failure.status === 400) {
        // The field from the error's params when the hub gives it, else from its English message.
        const { code, params, message } = r.failure;
        const english = fieldErrorOf(message);
        const field = typeof params['field'] === 'string' ? params['field'] : english.field;
        setRefusal({ field, reason: m.settings.refusal(code, params) ?? english.reason });
      } else onFailure(r.failure);
    });
  };
  return { form, edit, save, saved, working, refusal };
}

/** A refusal as one line: its reason, after the field when the reason does not sit next to it. */
export const refusalLine = (r: GroupRefusal): string =>
  r.field === '' ? r.reason : `${r.field}: ${r.reason}`;

/** The section's save button, its "saved" note and its refusal line, with the section's test hooks. */
export function SaveRow(props: {
  ids: { save: string; saved: string; error?: string };
  texts: { save: string; saved: string };
  state: { working: boolean; saved: boolean; refusal: GroupRefusal | null };
  onSave: () => void;
  /** The refusal line: by default the whole refusal; null when the fields show it. */
  error?: string | null;
}) {
  const { ids, texts, state } = props;
  const error = props.error === undefined ? state.refusal && refusalLine(state.refusal) : props.error;
  return (
    <div className="row">
      <button type="button" data-testid={ids.save} disabled={state.working} onClick={props.onSave}>
        {texts.save}
      </button>
      {state.saved && (
        <span className="ok" data-testid={ids.saved}>
          {texts.saved}
        </span>
      )}
      {error !== null && (
        <span className="error" role="alert" data-testid={ids.error}>
          {error}
        </span>
      )}
    </div>
  );
}
