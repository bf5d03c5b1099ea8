import type { ParentMessage } from '../../../protocol/parent-notices.ts';
import { readMessageOf, type StoredReadRow } from '../facility-notices.ts';
import { messageOf, type StoredNoticeRow } from '../parent-notices.ts';
import { pickupMessageOf, type StoredPickupRow } from '../parent-pickups.ts';
import { unknownFacility } from '../refusals.ts';
import { iso, type Queryable } from './connection.ts';

/*
 * The facility's one message sequence (table parent_message_seq) over the three kinds of parent message:
 * notices, pickup plans and facility-notice reads each take their seq from it with its row locked in their
 * insert transaction, and the hub reads them back merged in seq order.
 */

/** Dates and the uuid as text, times as timestamptz (Date), seq as bigint (text). */
export const NOTICE_SELECT = `SELECT n.seq, n.id::text AS id, n.guardian_id, n.kind, n.child_ids,
  n.date::text AS date, n.until::text AS until, n.reason, n.symptoms, n.temperature, n.note,
  n.arrive_at, n.sent_at, n.read_at, f.time_zone
  FROM parent_notices n JOIN facilities f ON f.facility_id = n.facility_id`;

export const PICKUP_SELECT = `SELECT p.seq, p.id::text AS id, p.guardian_id, p.child_ids,
  p.date::text AS date, p.time, p.person, p.note, p.sent_at, p.read_at, f.time_zone
  FROM parent_pickups p JOIN facilities f ON f.facility_id = p.facility_id`;

export const READ_SELECT = `SELECT r.seq, r.notice_id::text AS notice_id, r.guardian_id, r.read_at,
  f.time_zone
  FROM facility_notice_reads r JOIN facilities f ON f.facility_id = r.facility_id`;

type Pg<T extends { seq: number }, Times extends keyof T> = Omit<T, 'seq' | Times> & { seq: string } & {
  [K in Times]: null extends T[K] ? Date | null : Date;
};

export type PgNoticeRow = Pg<StoredNoticeRow, 'sent_at' | 'read_at'>;
export type PgPickupRow = Pg<StoredPickupRow, 'sent_at' | 'read_at'>;
export type PgReadRow = Pg<StoredReadRow, 'read_at'>;

export function noticeRow(row: PgNoticeRow): StoredNoticeRow {
  return { ...row, seq: Number(row.seq), sent_at: row.sent_at.toISOString(), read_at: iso(row.read_at) };
}

export function pickupRow(row: PgPickupRow): StoredPickupRow {
  return { ...row, seq: Number(row.seq), sent_at: row.sent_at.toISOString(), read_at: iso(row.read_at) };
}

export function readRow(row: PgReadRow): StoredReadRow {
  return { ...row, seq: Number(row.seq), read_at: row.read_at.toISOString() };
}

/**
 * Locks the facility's counter row (created when missing) until the transaction ends: inserts of one
 * facility queue here, so each takes its seq only after the one before committed (seq order is commit
 * order), and a resend racing its first copy finds it stored after this. NotFoundError unknown_facility.
 */
export async function lockSeq(client: Queryable, facilityId: string): Promise<void> {
  const created = await client.query(
    `INSERT INTO parent_message_seq (facility_id, last_seq)
     SELECT facility_id, 0 FROM facilities WHERE facility_id = $1
     ON CONFLICT (facility_id) DO NOTHING`,
    [facilityId],
  );
  const locked = await client.query<{ last_seq: string }>(
    'SELECT last_seq FROM parent_message_seq WHERE facility_id = $1 FOR UPDATE',
    [facilityId],
  );
  if (created.rowCount === 0 && locked.rows.length === 0) throw unknownFacility(facilityId);
}

/** The facility's next seq; after lockSeq in the same transaction. */
export async function takeSeq(client: Queryable, facilityId: string): Promise<number> {
  const { rows } = await client.query<{ last_seq: string }>(
    'UPDATE parent_message_seq SET last_seq = last_seq + 1 WHERE facility_id = $1 RETURNING last_seq',
    [facilityId],
  );
  const seq = rows[0]?.last_seq;
  if (seq === undefined) throw new Error('the parent message counter is not locked');
  return Number(seq);
}

/**
 * The facility's messages with seq > after, at most `limit`, by seq: the page's last seq first (one
 * UNION ALL), then each kind's rows up to it. Every seq up to the last committed one is committed (seq
 * order is commit order), so the later reads see the whole page even outside one transaction.
 */
export async function messagesPage(
  db: Queryable,
  facilityId: string,
  after: number,
  limit: number,
): Promise<ParentMessage[]> {
  const { rows } = await db.query<{ seq: string }>(
    `SELECT seq FROM (
       SELECT seq FROM parent_notices WHERE facility_id = $1 AND seq > $2
       UNION ALL SELECT seq FROM parent_pickups WHERE facility_id = $1 AND seq > $2
       UNION ALL SELECT seq FROM facility_notice_reads WHERE facility_id = $1 AND seq > $2) s
     ORDER BY seq LIMIT $3`,
    [facilityId, after, limit],
  );
  const last = rows.at(-1)?.seq;
  if (last === undefined) return [];
  const range = [facilityId, after, last];
  const [notices, pickups, reads] = await Promise.all([
    db.query<PgNoticeRow>(`${NOTICE_SELECT} WHERE n.facility_id = $1 AND n.seq > $2 AND n.seq <= $3`, range),
    db.query<PgPickupRow>(`${PICKUP_SELECT} WHERE p.facility_id = $1 AND p.seq > $2 AND p.seq <= $3`, range),
    db.query<PgReadRow>(`${READ_SELECT} WHERE r.facility_id = $1 AND r.seq > $2 AND r.seq <= $3`, range),
  ]);
  return [
    ...notices.rows.map((r) => messageOf(noticeRow(r))),
    ...pickups.rows.map((r) => pickupMessageOf(pickupRow(r))),
    ...reads.rows.map((r) => readMessageOf(readRow(r))),
  ].sort((a, b) => a.seq - b.seq);
}
