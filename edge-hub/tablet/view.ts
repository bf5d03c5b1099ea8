import { parseAbsence } from '../../common/attendance.ts';
import { formatRfc3339, localDate, localTime, offsetMinutes, type Clock } from '../../common/time.ts';
import type {
  AttendanceEvent,
  Correction,
  Counts,
  RollcallStatus,
  TabletChild,
  TabletRollcall,
} from '../../protocol/index.ts';
import {
  childNoticesOn,
  childParentNotice,
  lateAndExpected,
  noticeNamesOf,
  tabletNotices,
} from '../parents/notice-view.ts';
import { tabletPickupPlans } from '../parents/pickup-view.ts';
import { rollcallLayout, sortEvents, voidedIds } from '../rollcall/rollcall.ts';
import { ageGroupOf } from '../staffing/ages.ts';
import { addAgeCounts, classRequirement, emptyAgeCounts, facilityRequirement } from '../staffing/required.ts';
import type { StoreOf } from '../store/hub-store.ts';
import type { RosterData } from '../store/roster.ts';

/** The instant of local time HH:MM on calendar day `date` in `tz` (the later one in a DST overlap). */
export function localInstant(date: string, hhmm: string, tz: string): Date {
  const [y = 0, mo = 1, d = 1] = date.split('-').map(Number);
  const [h = 0, mi = 0] = hhmm.split(':').map(Number);
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  // Twice: the first guess uses the offset at the wrong instant, which differs only near a transition.
  let t = asUtc - offsetMinutes(new Date(asUtc), tz) * 60_000;
  t = asUtc - offsetMinutes(new Date(t), tz) * 60_000;
  return new Date(t);
}

/** True for HH:MM with 00–23 and 00–59. */
export function isValidTime(hhmm: string): boolean {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  return m !== null && Number(m[1]) < 24 && Number(m[2]) < 60;
}

export interface TabletViewSource {
  store: StoreOf<'events' | 'people' | 'settings' | 'parentNotices' | 'pickups'>;
  clock: Clock;
  facilityId: string;
  facilityName: string;
  timeZone: string;
  roster: () => RosterData;
  /** Since when parents' messages have failed to arrive, once that is past the warning's threshold. */
  parentMessagesStalledSince?: () => Date | null;
}

const CORRECTION_KIND = {
  check_in: 'manual_check_in',
  check_out: 'manual_check_out',
  absent: 'absent',
  void: 'void',
} as const;

function emptyCounts(): Counts {
  return { enrolled: 0, expected: 0, present: 0, left: 0, absent: 0, notArrived: 0 };
}

function count(c: Counts, status: RollcallStatus): void {
  switch (status) {
    case 'present':
      c.present++;
      break;
    case 'left':
      c.left++;
      break;
    case 'absent':
      c.absent++;
      break;
    case 'not_arrived':
      c.notArrived++;
      break;
  }
  // Enrolment (在籍) counts every child on today's roster; expected today leaves out the absent.
  c.enrolled++;
  if (status !== 'absent') c.expected++;
}

/** The roll-call's parentMessagesStalledSince: present only while parents' messages do not arrive. */
function stalledField(src: TabletViewSource, timeZone: string): { parentMessagesStalledSince?: string } {
  const since = src.parentMessagesStalledSince?.() ?? null;
  return since === null ? {} : { parentMessagesStalledSince: formatRfc3339(since, timeZone) };
}

/**
 * Today's roll-call as staff see it on a tablet, from the database. The fold follows rollcall.ts `step`
 * (same status and times as the retained roll-call) and keeps the events behind each row as well.
 */
export function buildTabletRollcall(src: TabletViewSource): TabletRollcall {
  const { store, timeZone } = src;
  const now = src.clock.now();
  const date = localDate(now, timeZone);
  const nowHm = localTime(now, timeZone);
  const roster = src.roster();
  const settings = store.settings.facilitySettings();
  const classSettings = store.settings.classSettings();
  const onDuty = store.people.staffOnDuty(date);
  const staffNames = store.people.staffNames();
  const notices = store.parentNotices.forDay(date);
  const noticeOf = childNoticesOn(notices, date);
  const pickupOf = tabletPickupPlans(store, roster, date);
  const guardianNames = new Map(roster.guardians.map((g) => [g.id, g.name]));
  const kanaOf = new Map(roster.children.map((c) => [c.id, c.kana]));
  const ageOf = new Map(roster.children.map((c) => [c.id, ageGroupOf(c.birthDate, date)]));
  const facilityPresent = emptyAgeCounts();
  // Staff entered per class, summed; `entered` false while no class has a count.
  const onDutyTotal = { sum: 0, entered: false };

  const events = store.events.rollcallEventsOn(date);
  const removed = voidedIds(events);
  const byChild = new Map<string, AttendanceEvent[]>();
  for (const e of sortEvents(events)) {
    const list = byChild.get(e.childId);
    if (list) list.push(e);
    else byChild.set(e.childId, [e]);
  }
  const nameOf = (e: AttendanceEvent): string | null => {
    if (e.actor === null) return null;
    if (e.method === 'staff') return staffNames.get(e.actor) ?? e.actor;
    return guardianNames.get(e.actor) ?? staffNames.get(e.actor) ?? e.actor;
  };

  const closingPassed = nowHm >= settings.closingTime;
  const layout = rollcallLayout(roster);
  const total = emptyCounts();
  const attention: TabletRollcall['attention'] = [];
  const classes = layout.classes.map((cls) => {
    const own = classSettings.get(cls.id);
    const cutoff = own?.cutoff ?? settings.defaultCutoff;
    const cutoffPassed = nowHm >= cutoff;
    const counts = emptyCounts();
    const present = emptyAgeCounts();
    const children = cls.children.map(({ id, name }): TabletChild => {
      const list = byChild.get(id) ?? [];
      let status: RollcallStatus = 'not_arrived';
      let inEv: AttendanceEvent | undefined;
      let outEv: AttendanceEvent | undefined;
      let lastEv: AttendanceEvent | undefined;
      let absentEv: AttendanceEvent | undefined;
      const corrections: Correction[] = [];
      for (const e of list) {
        if (e.method === 'staff' || e.type === 'void') {
          const c: Correction = {
            at: formatRfc3339(new Date(e.occurredAt), timeZone),
            by: (e.actor === null ? null : staffNames.get(e.actor)) ?? e.actor ?? e.deviceId,
            kind: CORRECTION_KIND[e.type],
          };
          if (e.note !== undefined) c.note = e.note;
          corrections.push(c);
        }
        if (e.type === 'void' || removed.has(e.id)) continue;
        // rollcall.ts `step`, keeping the events that decide each field.
        switch (e.type) {
          case 'check_in':
            status = 'present';
            inEv ??= e;
            lastEv = e;
            break;
          case 'check_out':
            if (inEv !== undefined) {
              status = 'left';
              outEv = e;
              lastEv = e;
            }
            break;
          case 'absent':
            if (inEv === undefined) {
              status = 'absent';
              absentEv = e;
            }
            break;
        }
      }
      count(counts, status);
      count(total, status);
      if (status === 'present') present[ageOf.get(id) ?? 'unknown']++;
      const parentNotice = noticeOf.get(id);
      // A parent said the child comes late: not unaccounted before the time they gave.
      const unaccounted = cutoffPassed && status === 'not_arrived' && !lateAndExpected(parentNotice, nowHm);
      const stillPresentAtClosing = closingPassed && status === 'present';
      if (unaccounted) attention.push({ childId: id, classId: cls.id, why: 'unaccounted' });
      if (stillPresentAtClosing) attention.push({ childId: id, classId: cls.id, why: 'still_present' });
      return {
        id,
        name,
        kana: kanaOf.get(id) ?? '',
        status,
        checkInAt: inEv ? formatRfc3339(new Date(inEv.occurredAt), timeZone) : null,
        checkOutAt: outEv ? formatRfc3339(new Date(outEv.occurredAt), timeZone) : null,
        method: lastEv?.method ?? null,
        broughtBy: inEv ? nameOf(inEv) : null,
        pickedUpBy: outEv ? nameOf(outEv) : null,
        checkInMethod: inEv?.method ?? null,
        checkOutMethod: outEv?.method ?? null,
        absence: status === 'absent' ? parseAbsence(absentEv?.note) : null,
        corrections,
        unaccounted,
        stillPresentAtClosing,
        checkInEventId: inEv?.id ?? null,
        checkOutEventId: outEv?.id ?? null,
        absentEventId: status === 'absent' ? (absentEv?.id ?? null) : null,
        parentNotice: childParentNotice(parentNotice),
        pickupPlan: pickupOf.get(id) ?? null,
      };
    });
    const staffOnDuty = onDuty.get(cls.id) ?? null;
    const maxChildrenPerStaff = own?.maxChildrenPerStaff ?? null;
    const need = classRequirement(present, settings.staffing.childrenPerStaff, maxChildrenPerStaff);
    addAgeCounts(facilityPresent, present);
    if (staffOnDuty !== null) {
      onDutyTotal.sum += staffOnDuty;
      onDutyTotal.entered = true;
    }
    return {
      id: cls.id,
      name: cls.name,
      cutoff,
      counts,
      staffOnDuty,
      maxChildrenPerStaff,
      overRatio:
        staffOnDuty !== null &&
        maxChildrenPerStaff !== null &&
        counts.present > staffOnDuty * maxChildrenPerStaff,
      staffing: {
        present,
        requiredByAge: need.byAge,
        required: need.required,
        understaffed: staffOnDuty !== null && staffOnDuty < need.required,
      },
      children,
    };
  });
  const facilityRequired = facilityRequirement(facilityPresent, settings.staffing);
  const facilityOnDuty = onDutyTotal.entered ? onDutyTotal.sum : null;
  return {
    facilityId: src.facilityId,
    facilityName: src.facilityName,
    timeZone,
    date,
    generatedAt: formatRfc3339(now, timeZone),
    closingTime: settings.closingTime,
    counts: total,
    staffing: {
      present: facilityPresent,
      required: facilityRequired,
      minimumStaff: settings.staffing.minimumStaff,
      staffOnDuty: facilityOnDuty,
      understaffed: facilityOnDuty !== null && facilityOnDuty < facilityRequired,
    },
    classes,
    attention,
    parentNotices: tabletNotices(notices, noticeNamesOf(roster, staffNames)),
    ...stalledField(src, timeZone),
  };
}
