import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudErrorCodes } from '../../cloud-relay/errors.ts';
import type { NewParentNotice, ParentAuditEntry } from '../../cloud-relay/store/parent-notice-types.ts';
import type { CloudStore } from '../../cloud-relay/store/types.ts';
import type { ParentMessage, ParentNotice, ParentNoticeRequest } from '../../protocol/parent-notices.ts';
import type { CloudStoreContext } from './cloud-store-fixtures.ts';

const SENT = new Date('2026-05-01T00:30:00Z');

function request(overrides: Partial<ParentNoticeRequest> = {}): ParentNoticeRequest {
  return {
    id: randomUUID(),
    kind: 'absence',
    childIds: ['c-001'],
    date: '2026-05-02',
    reason: 'sick',
    symptoms: ['fever', 'cough'],
    temperature: 38.2,
    note: '朝から熱があります',
    ...overrides,
  };
}

/** The notice a message carries (these tests store notices only). */
function noticeOf(m: ParentMessage): ParentNotice {
  if (m.type !== 'notice') throw new Error(`message ${String(m.seq)} is a ${m.type}`);
  return m.notice;
}

function notice(overrides: Partial<ParentNoticeRequest> = {}, guardianId = 'g-1'): NewParentNotice {
  return { guardianId, request: request(overrides), sentAt: SENT };
}

/** Parents' notices, the message sequence, cut-offs and the parent audit (ParentNoticeStore). */
export function describeParentNoticesContract(ctx: CloudStoreContext): void {
  describe('parent notices', () => {
    describeParentNotices(ctx);
  });
}

function describeParentNotices(ctx: CloudStoreContext): void {
  let store: CloudStore;
  // Inside its own describe block: the hubs are for these tests only.
  beforeEach(async () => {
    store = ctx.store;
    await store.addHub('hub-a', 'fac-a');
    await store.addHub('hub-b', 'fac-b', 'America/New_York');
  });

  describe('notices', () => {
    it('stores a notice as the wire shows it: until filled in, sent in the facility’s zone', async () => {
      const sick = notice();
      const { notice: stored, created } = await store.parentNotices.insertNotice('fac-a', sick);
      expect(created).toBe(true);
      expect(stored).toStrictEqual({
        id: sick.request.id,
        guardianId: 'g-1',
        kind: 'absence',
        childIds: ['c-001'],
        date: '2026-05-02',
        until: '2026-05-02',
        reason: 'sick',
        symptoms: ['fever', 'cough'],
        temperature: 38.2,
        note: '朝から熱があります',
        sentAt: '2026-05-01T09:30:00.000+09:00',
        status: 'sent',
        readAt: null,
      });
      expect(await store.parentNotices.getNotice('fac-a', sick.request.id)).toStrictEqual(stored);
      expect(await store.parentNotices.getNotice('fac-b', sick.request.id)).toBeUndefined();
      expect(await store.parentNotices.getNotice('fac-a', 'not-a-uuid')).toBeUndefined();

      const late: NewParentNotice = {
        guardianId: 'g-1',
        sentAt: SENT,
        request: {
          id: randomUUID(),
          kind: 'late',
          childIds: ['c-001'],
          date: '2026-05-02',
          reason: 'family',
          arriveAt: '10:30',
        },
      };
      const stored2 = (await store.parentNotices.insertNotice('fac-b', late)).notice;
      expect(stored2).toStrictEqual({
        id: late.request.id,
        guardianId: 'g-1',
        kind: 'late',
        childIds: ['c-001'],
        date: '2026-05-02',
        until: '2026-05-02',
        reason: 'family',
        arriveAt: '10:30',
        sentAt: '2026-04-30T20:30:00.000-04:00',
        status: 'sent',
        readAt: null,
      });
    });

    it('is idempotent by id: a resend answers the stored notice, other content is refused', async () => {
      const first = notice({ childIds: ['c-001', 'c-002'], until: '2026-05-04' });
      const stored = await store.parentNotices.insertNotice('fac-a', first);
      const again = await store.parentNotices.insertNotice('fac-a', { ...first, sentAt: new Date() });
      expect(again).toStrictEqual({ notice: stored.notice, created: false });
      // The same id in capitals is the same notice.
      const upper = { ...first, request: { ...first.request, id: first.request.id.toUpperCase() } };
      expect((await store.parentNotices.insertNotice('fac-a', upper)).created).toBe(false);

      for (const other of [
        { ...first, guardianId: 'g-2' },
        { ...first, request: { ...first.request, until: '2026-05-05' } },
        { ...first, request: { ...first.request, childIds: ['c-002', 'c-001'] } },
        { ...first, request: { ...first.request, temperature: 38.3 } },
      ]) {
        await expect(store.parentNotices.insertNotice('fac-a', other)).rejects.toMatchObject({
          code: CloudErrorCodes.parentNoticeConflict,
        });
      }
      // The same id in another facility is another notice.
      expect((await store.parentNotices.insertNotice('fac-b', first)).created).toBe(true);
      expect(await store.parentNotices.messagesAfter('fac-a', 0, 100)).toHaveLength(1);
    });

    it('refuses an unknown facility and a malformed notice', async () => {
      await expect(store.parentNotices.insertNotice('fac-x', notice())).rejects.toMatchObject({
        code: CloudErrorCodes.unknownFacility,
      });
      await expect(
        store.parentNotices.insertNotice('fac-a', notice({ reason: 'family' })),
      ).rejects.toMatchObject({ code: 'bad_request' });
      await expect(
        store.parentNotices.insertNotice('fac-a', notice({ date: '2026-02-30' })),
      ).rejects.toMatchObject({ code: CloudErrorCodes.invalidDate });
      await expect(store.parentNotices.insertNotice('fac-a', notice({}, 'g.1'))).rejects.toMatchObject({
        code: CloudErrorCodes.invalidId,
      });
      expect(await store.parentNotices.messagesAfter('fac-a', 0, 100)).toStrictEqual([]);
    });

    it('lists a guardian’s notices whose last day is on or after a date, newest first', async () => {
      const old = notice({ date: '2026-04-20', until: '2026-04-22' });
      const today = notice({ date: '2026-05-01' });
      const range = notice({ date: '2026-04-30', until: '2026-05-03' });
      for (const n of [old, today, range]) await store.parentNotices.insertNotice('fac-a', n);
      await store.parentNotices.insertNotice('fac-a', notice({}, 'g-2'));
      const ids = async (since: string) =>
        (await store.parentNotices.noticesForGuardian('fac-a', 'g-1', since)).map((n) => n.id);
      expect(await ids('2026-05-01')).toStrictEqual([range.request.id, today.request.id]);
      expect(await ids('2026-04-01')).toStrictEqual([range.request.id, today.request.id, old.request.id]);
      expect(await ids('2026-05-04')).toStrictEqual([]);
      expect(await store.parentNotices.noticesForGuardian('fac-b', 'g-1', '2026-04-01')).toStrictEqual([]);
    });
  });

  describe('the message sequence', () => {
    it('numbers each facility’s notices 1, 2, 3…, independently of other facilities', async () => {
      const a = [notice(), notice(), notice()];
      const b = [notice(), notice()];
      await store.parentNotices.insertNotice('fac-a', a[0] ?? notice());
      await store.parentNotices.insertNotice('fac-b', b[0] ?? notice());
      await store.parentNotices.insertNotice('fac-a', a[1] ?? notice());
      await store.parentNotices.insertNotice('fac-b', b[1] ?? notice());
      await store.parentNotices.insertNotice('fac-a', a[2] ?? notice());
      const seqs = async (facilityId: string, after = 0, limit = 100) =>
        (await store.parentNotices.messagesAfter(facilityId, after, limit)).map((m) => [
          m.seq,
          m.type,
          noticeOf(m).id,
        ]);
      expect(await seqs('fac-a')).toStrictEqual(a.map((n, i) => [i + 1, 'notice', n.request.id]));
      expect(await seqs('fac-b')).toStrictEqual(b.map((n, i) => [i + 1, 'notice', n.request.id]));
      expect(await seqs('fac-a', 1, 1)).toStrictEqual([[2, 'notice', a[1]?.request.id]]);
      expect(await seqs('fac-a', 3)).toStrictEqual([]);
      expect(await seqs('fac-x')).toStrictEqual([]);
    });

    it('gives concurrent inserts consecutive seqs, and a reader following the cursor misses none', async () => {
      const notices = Array.from({ length: 24 }, () => notice());
      const seen: string[] = [];
      let cursor = 0;
      const state = { writing: true };
      // A hub polling while the notices commit: with seq order equal to commit order it never skips one.
      const reader = (async () => {
        for (;;) {
          const done = !state.writing;
          const page = await store.parentNotices.messagesAfter('fac-a', cursor, 5);
          for (const m of page) {
            expect(m.seq).toBeGreaterThan(cursor);
            cursor = m.seq;
            seen.push(noticeOf(m).id);
          }
          if (done && page.length === 0) return;
        }
      })();
      await Promise.all(notices.map((n) => store.parentNotices.insertNotice('fac-a', n)));
      state.writing = false;
      await reader;
      const messages = await store.parentNotices.messagesAfter('fac-a', 0, 100);
      expect(messages.map((m) => m.seq)).toStrictEqual(notices.map((_, i) => i + 1));
      expect(new Set(messages.map((m) => noticeOf(m).id))).toStrictEqual(
        new Set(notices.map((n) => n.request.id)),
      );
      expect(seen).toStrictEqual(messages.map((m) => noticeOf(m).id));
    });

    it('stores a notice sent twice at once only once', async () => {
      const n = notice();
      const results = await Promise.all([
        store.parentNotices.insertNotice('fac-a', n),
        store.parentNotices.insertNotice('fac-a', n),
      ]);
      expect(results.map((r) => r.created).sort()).toStrictEqual([false, true]);
      expect((await store.parentNotices.messagesAfter('fac-a', 0, 100)).map((m) => m.seq)).toStrictEqual([1]);
    });
  });

  describe('read marks', () => {
    it('marks notices read once: the first readAt stays, unknown ids are skipped', async () => {
      const one = notice();
      const two = notice();
      await store.parentNotices.insertNotice('fac-a', one);
      await store.parentNotices.insertNotice('fac-a', two);
      const first = [{ id: one.request.id, readAt: '2026-05-01T10:00:00+09:00' }];
      expect(await store.parentNotices.markRead('fac-a', first)).toBe(1);
      expect(await store.parentNotices.markRead('fac-a', first)).toBe(0);
      expect(
        await store.parentNotices.markRead('fac-a', [
          { id: one.request.id, readAt: '2026-05-01T11:00:00+09:00' },
          { id: two.request.id.toUpperCase(), readAt: '2026-05-01T02:05:00Z' },
          { id: two.request.id, readAt: '2026-05-01T12:00:00+09:00' },
          { id: randomUUID(), readAt: '2026-05-01T11:00:00+09:00' },
        ]),
      ).toBe(1);
      // Another facility's hub cannot mark them.
      expect(await store.parentNotices.markRead('fac-b', first)).toBe(0);
      expect(await store.parentNotices.getNotice('fac-a', one.request.id)).toMatchObject({
        status: 'read',
        readAt: '2026-05-01T10:00:00.000+09:00',
      });
      expect(await store.parentNotices.getNotice('fac-a', two.request.id)).toMatchObject({
        status: 'read',
        readAt: '2026-05-01T11:05:00.000+09:00',
      });
      const [message] = await store.parentNotices.messagesAfter('fac-a', 0, 1);
      expect(message === undefined ? undefined : noticeOf(message).status).toBe('read');
      await expect(
        store.parentNotices.markRead('fac-a', [{ id: one.request.id, readAt: 'yesterday' }]),
      ).rejects.toMatchObject({ code: 'bad_request' });
    });
  });

  describe('settings', () => {
    it('keeps the highest version of a facility’s cut-offs', async () => {
      expect(await store.parentNotices.settings('fac-a')).toBeUndefined();
      const v2 = { version: 2, defaultCutoff: '09:30', classCutoffs: { hiyoko: '09:00' } };
      expect(await store.parentNotices.putSettings('fac-a', 'hub-a', v2)).toBe(true);
      expect(await store.parentNotices.putSettings('fac-a', 'hub-a', { ...v2, defaultCutoff: '10:00' })).toBe(
        false,
      );
      expect(
        await store.parentNotices.putSettings('fac-a', 'hub-a', { ...v2, version: 1, classCutoffs: {} }),
      ).toBe(false);
      expect(await store.parentNotices.settings('fac-a')).toStrictEqual(v2);
      const v3 = { version: 3, defaultCutoff: '10:00', classCutoffs: {} };
      expect(await store.parentNotices.putSettings('fac-a', 'hub-a', v3)).toBe(true);
      expect(await store.parentNotices.settings('fac-a')).toStrictEqual(v3);
      expect(await store.parentNotices.settings('fac-b')).toBeUndefined();
      await expect(store.parentNotices.putSettings('fac-x', 'hub-a', v3)).rejects.toMatchObject({
        code: CloudErrorCodes.unknownFacility,
      });
      await expect(
        store.parentNotices.putSettings('fac-a', 'hub-a', { ...v3, version: 4, defaultCutoff: '9:30' }),
      ).rejects.toMatchObject({ code: 'bad_request' });
    });
  });

  describe('audit', () => {
    it('appends entries and lists a facility’s newest first', async () => {
      const at = (minute: number) => `2026-05-01T00:${String(minute).padStart(2, '0')}:00.000Z`;
      const signIn: ParentAuditEntry = {
        facilityId: 'fac-a',
        guardianId: 'g-1',
        at: at(1),
        action: 'session.sign_in',
        outcome: 'ok',
        detail: null,
      };
      const sent: ParentAuditEntry = {
        ...signIn,
        at: at(2),
        action: 'notice.sent',
        detail: { noticeId: 'x', children: 2 },
      };
      const elsewhere: ParentAuditEntry = {
        facilityId: 'fac-b',
        guardianId: 'g-9',
        at: at(3),
        action: 'session.sign_in',
        outcome: 'refused',
        detail: { code: 'passkey_failed' },
      };
      for (const entry of [signIn, sent, elsewhere]) await store.parentNotices.appendAudit(entry);
      expect(await store.parentNotices.auditLog('fac-a', 10)).toStrictEqual([sent, signIn]);
      expect(await store.parentNotices.auditLog('fac-a', 1)).toHaveLength(1);
      const bad = { ...signIn, at: at(4), action: 'Signed in as 山田' };
      await expect(store.parentNotices.appendAudit(bad)).rejects.toMatchObject({ code: 'bad_request' });
      await expect(
        store.parentNotices.appendAudit({ ...bad, action: 'x', detail: { text: 'y'.repeat(3000) } }),
      ).rejects.toMatchObject({ code: 'bad_request' });
    });
  });

  describe('retention', () => {
    it('deletes notices that ended before the cutoff and audit entries before a time', async () => {
      const ended = notice({ date: '2027-03-30', until: '2027-03-31' });
      const spanning = notice({ date: '2027-03-31', until: '2027-04-01' });
      await store.parentNotices.insertNotice('fac-a', ended);
      await store.parentNotices.insertNotice('fac-a', spanning);
      await store.parentNotices.insertNotice('fac-b', notice({ date: '2027-03-30' }));
      const entry = (at: string, facilityId = 'fac-a') => ({
        facilityId,
        guardianId: 'g-1',
        at,
        action: 'notice.sent',
        outcome: 'ok' as const,
        detail: null,
      });
      await store.parentNotices.appendAudit(entry('2027-03-31T14:59:59.999Z'));
      await store.parentNotices.appendAudit(entry('2027-03-31T15:00:00.000Z'));
      await store.parentNotices.appendAudit(entry('2027-03-01T00:00:00.000Z', 'fac-b'));

      const start = new Date('2027-03-31T15:00:00.000Z');
      expect(await store.parentNotices.purgeParentRecords('fac-a', '2027-04-01', start)).toStrictEqual({
        notices: 1,
        audit: 1,
        pickups: 0,
        facilityNotices: 0,
      });
      expect(await store.parentNotices.purgeParentRecords('fac-a', '2027-04-01', start)).toStrictEqual({
        notices: 0,
        audit: 0,
        pickups: 0,
        facilityNotices: 0,
      });
      expect(
        (await store.parentNotices.messagesAfter('fac-a', 0, 100)).map((m) => noticeOf(m).id),
      ).toStrictEqual([spanning.request.id]);
      expect(await store.parentNotices.auditLog('fac-a', 10)).toHaveLength(1);
      expect(await store.parentNotices.messagesAfter('fac-b', 0, 100)).toHaveLength(1);
      expect(await store.parentNotices.auditLog('fac-b', 10)).toHaveLength(1);
      // The next notice after a purge still gets a new, higher seq.
      await store.parentNotices.insertNotice('fac-a', notice());
      expect((await store.parentNotices.messagesAfter('fac-a', 2, 100)).map((m) => m.seq)).toStrictEqual([3]);
      await expect(
        store.parentNotices.purgeParentRecords('fac-a', '2027-02-30', start),
      ).rejects.toMatchObject({ code: CloudErrorCodes.invalidDate });
    });
  });
}
