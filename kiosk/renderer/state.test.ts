import { describe, expect, it } from 'vitest';
import type {
  ChildView,
  GuardianChoice,
  KioskView,
  MaintenanceView,
  TapView,
  UiEvent,
} from '../common/ui-api.ts';
import { MESSAGES } from './messages.ts';
import {
  backdropOf,
  CANCELLED_MS,
  REFUSAL_MS,
  initialState,
  localeOf,
  reduce,
  screenTimer,
  type Action,
  type AppState,
  type OkTap,
} from './state.ts';
import {
  AVATAR_COLOURS,
  avatarColour,
  clockText,
  filterGuardians,
  initialOf,
  noticeOf,
  skewParts,
} from './view.ts';
import { searchKey } from '../../ui/search-key.ts';

const KIOSK: KioskView = {
  mode: 'kiosk',
  deviceId: 'kiosk-1',
  facilityId: 'f1',
  facilityName: 'ひまわり保育園',
  timeZone: 'Asia/Tokyo',
  online: true,
  outbox: 0,
  ready: true,
  readers: [{ name: 'pcsc', attached: true }],
  camera: false,
  defaultLocale: 'ja',
  autoConfirmMs: 8000,
  speak: false,
};

const TAP_ID = '3f0c9a52-7c1e-4e8a-9a55-0d2f3b4c5d6e';
const OTHER_TAP_ID = '9b1d2c3e-4f5a-4b6c-8d7e-8f9a0b1c2d3e';

function child(id: string, overrides: Partial<ChildView> = {}): ChildView {
  return {
    childId: id,
    name: `山田 ${id}`,
    kana: `やまだ ${id}`,
    classId: 'momo',
    className: 'もも組',
    direction: 'check_in',
    included: true,
    ...overrides,
  };
}

function okTap(overrides: Partial<OkTap> = {}): OkTap {
  return {
    result: 'ok',
    tapId: TAP_ID,
    at: '2026-04-01T08:00:00+09:00',
    guardian: { id: 'g1', name: '山田 花子' },
    children: [child('c1'), child('c2')],
    closed: false,
    undone: false,
    ...overrides,
  };
}

function run(actions: readonly Action[], from: AppState = initialState): AppState {
  return actions.reduce(reduce, from);
}

const ev = (event: UiEvent, now = 1000): Action => ({ type: 'event', event, now });
const stateEv = (kiosk: Partial<KioskView> = {}): Action =>
  ev({ type: 'state', state: { ...KIOSK, ...kiosk } });
const tapEv = (tap: TapView, now = 1000): Action => ev({ type: 'tap', tap }, now);
const updEv = (tap: TapView, now = 2000): Action => ev({ type: 'tap_updated', tap }, now);

describe('kiosk screen reducer', () => {
  it('starts idle in Japanese, and takes the state from the agent', () => {
    expect(initialState.screen.kind).toBe('idle');
    expect(localeOf(initialState)).toBe('ja');
    const s = run([stateEv({ defaultLocale: 'en' })]);
    expect(s.kiosk?.facilityName).toBe('ひまわり保育園');
    expect(s.connected).toBe(true);
    expect(localeOf(s)).toBe('en');
  });

  it('shows a new tap with a sound and an auto-confirm timer', () => {
    const s = run([stateEv(), tapEv(okTap(), 1000)]);
    expect(s.screen.kind).toBe('result');
    expect(s.feedback?.sound).toBe('check_in');
    expect(s.feedback?.speech).toBeNull();
    expect(screenTimer(s)).toEqual({ seq: 1, at: 9000, durationMs: 8000, confirmTapId: TAP_ID });
  });

  it('speaks the greeting with the included children when asked to', () => {
    const tap = okTap({ children: [child('c1'), child('c2', { included: false })] });
    const s = run([stateEv({ speak: true }), tapEv(tap)]);
    expect(s.feedback?.speech).toEqual({ text: 'やまだ c1さん、いってらっしゃい', lang: 'ja-JP' });
  });

  it('a new tap replaces whatever is on screen', () => {
    const s = run([stateEv(), tapEv({ result: 'no_roster' }), tapEv(okTap({ tapId: OTHER_TAP_ID }), 1500)]);
    expect(s.screen.kind === 'result' && s.screen.tap.result).toBe('ok');
    expect(s.seq).toBe(2);
    expect(s.feedback?.id).toBe(2);
  });

  it('tap_updated replaces the matching tap, restarts the countdown, ignores other taps', () => {
    const start = run([stateEv(), tapEv(okTap(), 1000)]);
    const toggled = okTap({ children: [child('c1'), child('c2', { included: false })] });
    const s = run([updEv(toggled, 3000)], start);
    expect(s.screen.kind === 'result' && s.screen.tap).toEqual(toggled);
    expect(screenTimer(s)?.at).toBe(11_000);
    expect(s.feedback).toBe(start.feedback); // no new sound for a toggle
    expect(run([updEv(okTap({ tapId: OTHER_TAP_ID, closed: true }))], s)).toBe(s);
  });

  it('sounds again when the direction flips', () => {
    const start = run([stateEv(), tapEv(okTap())]);
    const flipped = okTap({
      children: [child('c1', { direction: 'check_out' }), child('c2', { direction: 'check_out' })],
    });
    const s = run([updEv(flipped)], start);
    expect(s.feedback?.sound).toBe('check_out');
    expect(s.feedback?.id).toBe((start.feedback?.id ?? 0) + 1);
  });

  it('a re-sent tap (reconnect) is an update, not a new tap', () => {
    const start = run([stateEv(), tapEv(okTap(), 1000)]);
    const s = run([tapEv(okTap(), 4000)], start);
    expect(s.seq).toBe(start.seq);
    expect(s.feedback).toBe(start.feedback);
  });

  it('goes idle when the tap closes, and shows the cancelled notice when it was undone', () => {
    const start = run([stateEv(), tapEv(okTap())]);
    expect(run([updEv(okTap({ closed: true }))], start).screen.kind).toBe('idle');
    const undone = run([updEv(okTap({ closed: true, undone: true }), 5000)], start);
    expect(undone.screen.kind).toBe('cancelled');
    expect(screenTimer(undone)).toEqual({
      seq: 2,
      at: 5000 + CANCELLED_MS,
      durationMs: CANCELLED_MS,
      confirmTapId: null,
    });
    expect(run([{ type: 'expire', seq: 2 }], undone).screen.kind).toBe('idle');
  });

  it('an accepted undo shows the notice once, whichever of reply and update comes first', () => {
    const start = run([stateEv(), tapEv(okTap())]);
    const a = run([{ type: 'undone', tapId: TAP_ID, now: 2000 }], start);
    expect(a.screen.kind).toBe('cancelled');
    expect(run([updEv(okTap({ closed: true, undone: true }))], a)).toBe(a);
    const b = run([updEv(okTap({ closed: true, undone: true }))], start);
    expect(run([{ type: 'undone', tapId: TAP_ID, now: 2500 }], b)).toBe(b);
  });

  it('interactions restart the countdown; a stale timer does not close a newer screen', () => {
    const start = run([stateEv(), tapEv(okTap(), 1000)]);
    const s = run([{ type: 'interaction', now: 4000 }], start);
    expect(screenTimer(s)?.at).toBe(12_000);
    const newer = run([tapEv({ result: 'error', code: 'db' }, 5000)], s);
    expect(run([{ type: 'expire', seq: 1 }], newer)).toBe(newer);
    expect(screenTimer(newer)).toEqual({
      seq: 2,
      at: 5000 + REFUSAL_MS,
      durationMs: REFUSAL_MS,
      confirmTapId: null,
    });
    expect(run([{ type: 'expire', seq: 2 }], newer).screen.kind).toBe('idle');
  });

  it('refusals buzz, a repeated tap only chimes', () => {
    expect(run([stateEv(), tapEv({ result: 'unknown_credential', kind: 'card' })]).feedback?.sound).toBe(
      'refusal',
    );
    expect(run([stateEv(), tapEv({ result: 'debounced', kind: 'qr' })]).feedback?.sound).toBe('notice');
  });

  it('the language choice lasts until the next result screen closes', () => {
    const s1 = run([stateEv(), { type: 'toggle_locale', now: 1 }]);
    expect(localeOf(s1)).toBe('en');
    const s2 = run([tapEv(okTap(), 10)], s1);
    expect(localeOf(s2)).toBe('en');
    const s3 = run([{ type: 'dismiss' }], s2);
    expect(s3.screen.kind).toBe('idle');
    expect(localeOf(s3)).toBe('ja');
  });

  it('a failed command is shown on the tap; losing the agent drops the screen', () => {
    const start = run([stateEv(), tapEv(okTap())]);
    const failed = run([{ type: 'command_failed', tapId: TAP_ID }], start);
    expect(failed.screen.kind === 'result' && failed.screen.failed).toBe(true);
    const lost = run([{ type: 'connection', connected: false }], failed);
    expect(lost.connected).toBe(false);
    expect(lost.screen.kind).toBe('idle');
    expect(lost.kiosk).not.toBeNull();
  });

  it('a closed tap re-sent on connect is not shown', () => {
    expect(run([stateEv(), tapEv(okTap({ closed: true }))]).screen.kind).toBe('idle');
  });
});

const GUARDIANS: GuardianChoice[] = [
  { id: 'g1', name: '山田 花子', children: [{ name: '山田 太郎', kana: 'やまだ たろう' }], cards: 1 },
  { id: 'g2', name: 'Sato Yui', children: [{ name: '佐藤 結衣', kana: 'さとう ゆい' }], cards: 0 },
];

const MAINTENANCE: MaintenanceView = {
  hubUrl: 'mqtt://hub.local:1883',
  online: true,
  outbox: 0,
  inFlight: 0,
  rosterVersion: 3,
  readers: [{ name: 'pcsc', attached: true }],
  recent: [],
  guardians: GUARDIANS,
  enrollment: { status: 'idle' },
  clock: { skewMs: 0, corrected: false, synced: true },
  idleLockMs: 120_000,
};

describe('staff screens', () => {
  it('opens the PIN pad from idle, shows maintenance once unlocked, and goes back when it locks', () => {
    const pin = run([stateEv(), { type: 'open_pin_pad' }]);
    expect(backdropOf(pin)).toBe('pin');
    expect(backdropOf(run([{ type: 'close_pin_pad' }], pin))).toBe('idle');
    const open = run([ev({ type: 'maintenance', view: MAINTENANCE })], pin);
    expect(backdropOf(open)).toBe('maintenance');
    expect(open.pinPad).toBe(false);
    // The button does nothing while unlocked.
    expect(run([{ type: 'open_pin_pad' }], open)).toBe(open);
    const locked = run([ev({ type: 'maintenance', view: null })], open);
    expect(backdropOf(locked)).toBe('idle');
  });

  it('a tap result comes before maintenance, which is still there after it', () => {
    const open = run([stateEv(), ev({ type: 'maintenance', view: MAINTENANCE }), tapEv(okTap())]);
    expect(open.screen.kind).toBe('result');
    const back = run([{ type: 'dismiss' }], open);
    expect(back.screen.kind).toBe('idle');
    expect(backdropOf(back)).toBe('maintenance');
  });

  it('losing the agent locks the maintenance screen and closes the PIN pad', () => {
    const open = run([stateEv(), ev({ type: 'maintenance', view: MAINTENANCE })]);
    expect(backdropOf(run([{ type: 'connection', connected: false }], open))).toBe('idle');
    const pin = run([stateEv(), { type: 'open_pin_pad' }, { type: 'connection', connected: false }]);
    expect(pin.pinPad).toBe(false);
  });

  it('shows pairing in pairing mode, with the latest progress, and no PIN pad', () => {
    const s = run([stateEv({ mode: 'pairing' }), { type: 'open_pin_pad' }]);
    expect(backdropOf(s)).toBe('pairing');
    expect(s.pinPad).toBe(false);
    expect(s.pairing).toBeNull();
    const failed = run(
      [ev({ type: 'pairing', view: { status: 'failed', code: 'pairing_code_invalid' } })],
      s,
    );
    expect(failed.pairing).toEqual({ status: 'failed', code: 'pairing_code_invalid' });
    expect(backdropOf(run([stateEv()], failed))).toBe('idle');
  });

  it('finds guardians by name, child name or kana, in hiragana, katakana or half-width', () => {
    expect(searchKey('ﾔﾏﾀﾞ　タロウ')).toBe('やまだたろう');
    expect(filterGuardians(GUARDIANS, '').map((g) => g.id)).toEqual(['g1', 'g2']);
    expect(filterGuardians(GUARDIANS, 'ヤマダ').map((g) => g.id)).toEqual(['g1']);
    expect(filterGuardians(GUARDIANS, 'たろう').map((g) => g.id)).toEqual(['g1']);
    expect(filterGuardians(GUARDIANS, '結衣').map((g) => g.id)).toEqual(['g2']);
    expect(filterGuardians(GUARDIANS, 'SATO').map((g) => g.id)).toEqual(['g2']);
    expect(filterGuardians(GUARDIANS, 'xyz')).toEqual([]);
  });
});

describe('view helpers', () => {
  it('gives each class a stable colour from the palette and the first character of a name', () => {
    expect(avatarColour('momo')).toBe(avatarColour('momo'));
    expect(AVATAR_COLOURS).toContain(avatarColour('sakura'));
    expect(initialOf('  山田 太郎')).toBe('太');
    expect(initialOf('佐藤\u3000結衣')).toBe('結');
    expect(initialOf('Hana')).toBe('H');
    expect(initialOf('𠮷田')).toBe('𠮷');
    expect(initialOf('')).toBe('?');
  });

  it('formats the clock in the facility zone, falling back to Tokyo for an unknown zone', () => {
    const at = Date.UTC(2026, 3, 1, 23, 5); // 2 April 08:05 in Tokyo (a Thursday)
    expect(clockText(at, 'ja-JP', 'Asia/Tokyo')).toEqual({ time: '08:05', date: '4月2日(木)' });
    expect(clockText(at, 'en-GB', 'Nowhere/Invalid').time).toBe('08:05');
  });

  it('says how far the clock is off, and which way, in both languages', () => {
    const threeHoursBehind = skewParts(3 * 3_600_000 - 2000);
    expect(threeHoursBehind).toEqual({ hours: 3, minutes: 0, seconds: 0, behind: true });
    expect(MESSAGES.ja.staff.clockSkew(threeHoursBehind)).toBe('3時間0分遅れ');
    expect(MESSAGES.en.staff.clockSkew(threeHoursBehind)).toBe('3 h 0 min behind');
    expect(MESSAGES.ja.staff.clockSkew(skewParts(-150_000))).toBe('2分30秒進み');
    expect(MESSAGES.en.staff.clockSkew(skewParts(-42_400))).toBe('42 s ahead');
    // Below the samples' resolution (a retained sample may be 15 s old): none.
    expect(MESSAGES.ja.staff.clockSkew(skewParts(-12_400))).toBe('なし');
    expect(MESSAGES.en.staff.clockSkew(skewParts(300))).toBe('none');
    expect(MESSAGES.ja.staff.clockCorrected).toBe('ハブの時刻を使用中');
  });

  it('explains refusals in the chosen language', () => {
    const n = noticeOf({ result: 'refused_qr', reason: 'expired' }, MESSAGES.en, 'en');
    expect(n.body).toContain('expired');
    expect(noticeOf({ result: 'debounced', kind: 'card' }, MESSAGES.ja, 'ja').tone).toBe('info');
  });
});
