import type { ReactNode } from 'react';
import { PARENT_TEST_IDS } from '../../../protocol/parents.ts';

/** A labelled field: one column, the label above, so that a thumb reaches every input. */
export function Field(props: { id: string; label: string; hint?: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      {props.children}
      {props.hint !== undefined && <p className="hint">{props.hint}</p>}
    </div>
  );
}

/** A page's or form's error line, when there is one (every screen's error has the one test id). */
export function ErrorLine(props: { text: string | null }) {
  return props.text === null ? null : (
    <p className="error" role="alert" data-testid={PARENT_TEST_IDS.error}>
      {props.text}
    </p>
  );
}

/** `list` with `item` in (at the end) or out. */
export const toggled = <T,>(list: readonly T[], item: T, on: boolean): T[] =>
  on ? [...list.filter((x) => x !== item), item] : list.filter((x) => x !== item);
