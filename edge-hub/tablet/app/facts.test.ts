import { describe, expect, it } from 'vitest';
import {
  absenceByLine,
  absenceFromParent,
  broughtLine,
  pickedUpLine,
  tileFlag,
  tileStatus,
  tileTime,
} from './facts.ts';
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

describe('an absence a parent sent', () => {
  const N1 = '0b7e3c1a-5f2d-4c8e-9a1b-2c3d4e5f6a7b';
  const notice = { id: N1, kind: 'absence', reason: 'sick', status: 'sent' } as const;

  it('reads 保護者から, never as a staff entry, and leaves the parent’s raw note to the panel', () => {
    const byParent = child('c1', {
      status: 'absent',
      absence: { reason: 'sick', note: 'fever; 38.2℃' },
      absentEventId: N1,
      parentNotice: notice,
    });
    expect(absenceFromParent(byParent)).toBe(true);
    expect(absenceByLine(byParent, ja)).toBe('保護者から');
    expect(absenceByLine(byParent, en)).toBe('From the parent');
    expect(tileStatus(byParent, ja)).toBe('欠席・体調不良');
    // Method `parent` says so too, notice or not.
    expect(
      absenceFromParent(child('c1', { status: 'absent', method: 'parent', absence: { reason: 'other' } })),
    ).toBe(true);
  });

  it('keeps the staff’s note on an absence staff entered, and no parent wording once the child came', () => {
    const byStaff = child('c1', { status: 'absent', absence: { reason: 'family', note: '帰省' } });
    expect(absenceFromParent(byStaff)).toBe(false);
    expect(absenceByLine(byStaff, ja)).toBe('帰省');
    expect(absenceByLine(child('c1', { status: 'absent', absence: { reason: 'other' } }), ja)).toBeNull();
    const came = child('c1', {
      status: 'present',
      parentNotice: notice,
      broughtBy: '山田 花子',
      checkInMethod: 'card',
    });
    expect(absenceFromParent(came)).toBe(false);
    expect(broughtLine(came, ja)).toBe('送り：山田 花子');
  });

  it('names a guardian for a check-in recorded as method parent, not a staff member', () => {
    const c = child('c1', { status: 'present', broughtBy: '山田 花子', checkInMethod: 'parent' });
    expect(broughtLine(c, ja)).toBe('送り：山田 花子');
    expect(broughtLine(c, ja)).not.toContain('職員');
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
