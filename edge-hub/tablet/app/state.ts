import type { RollcallStatus } from '../../../protocol/primitives.ts';
import {
  ABSENCE_RANGE_MAX_DAYS,
  type Counts,
  type SessionInfo,
  type TabletChild,
  type TabletClass,
  type TabletPush,
  type TabletRollcall,
} from '../../../protocol/tablet.ts';
import { searchKey } from '../../../ui/search-key.ts';
import { withNoticeReads, type NoticeRead, type NoticeReads } from './notice-reads.ts';

/**
 * The tablet app as a pure reducer: answers from the hub, pushes and staff touches go in, what to show
 * comes out. Time is passed in with each action (never read here), so staleness and every transition can
 * be tested without a DOM or a clock.
 */

export type Locale = 'ja' | 'en';

/**
 * Nothing heard from the hub for this long (no frame, not even a heartbeat, and no successful fetch): the
 * roll-call is shown as possibly out of date. The hub sends a heartbeat at least every 2.5 s, so a hub
 * that stops answering shows as stale within 5 s of its last frame, with room for rendering.
 */
export const STALE_MS = 4_000;

/** Why sign-in did not work, as the sign-in screen explains it. */
export type SignInError =
  | { readonly kind: 'bad_credentials' }
  | { readonly kind: 'too_many'; readonly retryAfterSeconds: number | null }
  | { readonly kind: 'device_not_set_up' }
  | { readonly kind: 'session_ended' }
  | { readonly kind: 'unreachable' }
  | { readonly kind: 'other'; readonly code: string };

/** Set-up of this browser as a tablet from a pairing link. */
export type Setup =
  | { readonly status: 'working'; readonly deviceId: string }
  | { readonly status: 'done'; readonly deviceId: string }
  | { readonly status: 'failed'; readonly reason: 'invalid_link' | 'code_refused' | 'unreachable' | 'other' };

export type Phase = 'loading' | 'signed_out' | 'signed_in';

export type SortOrder = 'class' | 'status';

/** The full rows, or one dense tile per child (a class at a glance). */
export type ViewMode = 'full' | 'compact';

export interface AppState {
  readonly phase: Phase;
  readonly session: SessionInfo | null;
  readonly setup: Setup | null;
  readonly signInError: SignInError | null;
  readonly rollcall: TabletRollcall | null;
  /** The push channel is open. */
  readonly connected: boolean;
  /** When the roll-call was last confirmed current (a push, or a successful fetch). */
  readonly freshAt: number | null;
  /** When the hub was last heard from (any frame, a heartbeat too, or a successful fetch). */
  readonly heardAt: number | null;
  readonly locale: Locale;
  /** One class, or null for all classes. */
  readonly classId: string | null;
  readonly query: string;
  readonly sort: SortOrder;
  readonly view: ViewMode;
  /** Parents' notices this tablet confirmed (確認), by notice id, laid over each roll-call taken. */
  readonly noticeReads: NoticeReads;
}

export type Action =
  | { readonly type: 'setup'; readonly setup: Setup }
  | { readonly type: 'signed_in'; readonly session: SessionInfo }
  /** No session (401 on load, sign-out, or the hub ended it); `error` says why when it is news. */
  | { readonly type: 'signed_out'; readonly error: SignInError | null }
  | { readonly type: 'sign_in_failed'; readonly error: SignInError }
  | { readonly type: 'rollcall'; readonly rollcall: TabletRollcall; readonly now: number }
  | { readonly type: 'push'; readonly push: TabletPush; readonly now: number }
  | { readonly type: 'connection'; readonly connected: boolean }
  | { readonly type: 'toggle_locale' }
  | { readonly type: 'select_class'; readonly classId: string | null }
  | { readonly type: 'search'; readonly query: string }
  | { readonly type: 'sort'; readonly sort: SortOrder }
  | { readonly type: 'view'; readonly view: ViewMode }
  /** The hub took a confirmation (確認) of a parent's notice: show it read now, before its push. */
  | { readonly type: 'notice_read'; readonly id: string; readonly read: NoticeRead };

export function initialState(locale: Locale = 'ja', view: ViewMode = 'full'): AppState {
  return {
    phase: 'loading',
    session: null,
    setup: null,
    signInError: null,
    rollcall: null,
    connected: false,
    freshAt: null,
    heardAt: null,
    locale,
    classId: null,
    query: '',
    sort: 'class',
    view,
    noticeReads: {},
  };
}

/** Nothing of the roll-call outlives a session: the next staff member starts from a clean screen. */
function signedOut(state: AppState, error: SignInError | null): AppState {
  return {
    ...state,
    phase: 'signed_out',
    session: null,
    signInError: error,
    rollcall: null,
    connected: false,
    freshAt: null,
    heardAt: null,
    classId: null,
    query: '',
    noticeReads: {},
  };
}

/** A fetch answered before a push may arrive after it: never replace a roll-call with an older one. */
function withRollcall(state: AppState, hubRollcall: TabletRollcall, now: number): AppState {
  if (state.phase !== 'signed_in') return state;
  const rollcall = withNoticeReads(hubRollcall, state.noticeReads);
  const current = state.rollcall;
  const older = current !== null && Date.parse(rollcall.generatedAt) < Date.parse(current.generatedAt);
  const classId =
    state.classId !== null && rollcall.classes.some((c) => c.id === state.classId) ? state.classId : null;
  return {
    ...state,
    rollcall: older || current === null ? (current ?? rollcall) : shareUnchanged(current, rollcall),
    freshAt: now,
    heardAt: now,
    classId,
  };
}

/**
 * `next` with each child that reads the same as in `previous` replaced by the previous object, so that
 * memoised rows (ChildRow) skip children a push did not change. Children are compared by their JSON.
 */
export function shareUnchanged(previous: TabletRollcall, next: TabletRollcall): TabletRollcall {
  const before = new Map<string, { child: TabletChild; json: string }>();
  for (const cls of previous.classes) {
    for (const child of cls.children) before.set(child.id, { child, json: JSON.stringify(child) });
  }
  return {
    ...next,
    classes: next.classes.map((cls) => ({
      ...cls,
      children: cls.children.map((child) => {
        const old = before.get(child.id);
        return old !== undefined && old.json === JSON.stringify(child) ? old.child : child;
      }),
    })),
  };
}

export function reduce(state: AppState, action: Action): AppState {
  switch (action.type) {
    case 'setup':
      return { ...state, setup: action.setup };
    case 'signed_in':
      return { ...state, phase: 'signed_in', session: action.session, signInError: null };
    case 'signed_out':
      return signedOut(state, action.error);
    case 'sign_in_failed':
      return { ...state, phase: 'signed_out', signInError: action.error };
    case 'rollcall':
      return withRollcall(state, action.rollcall, action.now);
    case 'push':
      switch (action.push.type) {
        case 'rollcall':
          return withRollcall(state, action.push.rollcall, action.now);
        case 'session_ended':
          return state.phase === 'signed_in' ? signedOut(state, { kind: 'session_ended' }) : state;
        case 'heartbeat':
          return state.phase === 'signed_in' ? { ...state, heardAt: action.now } : state;
      }
      break;
    case 'connection':
      return { ...state, connected: action.connected };
    case 'toggle_locale':
      return { ...state, locale: state.locale === 'ja' ? 'en' : 'ja' };
    case 'select_class':
      return { ...state, classId: action.classId };
    case 'search':
      return { ...state, query: action.query };
    case 'sort':
      return { ...state, sort: action.sort };
    case 'view':
      return { ...state, view: action.view };
    case 'notice_read': {
      if (state.phase !== 'signed_in') return state;
      const noticeReads = { ...state.noticeReads, [action.id]: action.read };
      const rc = state.rollcall;
      return {
        ...state,
        noticeReads,
        rollcall: rc === null ? null : shareUnchanged(rc, withNoticeReads(rc, noticeReads)),
      };
    }
  }
  return state;
}

/** The roll-call may be out of date: the push channel is down, or the hub went silent. */
export function isStale(state: AppState, now: number): boolean {
  return !state.connected || state.heardAt === null || now - state.heardAt > STALE_MS;
}

/** When the view turns stale if nothing more is heard (for a timer), or null when it is stale already. */
export function staleAt(state: AppState): number | null {
  return !state.connected || state.heardAt === null ? null : state.heardAt + STALE_MS + 1;
}

// ---------- Views of the roll-call (pure) ----------

export interface ChildEntry {
  readonly child: TabletChild;
  readonly classId: string;
  readonly className: string;
}

/** Whom staff must find: unaccounted children, and children still present after closing. */
export function needsAttention(child: TabletChild): boolean {
  return child.unaccounted || child.stillPresentAtClosing;
}

/** Status order for "by status": the children who need someone first, gone-home last. */
const STATUS_RANK: Readonly<Record<RollcallStatus, number>> = {
  not_arrived: 0,
  present: 1,
  absent: 2,
  left: 3,
};

/** The rows to show: the chosen class (or all), matching the search, in the chosen order. */
export function visibleChildren(
  rollcall: TabletRollcall,
  options: { classId: string | null; query: string; sort: SortOrder },
): ChildEntry[] {
  const q = searchKey(options.query);
  const entries: ChildEntry[] = [];
  rollcall.classes.forEach((cls) => {
    if (options.classId !== null && cls.id !== options.classId) return;
    for (const child of cls.children) {
      if (q !== '' && !searchKey(child.name).includes(q) && !searchKey(child.kana).includes(q)) continue;
      entries.push({ child, classId: cls.id, className: cls.name });
    }
  });
  if (options.sort === 'status') {
    const classOrder = new Map(rollcall.classes.map((c, i) => [c.id, i]));
    // Stable sort: within a status, the hub's order (class, then roster order) stays.
    entries.sort((a, b) => {
      const attention = Number(needsAttention(b.child)) - Number(needsAttention(a.child));
      if (attention !== 0) return attention;
      const status = STATUS_RANK[a.child.status] - STATUS_RANK[b.child.status];
      if (status !== 0) return status;
      return (classOrder.get(a.classId) ?? 0) - (classOrder.get(b.classId) ?? 0);
    });
  }
  return entries;
}

export interface AttentionEntry {
  readonly child: TabletChild;
  readonly className: string;
  readonly why: 'unaccounted' | 'still_present';
}

/** The hub's attention list with each child's row data; entries naming unknown children are dropped. */
export function attentionEntries(rollcall: TabletRollcall): AttentionEntry[] {
  const out: AttentionEntry[] = [];
  for (const item of rollcall.attention) {
    const cls = rollcall.classes.find((c) => c.id === item.classId);
    const child = cls?.children.find((c) => c.id === item.childId);
    if (cls === undefined || child === undefined) continue;
    out.push({ child, className: cls.name, why: item.why });
  }
  return out;
}

/** Counts for the current scope: the whole facility, or one class. */
export function countsOf(rollcall: TabletRollcall, classId: string | null): Counts {
  if (classId === null) return rollcall.counts;
  return rollcall.classes.find((c) => c.id === classId)?.counts ?? rollcall.counts;
}

export function classOf(rollcall: TabletRollcall, classId: string | null): TabletClass | null {
  return classId === null ? null : (rollcall.classes.find((c) => c.id === classId) ?? null);
}

/** HH:MM of an instant in the facility's time zone (24-hour, as Japanese registers write it). */
export function hhmm(instant: string, timeZone: string): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return '--:--';
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const hour = parts.find((p) => p.type === 'hour')?.value ?? '--';
  const minute = parts.find((p) => p.type === 'minute')?.value ?? '--';
  return `${hour}:${minute}`;
}

/** HH:MM:SS of a moment (epoch ms) in the facility's time zone: when the roll-call was last confirmed. */
export function hhmmss(at: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(at));
}

/** Whether `HH:MM` is a valid time of day. */
export function isHhmm(text: string): boolean {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  return m !== null && Number(m[1]) < 24 && Number(m[2]) < 60;
}

/** What a staff member can do for a child in its current state (the row's buttons). */
export type RowAction =
  'check_in' | 'check_out' | 'absent' | 'void_check_in' | 'void_check_out' | 'void_absent';

/** The voids, each with the event it removes and that event's time. */
export type VoidAction = Extract<RowAction, `void_${string}`>;

export function isVoidAction(action: RowAction): action is VoidAction {
  return action.startsWith('void_');
}

/** The event a void action removes, or null if the row has none. */
export function voidTarget(child: TabletChild, action: VoidAction): string | null {
  switch (action) {
    case 'void_check_in':
      return child.checkInEventId;
    case 'void_check_out':
      return child.checkOutEventId;
    case 'void_absent':
      return child.absentEventId;
  }
}

export function rowActions(child: TabletChild): RowAction[] {
  switch (child.status) {
    case 'not_arrived':
      return ['check_in', 'absent'];
    case 'present':
      return child.checkInEventId !== null ? ['check_out', 'void_check_in'] : ['check_out'];
    case 'left':
      return child.checkOutEventId !== null ? ['void_check_out'] : [];
    case 'absent':
      // The child came after all: a check-in supersedes the absence at the hub. A wrong absence is voided.
      return child.absentEventId !== null ? ['check_in', 'void_absent'] : ['check_in'];
  }
}

const DAY_MS = 86_400_000;

/** The calendar day `days` after `date` (YYYY-MM-DD). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The last day an absence from `date` may run to (ABSENCE_RANGE_MAX_DAYS days in all). */
export function lastAbsenceDay(date: string): string {
  return addDays(date, ABSENCE_RANGE_MAX_DAYS - 1);
}

/**
 * The `until` of an absence action from the dialog's two dates: undefined for a single day (the same
 * day, or no last day), null when the last day is not allowed (before the first, or too far).
 */
export function absenceUntil(date: string, until: string): string | undefined | null {
  if (until === '' || until === date) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(until) || Number.isNaN(Date.parse(`${until}T00:00:00Z`))) return null;
  return until < date || until > lastAbsenceDay(date) ? null : until;
}
