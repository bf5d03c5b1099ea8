import { useState } from 'react';
import { STAFFING_AGES } from '../../../protocol/settings.ts';
import type { AgeCounts, FacilityStaffing } from '../../../protocol/staffing.ts';
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

/** The children present by age group, e.g. 「0歳 2・1歳 5」; groups with nobody are left out. */
function AgesLine(props: { present: AgeCounts; messages: Messages }) {
  const { present, messages: m } = props;
  const parts = STAFFING_AGES.filter((g) => present[g] > 0).map((g) => m.staffing.age(g, present[g]));
  if (parts.length === 0) return null;
  return <span className="class__ages">{parts.join(m.staffing.separator)}</span>;
}

/** Children present whose age the roster does not give: counted apart, never guessed. */
function AgeUnknown(props: { n: number; messages: Messages }) {
  if (props.n === 0) return null;
  return (
    <p className="class__unknown" data-testid={TABLET_TEST_IDS.ageUnknown} data-count={props.n}>
      {props.messages.staffing.ageUnknown(props.n)}
    </p>
  );
}

/** The whole facility against the standard, in the "all classes" card. */
function FacilityLine(props: { staffing: FacilityStaffing; messages: Messages }) {
  const { staffing: f, messages: m } = props;
  return (
    <div
      className={`class__need${f.understaffed ? ' class__need--short' : ''}`}
      data-testid={TABLET_TEST_IDS.facilityStaffing}
      data-required-staff={f.required}
      data-staff-on-duty={f.staffOnDuty ?? ''}
      data-understaffed={f.understaffed}
    >
      <span>{m.staffing.facility(f.required, f.minimumStaff, f.staffOnDuty)}</span>
      <AgesLine present={f.present} messages={m} />
    </div>
  );
}

export function ClassCard(props: {
  name: string;
  cls?: TabletClass;
  /** The "all classes" card shows the facility's staffing line. */
  facility?: FacilityStaffing;
  counts: Counts;
  selected: boolean;
  messages: Messages;
  onSelect: () => void;
  onUnauthorized?: () => void;
}) {
  const { cls, counts, messages: m } = props;
  const [saving, setSaving] = useState(false);
  const [failed, setFailed] = useState(false);
  const staffing = cls?.staffing;
  const alert = cls === undefined ? props.facility?.understaffed === true : cls.staffing.understaffed;

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
      data-required-staff={staffing?.required ?? props.facility?.required}
      data-staff-on-duty={cls === undefined ? undefined : (cls.staffOnDuty ?? '')}
      data-understaffed={alert}
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
      {staffing !== undefined && (
        <div className="class__need" data-testid="required-staff">
          <span>{m.staffing.required(staffing.required)}</span>
          <AgesLine present={staffing.present} messages={m} />
        </div>
      )}
      {cls === undefined && props.facility !== undefined && (
        <FacilityLine staffing={props.facility} messages={m} />
      )}
      {staffing !== undefined && <AgeUnknown n={staffing.present.unknown} messages={m} />}
      {cls !== undefined && alert && (
        <p className="class__warn" role="alert" data-testid="over-ratio">
          {cls.overRatio
            ? m.overRatio(cls.maxChildrenPerStaff)
            : m.staffing.understaffed(staffing?.required ?? 0, cls.staffOnDuty ?? 0)}
        </p>
      )}
      {cls === undefined && alert && props.facility !== undefined && (
        <p className="class__warn" role="alert" data-testid="over-ratio">
          {m.staffing.understaffed(props.facility.required, props.facility.staffOnDuty ?? 0)}
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
    { id: null, name: m.allClasses, counts: rollcall.counts, alert: rollcall.staffing.understaffed },
    ...rollcall.classes.map((c: TabletClass) => ({
      id: c.id,
      name: c.name,
      counts: c.counts,
      alert: c.staffing.understaffed,
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
