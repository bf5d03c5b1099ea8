import type { ReactNode } from 'react';

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

/** `list` with `item` in (at the end) or out. */
export const toggled = <T,>(list: readonly T[], item: T, on: boolean): T[] =>
  on ? [...list.filter((x) => x !== item), item] : list.filter((x) => x !== item);
