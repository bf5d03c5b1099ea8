import { v4 } from 'uuid';
import type { LedgerSource } from '../../common/ledger/source.ts';
import { BEGINNING_OF_TIME, type Amendment } from '../../protocol/history.ts';
import type { FacilitySnapshot, FacilitySnapshotInput } from '../../protocol/ledger.ts';
import type { AttendanceEvent } from '../../protocol/schemas.ts';
import { DEFAULT_SETTINGS } from '../../protocol/settings.ts';
import { prng } from '../../common/random.ts';

/**
 * Test and benchmark helpers: a seeded month of a nursery's events, with what was meant to happen
 * (`plan`) kept alongside so that a test can work out the expected ledger on its own.
 */

type ChildInput = FacilitySnapshotInput['children'][number];

/** A snapshot of facility f1 in Tokyo; children's enrolledOn/leftOn default to null (no bound). */
export function baseSnapshot(
  overrides: Partial<Omit<FacilitySnapshot, 'children'>> & { children?: readonly ChildInput[] } = {},
): FacilitySnapshot {
  const { children = [], ...rest } = overrides;
  return {
    facilityId: 'f1',
    facilityName: 'げんかん保育園',
    timeZone: 'Asia/Tokyo',
    careBands: DEFAULT_SETTINGS.careBands,
    extendedCare: DEFAULT_SETTINGS.extendedCare,
    ledger: DEFAULT_SETTINGS.ledger,
    extendedReport: DEFAULT_SETTINGS.extendedReport,
    classes: [],
    retentionYears: 5,
    ...rest,
    children: children.map((c) => ({ ...c, enrolledOn: c.enrolledOn ?? null, leftOn: c.leftOn ?? null })),
  };
}

/** A ledger source of one snapshot in effect for all of history (what a ledger had before versions). */
export function sourceOf(snapshot: FacilitySnapshot, amendments: readonly Amendment[] = []): LedgerSource {
  return { versions: [{ version: 1, effectiveFrom: BEGINNING_OF_TIME, snapshot }], amendments };
}

let seqCounter = 0;

/** An event at local Tokyo time `date` `hh:mm[:ss]`. */
export function tokyoEvent(
  type: AttendanceEvent['type'],
  childId: string,
  date: string,
  time: string,
  extra: Partial<AttendanceEvent> = {},
): AttendanceEvent {
  const hms = time.length === 5 ? `${time}:00` : time;
  return {
    id: v4(),
    type,
    childId,
    occurredAt: `${date}T${hms}+09:00`,
    deviceId: 'kiosk-1',
    seq: ++seqCounter,
    method: 'card',
    actor: 'g001',
    ...extra,
  };
}

export type PlannedDay =
  | { kind: 'none' }
  | { kind: 'absent'; note: string }
  | { kind: 'attend'; in: string; out: string | null; corrected: boolean; notes: string[] };

export interface GeneratedMonth {
  snapshot: FacilitySnapshot;
  /** The month's events, a few of the days around it, and voids filed on later days. */
  events: AttendanceEvent[];
  /** childId → day (1-based) → what the events mean. */
  plan: Map<string, Map<number, PlannedDay>>;
}

const pad = (n: number) => String(n).padStart(2, '0');
/** HH:MM:SS of minute-of-day `m` with `s` seconds. */
const hms = (m: number, s: number) => `${pad(Math.floor(m / 60))}:${pad(m % 60)}:${pad(s)}`;

/**
 * `children` children in `classes` classes over `month` (YYYY-MM, weekdays attended), seeded. Mixed care
 * types, absences, staff corrections (wrong taps voided the same day or the next day, manual check-ins
 * and check-outs with notes, an absence voided when the child came after all), early arrivals, late
 * pickups, arrivals and pickups exactly at and one minute past the grace, missing check-outs, and events
 * on the days just outside the month.
 */
export function generateMonth(
  month: string,
  children: number,
  classes: number,
  seed: number,
): GeneratedMonth {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const kanaSyllables = ['あ', 'い', 'う', 'か', 'さ', 'た', 'な', 'は', 'ま', 'や', 'ら', 'わ'];
  const snapshot = baseSnapshot({
    classes: Array.from({ length: classes }, (_, i) => ({
      id: `k${String(i + 1)}`,
      name: `${pick(['ひよこ', 'りす', 'うさぎ', 'きりん'])}組${String(i + 1)}`,
    })),
    children: Array.from({ length: children }, (_, i) => ({
      id: `c${String(i + 1).padStart(4, '0')}`,
      name: `園児 ${String(i + 1)} 太郎`,
      kana: Array.from({ length: 4 }, () => pick(kanaSyllables)).join(''),
      classId: `k${String((i % classes) + 1)}`,
      careType: rand() < 0.3 ? ('short' as const) : ('standard' as const),
    })),
  });
  const { graceMinutes } = snapshot.extendedCare;
  const [y = 0, mo = 1] = month.split('-').map(Number);
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  const dateOf = (d: number) => new Date(Date.UTC(y, mo - 1, d)).toISOString().slice(0, 10);
  const events: AttendanceEvent[] = [];
  const plan = new Map<string, Map<number, PlannedDay>>();
  const staff = (note?: string): Partial<AttendanceEvent> => ({
    method: 'staff',
    actor: 's001',
    deviceId: 'tablet-1',
    ...(note === undefined ? {} : { note }),
  });

  for (const child of snapshot.children) {
    const band = snapshot.careBands[child.careType];
    const start = Number(band.start.slice(0, 2)) * 60 + Number(band.start.slice(3));
    const end = Number(band.end.slice(0, 2)) * 60 + Number(band.end.slice(3));
    const mine = new Map<number, PlannedDay>();
    plan.set(child.id, mine);
    // Day 0 and day days+1: the neighbouring months, which the ledger must ignore.
    for (let d = 0; d <= days + 1; d++) {
      const date = dateOf(d);
      const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
      if (weekday === 0 || weekday === 6) {
        if (d >= 1 && d <= days) mine.set(d, { kind: 'none' });
        continue;
      }
      const r = rand();
      let planned: PlannedDay;
      if (r < 0.05) {
        const note = pick(['sick: 発熱のため', 'family', 'sick', '=HYPERLINK("x")']);
        events.push(tokyoEvent('absent', child.id, date, hms(int(420, 540), int(0, 59)), staff(note)));
        const shown =
          note === 'sick' || note === 'family' ? note : note.startsWith('sick: ') ? note : `other: ${note}`;
        planned = { kind: 'absent', note: shown };
      } else if (r < 0.08) {
        planned = { kind: 'none' };
      } else {
        // [seconds into the day (a later day counts 86,400 more), text]: sorted into the ledger's order.
        const notes: [number, string][] = [];
        let corrected = false;
        // Arrival: usually inside the band, sometimes early; some exactly at the grace boundary.
        const shape = rand();
        let inM: number;
        let outM: number;
        if (shape < 0.05) {
          inM = start - graceMinutes;
          outM = end + graceMinutes;
        } else if (shape < 0.1) {
          inM = start - graceMinutes - 1;
          outM = end + graceMinutes + 1;
        } else {
          inM = rand() < 0.25 ? int(start - 90, start - 1) : int(start, start + 120);
          outM = rand() < 0.3 ? int(end + 1, Math.min(end + 120, 23 * 60)) : int(end - 240, end);
        }
        const sIn = int(0, 59);
        const sOut = int(0, 59);
        const manualIn = rand() < 0.05;
        const inEvent = tokyoEvent(
          'check_in',
          child.id,
          date,
          hms(inM, sIn),
          manualIn ? staff('手動登園: カード忘れ') : {},
        );
        if (manualIn) {
          corrected = true;
          notes.push([inM * 60 + sIn, '手動登園: カード忘れ']);
        }
        events.push(inEvent);
        // A staff absence before the child came after all, voided (and the void's reason noted).
        if (rand() < 0.03) {
          const ab = tokyoEvent('absent', child.id, date, hms(inM - 30, 0), staff('sick'));
          const vd = tokyoEvent('void', child.id, date, hms(inM - 1, 0), {
            ...staff('来園したため取消'),
            voids: ab.id,
          });
          events.push(ab, vd);
          corrected = true;
          notes.push([(inM - 30) * 60, 'sick'], [(inM - 1) * 60, '来園したため取消']);
        }
        // A wrong tap: a check-in before the real one, voided the same day or on a later day.
        if (rand() < 0.06) {
          const wrong = tokyoEvent('check_in', child.id, date, hms(Math.max(0, inM - int(10, 60)), 0));
          const later = rand() < 0.5;
          const voidDate = later ? dateOf(d + 1) : date;
          const vd = tokyoEvent('void', child.id, voidDate, later ? '09:00:00' : hms(inM, 59), {
            ...staff('誤タップ'),
            voids: wrong.id,
          });
          events.push(wrong, vd);
          corrected = true;
          // The void belongs to the wrong tap's day, after that day's events when filed the next day.
          notes.push([later ? 86_400 + 9 * 3600 : inM * 60 + 59, '誤タップ']);
        }
        // An absence filed after the child came changes nothing.
        // Its note (none: reason `other`) is still shown.
        if (rand() < 0.02) {
          events.push(tokyoEvent('absent', child.id, date, hms(inM + 1, 0), { method: 'pin' }));
          notes.push([(inM + 1) * 60, 'other']);
        }
        const missingOut = rand() < 0.015;
        if (!missingOut) {
          const manualOut = rand() < 0.04;
          if (manualOut) {
            corrected = true;
            notes.push([outM * 60 + sOut, '手動降園']);
          }
          // Sometimes an earlier check-out too: the last one counts.
          if (rand() < 0.05 && outM - inM > 10)
            events.push(tokyoEvent('check_out', child.id, date, hms(inM + 5, 0)));
          events.push(
            tokyoEvent('check_out', child.id, date, hms(outM, sOut), manualOut ? staff('手動降園') : {}),
          );
        }
        planned = {
          kind: 'attend',
          in: hms(inM, 0).slice(0, 5),
          out: missingOut ? null : hms(outM, 0).slice(0, 5),
          corrected,
          notes: notes.sort((a, b) => a[0] - b[0]).map(([, text]) => text),
        };
      }
      if (d >= 1 && d <= days) mine.set(d, planned);
    }
  }
  return { snapshot, events, plan };
}
