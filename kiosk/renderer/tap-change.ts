import type { TapChange } from '../common/tap-messages.ts';
import type { TapView } from '../common/ui-api.ts';

type OkTap = Extract<TapView, { result: 'ok' }>;

/**
 * What an update of the tap on screen did, from the tap before and after: the screen says it in words
 * ("○○さんの登園を取り消しました"). One command changes one thing, so one change is reported.
 */
export function changeOf(before: OkTap, after: OkTap): TapChange | null {
  const prev = new Map(before.children.map((c) => [c.childId, c]));
  const flipped: { name: string; from: OkTap['children'][number]['direction'] }[] = [];
  const cancelled: OkTap['children'] = [];
  const recorded: OkTap['children'] = [];
  for (const c of after.children) {
    const p = prev.get(c.childId);
    if (!p) continue;
    if (p.included && c.included && p.direction !== c.direction)
      flipped.push({ name: c.name, from: p.direction });
    else if (p.included && !c.included) cancelled.push(p);
    else if (!p.included && c.included) recorded.push(c);
  }
  const first = flipped[0];
  if (first) {
    return {
      kind: 'flipped',
      names: flipped.map((f) => f.name),
      from: first.from,
      to: first.from === 'check_in' ? 'check_out' : 'check_in',
    };
  }
  const out = cancelled[0];
  if (out) return { kind: 'cancelled', names: cancelled.map((c) => c.name), type: out.direction };
  const added = recorded[0];
  if (added) return { kind: 'recorded', names: recorded.map((c) => c.name), type: added.direction };
  return null;
}

/** The undo of a whole tap: the children it had recorded. */
export function undoneChange(tap: OkTap): TapChange | null {
  const included = tap.children.filter((c) => c.included);
  const first = included[0];
  return first ? { kind: 'cancelled', names: included.map((c) => c.name), type: first.direction } : null;
}
