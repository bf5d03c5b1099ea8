import type { ReactNode } from 'react';

/** A table's head: one row of column titles (an empty one for a column of buttons). */
export function HeadRow({ cells }: { cells: readonly ReactNode[] }) {
  return (
    <thead>
      <tr>
        {cells.map((c, i) => (
          <th key={i}>{c}</th>
        ))}
      </tr>
    </thead>
  );
}
