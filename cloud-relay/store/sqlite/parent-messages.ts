import type { Db } from '../../../common/sqlite.ts';
import type { ParentMessage } from '../../../protocol/parent-notices.ts';
import { readMessageOf, type StoredReadRow } from '../facility-notices.ts';
import { messageOf, type StoredNoticeRow } from '../parent-notices.ts';
import { pickupMessageOf, type StoredPickupRow } from '../parent-pickups.ts';

/*
 * The facility's one message sequence (table parent_message_seq) over the three kinds of parent message:
 * notices, pickup plans and facility-notice reads each take their seq from it in their insert transaction,
 * and the hub reads them back merged in seq order.
 */

export const NOTICE_SELECT = `SELECT n.seq, n.id, n.guardian_id, n.kind, n.child_ids, n.date, n.until,
  n.reason, n.symptoms, n.temperature, n.note, n.arrive_at, n.sent_at, n.read_at, f.time_zone
  FROM parent_notices n JOIN facilities f ON f.facility_id = n.facility_id`;

export const PICKUP_SELECT = `SELECT p.seq, p.id, p.guardian_id, p.child_ids, p.date, p.time, p.person,
  p.note, p.sent_at, p.read_at, f.time_zone
  FROM parent_pickups p JOIN facilities f ON f.facility_id = p.facility_id`;

export const READ_SELECT = `SELECT r.seq, r.notice_id, r.guardian_id, r.read_at, f.time_zone
  FROM facility_notice_reads r JOIN facilities f ON f.facility_id = r.facility_id`;

/** The statements of the sequence, prepared once on the connection's database. */
export function parentMessageStatements(db: Db) {
  return {
    /** The next seq of the facility; call inside the (IMMEDIATE) insert transaction. */
    nextSeq: db.prepare<[string], { last_seq: number }>(
      `INSERT INTO parent_message_seq (facility_id, last_seq) VALUES (?, 1)
       ON CONFLICT (facility_id) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq`,
    ),
    /** The page's seqs: every kind, in one order. */
    page: db.prepare<[string, number, string, number, string, number, number], { seq: number }>(
      `SELECT seq FROM (
         SELECT seq FROM parent_notices WHERE facility_id = ? AND seq > ?
         UNION ALL SELECT seq FROM parent_pickups WHERE facility_id = ? AND seq > ?
         UNION ALL SELECT seq FROM facility_notice_reads WHERE facility_id = ? AND seq > ?)
       ORDER BY seq LIMIT ?`,
    ),
    notices: db.prepare<[string, number, number], StoredNoticeRow>(
      `${NOTICE_SELECT} WHERE n.facility_id = ? AND n.seq > ? AND n.seq <= ?`,
    ),
    pickups: db.prepare<[string, number, number], StoredPickupRow>(
      `${PICKUP_SELECT} WHERE p.facility_id = ? AND p.seq > ? AND p.seq <= ?`,
    ),
    reads: db.prepare<[string, number, number], StoredReadRow>(
      `${READ_SELECT} WHERE r.facility_id = ? AND r.seq > ? AND r.seq <= ?`,
    ),
  };
}

export type ParentMessageStatements = ReturnType<typeof parentMessageStatements>;

/** The facility's next seq (inside the caller's transaction). */
export function takeSeq(stmt: ParentMessageStatements, facilityId: string): number {
  return stmt.nextSeq.get(facilityId)?.last_seq ?? 1;
}

/**
 * The facility's messages with seq > after, at most `limit`, by seq: the page's seqs first (one
 * UNION ALL), then each kind's rows up to the page's last seq. Call inside one transaction.
 */
export function messagesPage(
  stmt: ParentMessageStatements,
  facilityId: string,
  after: number,
  limit: number,
): ParentMessage[] {
  const seqs = stmt.page.all(facilityId, after, facilityId, after, facilityId, after, limit);
  const last = seqs.at(-1)?.seq;
  if (last === undefined) return [];
  return [
    ...stmt.notices.all(facilityId, after, last).map(messageOf),
    ...stmt.pickups.all(facilityId, after, last).map(pickupMessageOf),
    ...stmt.reads.all(facilityId, after, last).map(readMessageOf),
  ].sort((a, b) => a.seq - b.seq);
}
