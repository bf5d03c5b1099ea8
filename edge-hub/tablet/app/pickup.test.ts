import { describe, expect, it } from 'vitest';
import { MESSAGES } from './messages.ts';
import { pickupFlag, pickupLine, pickupPhotoUrl, pickupState, pickupWho } from './pickup.ts';
import { pickupPlan } from './roster.test-support.ts';

const ja = MESSAGES.ja;
const en = MESSAGES.en;

describe('the pickup plan on a child’s row', () => {
  it('reads time, relation and name', () => {
    const plan = pickupPlan();
    expect(pickupWho(plan)).toBe('祖母 山田 花子');
    expect(pickupLine(plan, ja)).toBe('お迎え 17:30 祖母 山田 花子');
    expect(pickupLine(plan, en)).toBe('Pickup 17:30 祖母 山田 花子');
  });

  it('names a guardian (no relation) and someone else without a relation by name alone', () => {
    expect(pickupLine(pickupPlan({ relation: '', personName: '山田 太郎' }), ja)).toBe(
      'お迎え 17:30 山田 太郎',
    );
    const other = pickupPlan({ personId: null, someoneElse: true, relation: ' ', personName: '鈴木 一郎' });
    expect(pickupWho(other)).toBe('鈴木 一郎');
  });

  it('flags someone else in both languages', () => {
    expect(ja.pickup.someoneElse).toBe('指定外のお迎え：要確認');
    expect(en.pickup.someoneElse).toMatch(/check/i);
  });

  it('keeps someone else flagged once confirmed, saying so; a plan on the list reads 確認済', () => {
    const other = pickupPlan({ personId: null, someoneElse: true });
    expect(pickupFlag(other, ja)).toBe('指定外のお迎え：要確認');
    const read = { ...other, status: 'read' as const, readBy: '保育 花子' };
    expect(pickupFlag(read, ja)).toBe('指定外のお迎え：確認済');
    expect(pickupState(read, en)).toBe('Not on the pickup list: confirmed');
    expect(pickupFlag(pickupPlan({ status: 'read' }), ja)).toBeNull();
    expect(pickupState(pickupPlan({ status: 'read' }), ja)).toBe('確認済');
    expect(pickupState(pickupPlan(), ja)).toBeNull();
    expect(ja.pickup.confirmed('保育 花子', '10:15')).toBe('確認済（保育 花子 10:15）');
    expect(en.pickup.confirmed('保育 花子', '10:15')).toBe('Confirmed by 保育 花子 at 10:15');
    expect(ja.pickup.failed('unknown_pickup', 404)).toMatch(/お迎え予定は見つかりません/);
  });

  it('loads the photo from the hub’s staff route only when the person has one', () => {
    expect(pickupPhotoUrl(pickupPlan())).toBe('/api/tablet/pickup-people/p-granny/photo');
    expect(pickupPhotoUrl(pickupPlan({ hasPhoto: false }))).toBeNull();
    expect(pickupPhotoUrl(pickupPlan({ personId: null, someoneElse: true, hasPhoto: true }))).toBeNull();
  });
});
