import { errorText } from '../../../protocol/error-catalogue.ts';
import type { Messages } from './messages.ts';

/** The tablet's English texts. */

/** Confirmed by 佐藤 at 10:02: a parent's notice or pickup plan confirmed, with who and when where known. */
function confirmedEn(by: string | null, t: string | null): string {
  return `Confirmed${by === null ? '' : ` by ${by}`}${t === null ? '' : ` at ${t}`}`;
}

const NOTICE_NOT_FOUND_EN = 'This notice was not found (it may have been withdrawn).';

/** Why a confirmation did not go through: the catalogue's text for the code, else these; `notFound` for a 404. */
function confirmFailedEn(code: string, status: number | null, notFound?: string): string {
  const known = errorText('en', code);
  if (known !== undefined) return known;
  if (code === 'network') return 'Cannot reach the hub. Press “Confirm” again.';
  if (status === 404 && notFound !== undefined) return notFound;
  return `Not confirmed (${code}${status === null ? '' : ` / ${String(status)}`}).`;
}

const CODE_EN: Readonly<Record<string, string>> = {
  unknown_child: 'This child is not on the roster.',
  unknown_event: 'The record to remove was not found (it may have been removed already).',
  forbidden: 'You are not allowed to do this.',
  bad_request: 'Please check what you entered.',
  invalid_event: 'Please check what you entered.',
  too_many_requests: 'Too many requests. Wait a moment and try again.',
  future_time: 'That time has not come yet.',
  bad_date: 'Choose today or a later day for the absence, and a last day on or after it (up to 31 days).',
  already_voided: 'This record was removed already.',
  event_id_in_use: 'Duplicate request. Close this and try again.',
};

export const en: Messages = {
  intlLocale: 'en-GB',
  langToggle: '日本語',
  langToggleLabel: '日本語に切り替え',
  appName: 'Genkan for staff',
  loading: 'Loading…',
  signIn: {
    title: 'Staff sign-in',
    sub: 'Enter your staff ID and PIN',
    staffId: 'Staff ID',
    pin: 'PIN (digits)',
    submit: 'Sign in',
    working: 'Checking…',
    error: (e) => {
      switch (e.kind) {
        case 'bad_credentials':
          return 'Wrong staff ID or PIN.';
        case 'too_many':
          return e.retryAfterSeconds === null
            ? 'Too many attempts. Wait a while, then try again.'
            : `Too many attempts. Try again in ${waitEn(e.retryAfterSeconds)}.`;
        case 'device_not_set_up':
          return 'This tablet is not set up yet. An admin must set it up with a pairing QR code.';
        case 'session_ended':
          return 'Your session ended. Please sign in again.';
        case 'unreachable':
          return 'Cannot reach the hub. Check the Wi-Fi.';
        case 'other':
          return `Could not sign in (${e.code}).`;
      }
    },
  },
  setup: (s) => {
    switch (s.status) {
      case 'working':
        return `Setting up this tablet as “${s.deviceId}”…`;
      case 'done':
        return `This tablet is set up as “${s.deviceId}”. Sign in with your staff ID.`;
      case 'failed':
        switch (s.reason) {
          case 'invalid_link':
            return 'The pairing link cannot be read. Ask an admin for a new pairing QR code.';
          case 'code_refused':
            return 'The pairing code is not valid (used, expired or for another device). Ask an admin for a new QR code.';
          case 'unreachable':
            return 'Could not reach the hub to set up this tablet. Check the Wi-Fi and open the QR code again.';
          case 'other':
            return 'This tablet could not be set up. Please contact an admin.';
        }
    }
  },
  signedInAs: (name) => name,
  signOut: 'Sign out',
  stale: 'No answer from the hub. What you see may be out of date',
  staleSince: (t) => (t === null ? 'Never updated' : `Last update ${t}`),
  parentsStalled: (since) => `Parents' messages not arriving since ${since}: check by phone`,
  offline: 'Connecting…',
  attentionTitle: (n) => `Find ${n} ${n === 1 ? 'child' : 'children'} now`,
  attentionNone: 'Every child is accounted for',
  why: { unaccounted: 'Unaccounted', still_present: 'Still here after closing' },
  counts: {
    enrolled: 'Enrolled',
    present: 'Present',
    left: 'Gone home',
    absent: 'Absent',
    notArrived: 'Not arrived',
  },
  allClasses: 'All',
  search: 'Search name or kana',
  sort: { class: 'By class', status: 'By status' },
  sortLabel: 'Sort',
  noChildren: 'No matching children',
  status: { not_arrived: 'Not arrived', present: 'Present', left: 'Gone home', absent: 'Absent' },
  checkIn: (t) => `In ${t}`,
  checkOut: (t) => `Out ${t}`,
  method: { card: 'card', qr: 'QR', pin: 'PIN', staff: 'staff', parent: 'parent notice' },
  broughtBy: (n) => `Brought by ${n}`,
  pickedUpBy: (n) => `Picked up by ${n}`,
  staffEntry: (n) => `Staff entry: ${n}`,
  compact: {
    toggle: 'Compact view',
    classes: 'Classes',
    open: (n) => `Records and actions for ${n}`,
    close: 'Close',
    noActions: 'Nothing to do for this child',
  },
  reason: { sick: 'Sick', family: 'Family', other: 'Other' },
  corrected: 'Corrected',
  correction: {
    manual_check_in: 'manual check-in',
    manual_check_out: 'manual check-out',
    absent: 'marked absent',
    void: 'removed',
  },
  correctionLine: (kind, by, time) => `${time} ${kind} (${by})`,
  cutoff: (t) => `cut-off ${t}`,
  staffOnDuty: 'Staff',
  staffUnset: 'not set',
  staffMinus: 'One staff member fewer',
  staffPlus: 'One staff member more',
  overRatio: (n) =>
    n === null ? 'Over the staff ratio' : `Over the staff ratio (max ${n} per staff member)`,
  ratio: (n) => `max ${n} per staff`,
  staffing: {
    required: (n) => `Required ${n}`,
    age: (g, n) =>
      `${{ age0: 'age 0', age1: 'age 1', age2: 'age 2', age3: 'age 3', age4plus: 'age 4–5' }[g]}: ${n}`,
    separator: ', ',
    ageUnknown: (n) => `${n} of unknown age (no birth date on the roster)`,
    facility: (req, min, on) =>
      `Facility: ${req} required (min ${min}), ${on === null ? 'staff not set' : `${on} on duty`}`,
    understaffed: (req, on) => `Understaffed: ${on} on duty, ${req} required`,
  },
  action: {
    check_in: 'Check in',
    check_out: 'Check out',
    absent: 'Absent',
    void_check_in: 'Undo check-in',
    void_check_out: 'Undo check-out',
    void_absent: 'Undo absence',
  },
  dialog: {
    title: {
      check_in: 'Record check-in',
      check_out: 'Record check-out',
      absent: 'Record absence',
      void_check_in: 'Remove the check-in',
      void_check_out: 'Remove the check-out',
      void_absent: 'Remove the absence',
    },
    timeLabel: 'Time',
    timeNow: 'Now',
    timeHint: 'For a forgotten tap, enter the real time',
    noteLabel: 'Note',
    noteOptional: ' (optional)',
    reasonLabel: 'Reason',
    voidReasonLabel: 'Why remove it (required)',
    voidReasonHint: 'e.g. tapped with another child’s card',
    voidWhat: {
      void_check_in: (t) => `The check-in at ${t ?? ''} will be removed.`,
      void_check_out: (t) => `The check-out at ${t ?? ''} will be removed.`,
      void_absent: () => 'Today’s absence will be removed.',
    },
    dateLabel: 'Day of absence',
    untilLabel: 'Last day (absent until)',
    untilHint: 'Leave it on the same day for one day; for several days choose the last one (up to 31 days)',
    badRange: 'Choose a last day on or after the day of absence, at most 31 days in all.',
    confirm: 'Record',
    cancel: 'Cancel',
    sending: 'Sending…',
    badTime: 'Enter the time as HH:MM.',
    needReason: 'Please enter a reason.',
    failed: (code, status) =>
      CODE_EN[code] ??
      errorText('en', code) ??
      (code === 'network'
        ? 'Cannot reach the hub. Press “Record” again (it will not be recorded twice).'
        : `Not recorded (${code}${status === null ? '' : ` / ${status}`}).`),
    retry: 'Try again',
  },
  staffFailed: 'Could not save the staff count.',
  notices: {
    title: 'Notices from parents',
    unread: (n) => (n === 0 ? 'all confirmed' : `${n} to confirm`),
    total: (n) => `${n} in all`,
    none: 'No notices from parents',
    show: 'Show',
    hide: 'Hide',
    kind: { absence: 'Absence', late: 'Late arrival' },
    today: 'Today',
    tomorrow: 'Tomorrow',
    yesterday: 'Yesterday',
    date: (mo, d, wd) =>
      `${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][wd] ?? ''} ${d} ${
        ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][mo - 1] ?? ''
      }`,
    range: (from, until) => `${from} – ${until}`,
    arriveAt: (t) => `arriving ${t}`,
    symptom: {
      fever: 'fever',
      cough: 'cough',
      runny_nose: 'runny nose',
      vomiting: 'vomiting',
      diarrhea: 'diarrhoea',
      rash: 'rash',
      other: 'other',
    },
    symptomsSeparator: ', ',
    temperature: (c) => `${c.toFixed(1)}℃`,
    sentBy: (g, when) => `From ${g}, ${when}`,
    confirm: 'Confirm',
    confirming: 'Sending…',
    confirmLabel: (names) => `Confirm the notice for ${names}`,
    unconfirmed: 'Not confirmed',
    confirmed: confirmedEn,
    failed: (code, status) => confirmFailedEn(code, status, NOTICE_NOT_FOUND_EN),
    badgeAbsence: (r) => `Absence notice (${r})`,
    badgeLate: (t) => (t === null ? 'Late notice' : `Late, arriving ${t}`),
    fromParent: 'From the parent',
    stalled: (since) =>
      `Parents' messages (absences, lateness, pickups) are not reaching the hub (since ${since}). Meanwhile, check with parents by phone.`,
  },
  pickup: {
    label: (t) => `Pickup ${t}`,
    someoneElse: 'Not on the pickup list: check',
    show: (who) => `Pickup details: ${who}`,
    photoAlt: (who) => `Photo of ${who}`,
    noPhoto: 'No photo on file',
    from: (g) => `From ${g}`,
    marker: 'P',
    confirm: 'Confirm',
    confirming: 'Sending…',
    confirmLabel: (who) => `Confirm the pickup by ${who}`,
    someoneElseConfirmed: 'Not on the pickup list: confirmed',
    confirmed: confirmedEn,
    failed: (code, status) => confirmFailedEn(code, status),
  },
};

function waitEn(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
