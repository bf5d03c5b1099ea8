import { useState } from 'react';
import {
  TABLET_TEST_IDS,
  type Counts,
  type TabletClass,
  type TabletRollcall,
} from '../../../protocol/tablet.ts';
import { isUnauthorized, putStaffOnDuty } from './api.ts';
import type { Messages } from './messages.ts';

/** The counts and the class filters: cards with the staff stepper (full view) or one line of chips. */

export function CountsBar(props: { counts: Counts; messages: Messages }) {
  const { counts, messages: m } = props;
  // 在籍 is enrolment: an absent child still counts there, and once more under 欠席.
  const items: [keyof Counts, string][] = [
    ['enrolled', m.counts.enrolled],
    ['present', m.counts.present],
    ['notArrived', m.counts.notArrived],
    ['left', m.counts.left],
    ['absent', m.counts.absent],
  ];
  return (
    <dl className="counts" data-testid="counts">
      {items.map(([key, label]) => (
        <div key={key} className={`counts__item counts__item--${key}`} data-count={key}>
          <dt>{label}</dt>
          <dd>{counts[key]}</dd>
        </div>
      ))}
    </dl>
  );
}

export function ClassCard(props: {
  name: string;
  cls?: TabletClass;
  counts: Counts;
  selected: boolean;
  messages: Messages;
  onSelect: () => void;
  onUnauthorized?: () => void;
}) {
  const { cls, counts, messages: m } = props;
  const [saving, setSaving] = useState(false);
  const [failed, setFailed] = useState(false);
  const alert = cls?.overRatio === true;

  const setStaff = async (count: number): Promise<void> => {
    if (cls === undefined) return;
    setSaving(true);
    setFailed(false);
    const result = await putStaffOnDuty(cls.id, count);
    setSaving(false);
    if (!result.ok) {
      if (isUnauthorized(result.failure)) props.onUnauthorized?.();
      else setFailed(true);
    }
  };

  return (
    <div
      className={`class${props.selected ? ' class--selected' : ''}${alert ? ' class--alert' : ''}`}
      data-testid="class-card"
      data-class-id={cls?.id ?? 'all'}
    >
      <button
        type="button"
        className="class__select"
        data-testid={TABLET_TEST_IDS.classFilter}
        data-class-id={cls?.id ?? 'all'}
        aria-pressed={props.selected}
        onClick={props.onSelect}
      >
        <span className="class__name">{props.name}</span>
        <span className="class__ratio">
          <strong>{counts.present}</strong>/{counts.enrolled}
        </span>
        {counts.notArrived > 0 && (
          <span className="class__waiting">
            {m.counts.notArrived} {counts.notArrived}
          </span>
        )}
      </button>
      {cls !== undefined && (
        <div className="class__staff">
          <span className="class__staff-label">{m.staffOnDuty}</span>
          <button
            type="button"
            className="step"
            aria-label={m.staffMinus}
            disabled={saving || (cls.staffOnDuty ?? 0) <= 0}
            onClick={() => {
              void setStaff((cls.staffOnDuty ?? 0) - 1);
            }}
          >
            −
          </button>
          <span className="class__staff-count" data-testid="staff-on-duty">
            {cls.staffOnDuty ?? m.staffUnset}
          </span>
          <button
            type="button"
            className="step"
            aria-label={m.staffPlus}
            disabled={saving || (cls.staffOnDuty ?? 0) >= 50}
            onClick={() => {
              void setStaff((cls.staffOnDuty ?? 0) + 1);
            }}
          >
            +
          </button>
        </div>
      )}
      {alert && (
        <p className="class__warn" role="alert" data-testid="over-ratio">
          {m.overRatio(cls.maxChildrenPerStaff)}
        </p>
      )}
      {failed && <p className="class__warn">{m.staffFailed}</p>}
    </div>
  );
}

/**
 * The compact view's class filter: one line of chips (name, present/enrolled), so that the children get
 * the screen. The staff stepper stays in the full view's cards.
 */
export function ClassChips(props: {
  rollcall: TabletRollcall;
  classId: string | null;
  messages: Messages;
  onSelect: (classId: string | null) => void;
}) {
  const { rollcall, messages: m } = props;
  const chips: { id: string | null; name: string; counts: Counts; alert: boolean }[] = [
    { id: null, name: m.allClasses, counts: rollcall.counts, alert: false },
    ...rollcall.classes.map((c: TabletClass) => ({
      id: c.id,
      name: c.name,
      counts: c.counts,
      alert: c.overRatio,
    })),
  ];
  return (
    <nav className="chips" aria-label={m.compact.classes}>
      {chips.map((c) => (
        <button
          key={c.id ?? 'all'}
          type="button"
          className={`chips__item${c.alert ? ' chips__item--alert' : ''}`}
          data-testid={TABLET_TEST_IDS.classFilter}
          data-class-id={c.id ?? 'all'}
          aria-pressed={props.classId === c.id}
          onClick={() => {
            props.onSelect(c.id);
          }}
        >
          <span className="chips__name">{c.name}</span>
          <span className="chips__ratio">
            {c.counts.present}/{c.counts.enrolled}
          </span>
        </button>
      ))}
    </nav>
  );
}
