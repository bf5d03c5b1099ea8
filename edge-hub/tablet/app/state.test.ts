import { describe, expect, it, vi } from 'vitest';
import type { SessionInfo, TabletRollcall } from '../../../protocol/tablet.ts';
import { decodeBase64Url, decodePairing, pairingFromHash } from './pairing.ts';
import { parsePushFrame, pushSocketUrl } from './push.ts';
import { child, classStaffing, facilityStaffing, tabletNotice } from './roster.test-support.ts';
import {
  absenceUntil,
  addDays,
  attentionEntries,
  countsOf,
  hhmm,
  hhmmss,
  initialState,
  isHhmm,
  isStale,
  lastAbsenceDay,
  reduce,
  rowActions,
  shareUnchanged,
  STALE_MS,
  staleAt,
  visibleChildren,
  type Action,
  type AppState,
} from './state.ts';
import { searchKey } from '../../../ui/search-key.ts';

const SESSION: SessionInfo = {
  staff: { id: 's1', name: '保育 花子', role: 'staff' },
  deviceId: 'tab-1',
  expiresAt: '2025-06-12T12:00:00Z',
};

const COUNTS = { enrolled: 3, expected: 3, present: 1, left: 1, absent: 0, notArrived: 1 };

function rollcall(generatedAt = '2025-06-12T01:00:00Z'): TabletRollcall {
  return {
    facilityId: 'f1',
    facilityName: 'ひまわり保育園',
    timeZone: 'Asia/Tokyo',
    date: '2025-06-12',
    generatedAt,
    closingTime: '19:00',
    counts: COUNTS,
    staffing: facilityStaffing(),
    classes: [
      {
        id: 'k1',
        name: 'ひよこ組',
        cutoff: '09:30',
        counts: { enrolled: 2, expected: 2, present: 1, left: 0, absent: 0, notArrived: 1 },
        staffOnDuty: 1,
        maxChildrenPerStaff: 3,
        overRatio: false,
        staffing: classStaffing(),
        children: [
          child('c1', {
            status: 'left',
            checkInAt: '2025-06-11T23:05:00Z',
            checkOutAt: '2025-06-12T06:00:00Z',
          }),
          child('c2', { name: 'サトウ 一郎', kana: 'さとう いちろう', unaccounted: true }),
        ],
      },
      {
        id: 'k2',
        name: 'りす組',
        cutoff: '09:30',
        counts: { enrolled: 1, expected: 1, present: 1, left: 1, absent: 0, notArrived: 0 },
        staffOnDuty: null,
        maxChildrenPerStaff: null,
        overRatio: false,
        staffing: classStaffing(),
        children: [
          child('c3', { status: 'present', checkInEventId: '3f0c9a52-7c1e-4e8a-9a55-0d2f3b4c5d6e' }),
        ],
      },
    ],
    attention: [
      { childId: 'c2', classId: 'k1', why: 'unaccounted' },
      { childId: 'gone', classId: 'k1', why: 'unaccounted' },
    ],
    parentNotices: [],
  };
}

function run(actions: Action[], start: AppState = initialState()): AppState {
  return actions.reduce(reduce, start);
}

const signedIn = (): AppState => run([{ type: 'signed_in', session: SESSION }]);

describe('tablet state', () => {
  it('starts loading, in Japanese, with nothing of the roll-call', () => {
    const s = initialState();
    expect(s.phase).toBe('loading');
    expect(s.locale).toBe('ja');
    expect(s.rollcall).toBeNull();
  });

  it('ignores a roll-call before sign-in (no data before sign-in)', () => {
    const s = run([
      { type: 'signed_out', error: null },
      { type: 'rollcall', rollcall: rollcall(), now: 1 },
    ]);
    expect(s.rollcall).toBeNull();
  });

  it('keeps the newest roll-call when a fetch answers after a push', () => {
    const s = run(
      [
        { type: 'push', push: { type: 'rollcall', rollcall: rollcall('2025-06-12T01:00:05Z') }, now: 10 },
        { type: 'rollcall', rollcall: rollcall('2025-06-12T01:00:00Z'), now: 20 },
      ],
      signedIn(),
    );
    expect(s.rollcall?.generatedAt).toBe('2025-06-12T01:00:05Z');
    expect(s.freshAt).toBe(20);
  });

  it('goes back to sign-in on session_ended and forgets the roll-call', () => {
    const s = run(
      [
        { type: 'rollcall', rollcall: rollcall(), now: 1 },
        { type: 'search', query: 'やま' },
        { type: 'push', push: { type: 'session_ended' }, now: 2 },
      ],
      signedIn(),
    );
    expect(s.phase).toBe('signed_out');
    expect(s.signInError).toEqual({ kind: 'session_ended' });
    expect(s.rollcall).toBeNull();
    expect(s.query).toBe('');
  });

  it('is stale while disconnected or when nothing was heard from the hub for STALE_MS', () => {
    expect(STALE_MS).toBeLessThan(5000);
    let s = run([{ type: 'rollcall', rollcall: rollcall(), now: 1000 }], signedIn());
    expect(isStale(s, 1000)).toBe(true); // socket not open yet
    s = reduce(s, { type: 'connection', connected: true });
    expect(isStale(s, 1000 + STALE_MS)).toBe(false);
    expect(isStale(s, 1001 + STALE_MS)).toBe(true);
    s = reduce(s, { type: 'connection', connected: false });
    expect(isStale(s, 1001)).toBe(true);
  });

  it('counts a heartbeat as hearing from the hub, without touching the roll-call', () => {
    let s = run(
      [
        { type: 'rollcall', rollcall: rollcall(), now: 1000 },
        { type: 'connection', connected: true },
      ],
      signedIn(),
    );
    const before = s.rollcall;
    expect(staleAt(s)).toBe(1001 + STALE_MS);
    s = reduce(s, { type: 'push', push: { type: 'heartbeat', at: '2025-06-12T01:00:03Z' }, now: 3000 });
    expect(s.rollcall).toBe(before);
    expect(s.freshAt).toBe(1000);
    expect(s.heardAt).toBe(3000);
    expect(isStale(s, 1001 + STALE_MS)).toBe(false);
    expect(isStale(s, 3001 + STALE_MS)).toBe(true);
    expect(staleAt(reduce(s, { type: 'connection', connected: false }))).toBeNull();
    // Before sign-in a heartbeat changes nothing.
    const out = initialState();
    expect(
      reduce(out, { type: 'push', push: { type: 'heartbeat', at: '2025-06-12T01:00:03Z' }, now: 1 }),
    ).toBe(out);
  });

  it('switches between the full and the compact view, and keeps it over a sign-out', () => {
    let s = reduce(signedIn(), { type: 'view', view: 'compact' });
    expect(s.view).toBe('compact');
    s = reduce(s, { type: 'signed_out', error: null });
    expect(s.view).toBe('compact');
    expect(initialState('ja', 'compact').view).toBe('compact');
    expect(initialState().view).toBe('full');
  });

  it('formats the last update time with seconds in the facility time zone', () => {
    expect(hhmmss(Date.parse('2025-06-11T23:05:09Z'), 'Asia/Tokyo')).toBe('08:05:09');
  });

  it('drops a selected class that the roll-call no longer has', () => {
    const s = run(
      [
        { type: 'select_class', classId: 'k9' },
        { type: 'rollcall', rollcall: rollcall(), now: 1 },
      ],
      signedIn(),
    );
    expect(s.classId).toBeNull();
  });

  it('toggles the language and keeps sign-in errors until a sign-in works', () => {
    let s = run([{ type: 'sign_in_failed', error: { kind: 'bad_credentials' } }, { type: 'toggle_locale' }]);
    expect(s.locale).toBe('en');
    expect(s.signInError).toEqual({ kind: 'bad_credentials' });
    s = reduce(s, { type: 'signed_in', session: SESSION });
    expect(s.signInError).toBeNull();
  });
});

describe('roll-call views', () => {
  it('searches names and kana in hiragana, katakana and half-width kana', () => {
    expect(searchKey('ﾔﾏﾀﾞ　タロウ')).toBe('やまだたろう');
    const rc = rollcall();
    const ids = (query: string) =>
      visibleChildren(rc, { classId: null, query, sort: 'class' }).map((e) => e.child.id);
    expect(ids('ｻﾄｳ')).toEqual(['c2']);
    expect(ids('サトウ')).toEqual(['c2']);
    expect(ids('やまだ')).toEqual(['c1', 'c3']);
    expect(ids('')).toEqual(['c1', 'c2', 'c3']);
  });

  it('filters by class and sorts by status with children to find first', () => {
    const rc = rollcall();
    expect(visibleChildren(rc, { classId: 'k2', query: '', sort: 'class' }).map((e) => e.child.id)).toEqual([
      'c3',
    ]);
    expect(visibleChildren(rc, { classId: null, query: '', sort: 'status' }).map((e) => e.child.id)).toEqual([
      'c2',
      'c3',
      'c1',
    ]);
  });

  it('resolves the attention list and skips unknown children', () => {
    const list = attentionEntries(rollcall());
    expect(list).toHaveLength(1);
    expect(list[0]?.child.id).toBe('c2');
    expect(list[0]?.className).toBe('ひよこ組');
  });

  it('counts the whole facility or one class', () => {
    const rc = rollcall();
    expect(countsOf(rc, null)).toEqual(COUNTS);
    expect(countsOf(rc, 'k2').present).toBe(1);
  });

  it('formats times in the facility time zone', () => {
    expect(hhmm('2025-06-11T23:05:00Z', 'Asia/Tokyo')).toBe('08:05');
    expect(hhmm('2025-06-12T15:00:00Z', 'Asia/Tokyo')).toBe('00:00');
    expect(hhmm('nonsense', 'Asia/Tokyo')).toBe('--:--');
    expect(isHhmm('07:30')).toBe(true);
    expect(isHhmm('24:00')).toBe(false);
    expect(isHhmm('7:30')).toBe(false);
  });

  it('offers the actions that fit the child’s state', () => {
    expect(rowActions(child('a'))).toEqual(['check_in', 'absent']);
    expect(rowActions(child('a', { status: 'present' }))).toEqual(['check_out']);
    expect(
      rowActions(child('a', { status: 'present', checkInEventId: '3f0c9a52-7c1e-4e8a-9a55-0d2f3b4c5d6e' })),
    ).toEqual(['check_out', 'void_check_in']);
    expect(rowActions(child('a', { status: 'absent' }))).toEqual(['check_in']);
    expect(
      rowActions(child('a', { status: 'absent', absentEventId: '3f0c9a52-7c1e-4e8a-9a55-0d2f3b4c5d6e' })),
    ).toEqual(['check_in', 'void_absent']);
    expect(rowActions(child('a', { status: 'left' }))).toEqual([]);
  });
});

describe('pairing link', () => {
  const encode = (value: unknown): string =>
    btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(value))))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
  const good = { hub: 'http://192.168.1.10:8080', device: 'tab-1', code: 'abcdefghijklmnopqrstuvwxyz012345' };

  it('decodes a GKP1 payload from the fragment', () => {
    expect(pairingFromHash(`#pair=GKP1.${encode(good)}`)).toEqual(good);
    expect(pairingFromHash('#other=1')).toBeNull();
    expect(pairingFromHash('')).toBeNull();
  });

  it("decodes a TLS hub's payload with its CA fingerprint, as the hub writes it", () => {
    const tls = { ...good, hub: 'https://192.168.1.10:8443', tls: 'A'.repeat(43) };
    expect(pairingFromHash(`#pair=GKP1.${encode(tls)}`)).toEqual(tls);
    // A fingerprint with a plain address is refused, as the kiosk refuses it.
    expect(decodePairing(`GKP1.${encode({ ...tls, hub: good.hub })}`)).toBeUndefined();
  });

  it('rejects malformed payloads', () => {
    expect(pairingFromHash('#pair=GKP1.!!!')).toBe('invalid');
    expect(decodePairing(`GKP2.${encode(good)}`)).toBeUndefined();
    expect(decodePairing(`GKP1.${encode({ ...good, code: 'short' })}`)).toBeUndefined();
    expect(decodePairing(`GKP1.${encode({ ...good, extra: 1 })}`)).toBeUndefined();
  });

  it('decodes base64url with UTF-8 and without padding', () => {
    expect(decodeBase64Url(encode('保育'))).toBe('"保育"');
    expect(decodeBase64Url('a')).toBeUndefined();
  });
});

describe('push frames', () => {
  it('accepts valid frames and drops anything else', () => {
    expect(parsePushFrame(JSON.stringify({ type: 'session_ended' }))).toEqual({ type: 'session_ended' });
    expect(parsePushFrame(JSON.stringify({ type: 'rollcall', rollcall: rollcall() }))?.type).toBe('rollcall');
    // Dropped frames are logged on purpose; keep the test output quiet.
    const spy = vi.spyOn(globalThis.console, 'warn').mockImplementation(() => undefined);
    try {
      expect(parsePushFrame('not json')).toBeNull();
      expect(parsePushFrame(JSON.stringify({ type: 'rollcall', rollcall: { facilityId: 'f1' } }))).toBeNull();
      expect(parsePushFrame(42)).toBeNull();
    } finally {
      spy.mockRestore();
    }
  });

  it('connects to /tablet/ws on the page’s host', () => {
    expect(pushSocketUrl('http://hub:8080/tablet/#x').href).toBe('ws://hub:8080/tablet/ws');
    expect(pushSocketUrl('https://hub/tablet').href).toBe('wss://hub/tablet/ws');
  });
});

describe('shareUnchanged', () => {
  it('keeps the previous object of every child that reads the same, and takes the changed ones', () => {
    const before = rollcall();
    const next = JSON.parse(JSON.stringify(rollcall('2025-06-12T01:00:05Z'))) as TabletRollcall;
    const k1 = next.classes[0];
    if (k1?.children[1]) k1.children[1] = { ...k1.children[1], status: 'present' };
    const shared = shareUnchanged(before, next);
    expect(shared.generatedAt).toBe('2025-06-12T01:00:05Z');
    expect(shared.classes[0]?.children[0]).toBe(before.classes[0]?.children[0]);
    expect(shared.classes[0]?.children[1]).not.toBe(before.classes[0]?.children[1]);
    expect(shared.classes[0]?.children[1]?.status).toBe('present');
    expect(shared).toEqual(next);
  });
});

describe('absence range in the dialog', () => {
  it('sends until only for several days, and refuses a last day before the first or too far', () => {
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
    expect(lastAbsenceDay('2026-04-01')).toBe('2026-05-01');
    expect(absenceUntil('2026-04-01', '2026-04-01')).toBeUndefined();
    expect(absenceUntil('2026-04-01', '')).toBeUndefined();
    expect(absenceUntil('2026-04-01', '2026-04-03')).toBe('2026-04-03');
    expect(absenceUntil('2026-04-01', '2026-05-01')).toBe('2026-05-01');
    expect(absenceUntil('2026-04-01', '2026-05-02')).toBeNull();
    expect(absenceUntil('2026-04-02', '2026-04-01')).toBeNull();
    expect(absenceUntil('2026-04-01', 'soon')).toBeNull();
  });
});

describe('parents’ notices confirmed on this tablet', () => {
  const N1 = '0b7e3c1a-5f2d-4c8e-9a1b-2c3d4e5f6a7b';
  const N2 = '1c8f4d2b-6a3e-4d9f-8b2c-3d4e5f6a7b8c';
  /** c2 has an unconfirmed absence notice (N1); a lateness notice (N2) was confirmed already. */
  function withNotices(generatedAt = '2025-06-12T01:00:00Z'): TabletRollcall {
    const rc = rollcall(generatedAt);
    const k1 = rc.classes[0];
    if (k1?.children[1]) {
      k1.children[1] = {
        ...k1.children[1],
        parentNotice: { id: N1, kind: 'absence', reason: 'sick', status: 'sent' },
      };
    }
    return {
      ...rc,
      parentNotices: [
        tabletNotice(N1, { childIds: ['c2'] }),
        tabletNotice(
          N2,
          {
            kind: 'late',
            reason: 'family',
            arriveAt: '10:30',
            status: 'read',
            readAt: '2025-06-12T08:00:00+09:00',
          },
          { readBy: '保育 一郎' },
        ),
      ],
    };
  }
  const READ = { readBy: '保育 花子', readAt: '2025-06-12T09:10:00+09:00' };

  it('shows a confirmation at once on the panel and the child’s row, and keeps the other objects', () => {
    let s = run([{ type: 'rollcall', rollcall: withNotices(), now: 1 }], signedIn());
    const before = s.rollcall;
    s = reduce(s, { type: 'notice_read', id: N1, read: READ });
    const n1 = s.rollcall?.parentNotices.find((n) => n.notice.id === N1);
    expect(n1?.notice.status).toBe('read');
    expect(n1?.notice.readAt).toBe(READ.readAt);
    expect(n1?.readBy).toBe('保育 花子');
    expect(s.rollcall?.classes[0]?.children[1]?.parentNotice?.status).toBe('read');
    // Rows the confirmation does not touch keep their objects (memoised rows skip them).
    expect(s.rollcall?.classes[0]?.children[0]).toBe(before?.classes[0]?.children[0]);
    // A notice confirmed before keeps what the hub said.
    expect(s.rollcall?.parentNotices.find((n) => n.notice.id === N2)?.readBy).toBe('保育 一郎');
  });

  it('keeps it over a push generated before the hub had it, and takes the hub’s word once it has', () => {
    let s = run(
      [
        { type: 'rollcall', rollcall: withNotices(), now: 1 },
        { type: 'notice_read', id: N1, read: READ },
        { type: 'push', push: { type: 'rollcall', rollcall: withNotices('2025-06-12T01:00:01Z') }, now: 2 },
      ],
      signedIn(),
    );
    expect(s.rollcall?.parentNotices[0]?.notice.status).toBe('read');
    expect(s.rollcall?.classes[0]?.children[1]?.parentNotice?.status).toBe('read');
    const hub = withNotices('2025-06-12T01:00:02Z');
    hub.parentNotices[0] = tabletNotice(
      N1,
      { childIds: ['c2'], status: 'read', readAt: '2025-06-12T09:10:02+09:00' },
      { readBy: '保育 花子' },
    );
    s = reduce(s, { type: 'rollcall', rollcall: hub, now: 3 });
    expect(s.rollcall?.parentNotices[0]?.notice.readAt).toBe('2025-06-12T09:10:02+09:00');
  });

  it('forgets this tablet’s confirmations at sign-out, and takes none before sign-in', () => {
    const s = run(
      [
        { type: 'rollcall', rollcall: withNotices(), now: 1 },
        { type: 'notice_read', id: N1, read: READ },
        { type: 'signed_out', error: null },
      ],
      signedIn(),
    );
    expect(s.noticeReads).toEqual({});
    expect(reduce(initialState(), { type: 'notice_read', id: N1, read: READ }).noticeReads).toEqual({});
  });
});
