import { useEffect, useState } from 'react';
import { getOpenDays } from './api.ts';
import type { PageProps } from './App.tsx';
import { HISTORY_TEST_IDS as T, monthOf, previousMonth } from './history-logic.ts';
import { todayIso } from './logic.ts';

/** The overview's box: how many open days this month and last month have, with a link to fix them. */
export function OpenDaysSummary({ m, onFailure }: PageProps) {
  const [counts, setCounts] = useState<{ current: number; previous: number } | null>(null);
  const current = monthOf(todayIso());
  const previous = previousMonth(current);
  const o = m.history.overview;

  useEffect(() => {
    let cancelled = false;
    void Promise.all([getOpenDays(current), getOpenDays(previous)]).then(([a, b]) => {
      if (cancelled) return;
      if (a.ok && b.ok) setCounts({ current: a.value.openDays.length, previous: b.value.openDays.length });
      else if (!a.ok) onFailure(a.failure);
      else if (!b.ok) onFailure(b.failure);
    });
    return () => {
      cancelled = true;
    };
  }, [current, previous, onFailure]);

  if (counts === null) return null;
  const any = counts.current + counts.previous > 0;
  return (
    <section
      className="card"
      data-testid={T.openDaysSummary}
      data-current={String(counts.current)}
      data-previous={String(counts.previous)}
    >
      <h2>{o.title}</h2>
      <p className={any ? 'error' : 'muted'}>
        {o.count(current, counts.current)} · {o.count(previous, counts.previous)}
      </p>
      {any && <a href="#open-days">{o.link}</a>}
    </section>
  );
}
