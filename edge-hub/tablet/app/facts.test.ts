import { describe, expect, it } from 'vitest';
import { broughtLine, pickedUpLine, tileFlag, tileStatus, tileTime } from './facts.ts';
import { MESSAGES } from './messages.ts';
import { child } from './roster.test-support.ts';
import { loadView, saveView, type ViewStorage } from './view-pref.ts';

const ja = MESSAGES.ja;
const en = MESSAGES.en;

describe('who brought and picked up', () => {
  it('labels a staff entry as a staff entry, never as 送り or 迎え', () => {
    const staffIn = child('c1', { status: 'present', broughtBy: '保育 花子', checkInMethod: 'staff' });
    expect(broughtLine(staffIn, ja)).toBe('職員入力：保育 花子');
    expect(broughtLine(staffIn, en)).toBe('Staff entry: 保育 花子');
    const staffOut = child('c1', { status: 'left', pickedUpBy: '保育 花子', checkOutMethod: 'staff' });
    expect(pickedUpLine(staffOut, ja)).toBe('職員入力：保育 花子');
    expect(pickedUpLine(staffOut, ja)).not.toContain('迎え');
  });

  it('names the guardian of a tap as the one who brought or picked up the child', () => {
    const tapped = child('c1', {
      status: 'left',
      broughtBy: '山田 花子',
      pickedUpBy: '山田 一郎',
      checkInMethod: 'card',
      checkOutMethod: 'qr',
    });
    expect(broughtLine(tapped, ja)).toBe('送り：山田 花子');
    expect(pickedUpLine(tapped, ja)).toBe('迎え：山田 一郎');
    expect(broughtLine(child('c1'), ja)).toBeNull();
  });
});

describe('compact tiles', () => {
  it('shows the flag before the status, the time of the state, and the absence reason', () => {
    expect(tileFlag(child('c1', { unaccounted: true }))).toBe('unaccounted');
    expect(tileStatus(child('c1', { unaccounted: true }), ja)).toBe('所在未確認');
    const late = child('c1', {
      status: 'present',
      checkInAt: '2025-06-11T23:05:00Z',
      stillPresentAtClosing: true,
    });
    expect(tileFlag(late)).toBe('still_present');
    expect(tileTime(late, 'Asia/Tokyo')).toBe('08:05');
    const gone = child('c1', {
      status: 'left',
      checkInAt: '2025-06-11T23:05:00Z',
      checkOutAt: '2025-06-12T08:30:00Z',
    });
    expect(tileTime(gone, 'Asia/Tokyo')).toBe('17:30');
    expect(tileStatus(gone, ja)).toBe('降園済');
    expect(tileFlag(gone)).toBeNull();
    expect(tileStatus(child('c1', { status: 'absent', absence: { reason: 'sick' } }), ja)).toBe(
      '欠席・体調不良',
    );
    expect(tileTime(child('c1'), 'Asia/Tokyo')).toBeNull();
  });
});

describe('view preference', () => {
  const memory = (): ViewStorage & { map: Map<string, string> } => {
    const map = new Map<string, string>();
    return {
      map,
      getItem: (k) => map.get(k) ?? null,
      setItem: (k, v) => {
        map.set(k, v);
      },
    };
  };

  it('remembers the compact view and falls back to full', () => {
    const storage = memory();
    expect(loadView(storage)).toBe('full');
    saveView(storage, 'compact');
    expect(loadView(storage)).toBe('compact');
    storage.map.set('genkan.tablet.view', 'nonsense');
    expect(loadView(storage)).toBe('full');
    expect(loadView(null)).toBe('full');
  });

  it('survives storage that throws', () => {
    const broken: ViewStorage = {
      getItem: () => {
        throw new Error('blocked');
      },
      setItem: () => {
        throw new Error('full');
      },
    };
    expect(loadView(broken)).toBe('full');
    expect(() => {
      saveView(broken, 'compact');
    }).not.toThrow();
  });
});
