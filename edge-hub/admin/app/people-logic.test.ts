import { describe, expect, it } from 'vitest';
import type { AdminAuditNamedEntry } from '../../../protocol/admin-dashboard.ts';
import { actorLabel, auditSentence, changedFields, subjectLabel } from './audit-logic.ts';
import { MESSAGES } from './messages.ts';
import { relativeTime } from './relative-time.ts';

const entry = (over: Partial<AdminAuditNamedEntry>): AdminAuditNamedEntry => ({
  id: 1,
  at: '2026-04-01T01:00:00.000Z',
  actorKind: 'staff',
  actorId: 's1',
  action: 'tablet.absent',
  subject: 'child:c003',
  deviceId: 'tab-1',
  outcome: 'ok',
  before: null,
  after: null,
  actorName: '保育 花子',
  subjectName: '佐藤 一',
  ...over,
});

describe('admin app: people views', () => {
  const now = Date.parse('2026-04-01T10:30:00+09:00');
  const ago = (ms: number) => new Date(now - ms).toISOString();

  it('says how long ago in the largest whole unit, in both languages', () => {
    const ja = MESSAGES.ja.devices.ago;
    const en = MESSAGES.en.devices.ago;
    expect(relativeTime(ago(20_000), now, ja)).toBe('たった今');
    expect(relativeTime(ago(3 * 60_000 + 59_000), now, ja)).toBe('3分前');
    expect(relativeTime(ago(3 * 60_000), now, en)).toBe('3 min ago');
    expect(relativeTime(ago(2 * 3_600_000), now, ja)).toBe('2時間前');
    expect(relativeTime(ago(26 * 3_600_000), now, en)).toBe('1 day ago');
    expect(relativeTime(ago(3 * 86_400_000), now, en)).toBe('3 days ago');
    // A clock a little ahead of the hub's.
    expect(relativeTime(ago(-5_000), now, en)).toBe('just now');
  });

  it('names people in the audit sentence, and falls back to the id and the action code', () => {
    const a = MESSAGES.ja.audit;
    expect(auditSentence(entry({}), a)).toBe('保育 花子が佐藤 一の欠席を記録');
    expect(auditSentence(entry({ actorName: null, subjectName: null }), a)).toBe('s1がc003の欠席を記録');
    expect(auditSentence(entry({ action: 'something.new' }), a)).toBe('something.new');
    expect(MESSAGES.en.audit.actions['admin.guardian_qr']?.('Boss', '山田 花子')).toBe(
      'Boss issued a QR card for 山田 花子',
    );
    expect(actorLabel(entry({ actorKind: 'cli', actorId: null, actorName: null }), a)).toBe(
      'ハブの管理コマンド',
    );
    expect(subjectLabel(entry({ subject: 'device:kiosk-1', subjectName: null }), a)).toBe('端末 kiosk-1');
    expect(subjectLabel(entry({ subject: 'month:2026-03', subjectName: null }), a)).toBe('2026年3月');
    expect(subjectLabel(entry({ subject: null }), a)).toBe('');
  });

  it('lists before → after as the changed fields with their labels', () => {
    const a = MESSAGES.ja.audit;
    expect(changedFields({ qrGeneration: 1 }, { qrGeneration: 2 }, a, 'ja-JP')).toEqual([
      { key: 'qrGeneration', label: 'QRコードの世代', from: '1', to: '2' },
    ]);
    expect(
      changedFields({ date: '2026-04-01', count: 2 }, { date: '2026-04-01', count: 3 }, a, 'ja-JP'),
    ).toEqual([{ key: 'count', label: '人数', from: '2', to: '3' }]);
    expect(changedFields(null, { disabled: true, mystery: 'x' }, a, 'ja-JP')).toEqual([
      { key: 'disabled', label: '無効', from: undefined, to: 'はい' },
      { key: 'mystery', label: 'mystery', from: undefined, to: 'x' },
    ]);
    expect(changedFields({ credentialHash: 'abcdefghijklmnop' }, null, a, 'ja-JP')).toEqual([
      { key: 'credentialHash', label: 'カード', from: 'abcdefgh…', to: undefined },
    ]);
    expect(changedFields(null, null, a, 'ja-JP')).toEqual([]);
    expect(changedFields(null, 'text', a, 'ja-JP')).toEqual([
      { key: '', label: '', from: undefined, to: 'text' },
    ]);
  });
});
