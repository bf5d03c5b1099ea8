import { z } from 'zod';
import { ConflictError, ValidationError } from '../../common/errors.ts';
import { formatRfc3339 } from '../../common/time.ts';
import { describeIssues, ErrorCodes } from '../../protocol/index.ts';
import {
  ParentNoticeReadsSchema,
  ParentNoticeRequestSchema,
  ParentNoticeSchema,
  ParentSettingsUploadSchema,
  type ParentMessage,
  type ParentNotice,
  type ParentNoticeReads,
  type ParentSettingsUpload,
} from '../../protocol/parent-notices.ts';
import { CloudErrorCodes } from '../errors.ts';
import { checkDate, checkId, checkInstant } from './inputs.ts';
import type { NewParentNotice, ParentAuditEntry } from './parent-notice-types.ts';

/*
 * Checks and encodings both backends share for the parent notice store (ParentNoticeStore), so that they
 * refuse the same input with the same codes and read rows back the same way.
 */

/** A notice's columns as both backends write them (and compare a resend with). */
export interface NoticeColumns {
  id: string;
  guardian_id: string;
  kind: string;
  /** JSON array. */
  child_ids: string;
  date: string;
  until: string;
  reason: string;
  /** JSON array or null. */
  symptoms: string | null;
  temperature: number | null;
  note: string | null;
  arrive_at: string | null;
}

/** A stored notice as read back: the columns, its seq, UTC ISO times and the facility's zone. */
export interface StoredNoticeRow extends NoticeColumns {
  seq: number;
  sent_at: string;
  read_at: string | null;
  time_zone: string;
}

/** The columns of a new notice: ids and the request checked (typed callers could still build one by hand). */
export function noticeColumns(facilityId: string, notice: NewParentNotice): NoticeColumns {
  checkId(facilityId, 'facilityId');
  checkId(notice.guardianId, 'guardianId');
  const parsed = ParentNoticeRequestSchema.safeParse(notice.request);
  if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
  const r = parsed.data;
  checkDate(r.date);
  checkDate(r.until ?? r.date);
  return {
    // uuid columns read back in lower case on PostgreSQL: both backends keep that spelling.
    id: r.id.toLowerCase(),
    guardian_id: notice.guardianId,
    kind: r.kind,
    child_ids: JSON.stringify(r.childIds),
    date: r.date,
    until: r.until ?? r.date,
    reason: r.reason,
    symptoms: r.symptoms === undefined ? null : JSON.stringify(r.symptoms),
    temperature: r.temperature ?? null,
    note: r.note ?? null,
    arrive_at: r.arriveAt ?? null,
  };
}

const NOTICE_FIELDS = [
  'guardian_id',
  'kind',
  'child_ids',
  'date',
  'until',
  'reason',
  'symptoms',
  'temperature',
  'note',
  'arrive_at',
] as const satisfies readonly (keyof NoticeColumns)[];

/**
 * insertNotice's answer when the id is stored already: a resend (the same content) gets the stored notice
 * back; another notice under that id is refused.
 */
export function resentNotice(
  facilityId: string,
  stored: StoredNoticeRow,
  incoming: NoticeColumns,
): { notice: ParentNotice; created: boolean } {
  if (!NOTICE_FIELDS.every((field) => stored[field] === incoming[field])) {
    throw new ConflictError(
      CloudErrorCodes.parentNoticeConflict,
      `facility ${facilityId} already holds parent notice ${incoming.id} with other content`,
    );
  }
  return { notice: noticeOf(stored), created: false };
}

/** insertNotice's answer for a new notice, read back in the inserting transaction. */
export function insertedNotice(row: StoredNoticeRow | undefined): { notice: ParentNotice; created: boolean } {
  if (row === undefined) throw new Error('a notice inserted is not read back');
  return { notice: noticeOf(row), created: true };
}

const StringListSchema = z.array(z.string());

/** A stored row as the wire's ParentNotice: times with the facility's offset, `read` once read. */
export function noticeOf(row: StoredNoticeRow): ParentNotice {
  const at = (iso: string) => formatRfc3339(new Date(iso), row.time_zone);
  // Parsed, not cast: a row that no longer fits the wire contract fails here, not at the hub.
  return ParentNoticeSchema.parse({
    id: row.id,
    guardianId: row.guardian_id,
    kind: row.kind,
    childIds: StringListSchema.parse(JSON.parse(row.child_ids)),
    date: row.date,
    until: row.until,
    reason: row.reason,
    ...(row.symptoms !== null && { symptoms: StringListSchema.parse(JSON.parse(row.symptoms)) }),
    ...(row.temperature !== null && { temperature: row.temperature }),
    ...(row.note !== null && { note: row.note }),
    ...(row.arrive_at !== null && { arriveAt: row.arrive_at }),
    sentAt: at(row.sent_at),
    status: row.read_at === null ? 'sent' : 'read',
    readAt: row.read_at === null ? null : at(row.read_at),
  });
}

/** A stored row as the hub fetches it (GET /v1/hub/parent-messages). */
export function messageOf(row: StoredNoticeRow): ParentMessage {
  return { seq: row.seq, type: 'notice', notice: noticeOf(row) };
}

/** Read marks checked, their ids in lower case and readAt as UTC ISO 8601. */
export function readMarks(reads: ParentNoticeReads['reads']): { id: string; readAt: string }[] {
  const parsed = ParentNoticeReadsSchema.safeParse({ reads });
  if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
  return parsed.data.reads.map((r) => ({ id: r.id.toLowerCase(), readAt: checkInstant(r.readAt, 'readAt') }));
}

/** A settings upload checked, with its class cut-offs as stored JSON. */
export function settingsRecord(
  facilityId: string,
  settings: ParentSettingsUpload,
): { settings: ParentSettingsUpload; classCutoffsText: string } {
  checkId(facilityId, 'facilityId');
  const parsed = ParentSettingsUploadSchema.safeParse(settings);
  if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
  return { settings: parsed.data, classCutoffsText: JSON.stringify(parsed.data.classCutoffs) };
}

/** A facility's stored cut-offs (table parent_settings); class_cutoffs is JSON. */
export interface SettingsRow {
  version: number;
  default_cutoff: string;
  class_cutoffs: string;
}

const ClassCutoffsSchema = z.record(z.string(), z.string());

/** Stored settings as the upload they came from. */
export function settingsOf(row: SettingsRow): ParentSettingsUpload {
  return ParentSettingsUploadSchema.parse({
    version: row.version,
    defaultCutoff: row.default_cutoff,
    classCutoffs: ClassCutoffsSchema.parse(JSON.parse(row.class_cutoffs)),
  });
}

/** Typed callers could still pass another string. */
const OUTCOMES: readonly string[] = ['ok', 'refused'];

/** Audit actions are words, not text: `notice.sent`, `session.sign_in`. */
const ACTION_RE = /^[a-z][a-z_]{0,30}(\.[a-z][a-z_]{0,30}){0,3}$/;
/** The detail holds ids, dates, counts and codes; more than this is not an audit detail. */
export const AUDIT_DETAIL_MAX = 2048;

/** An audit entry checked, its time as UTC ISO 8601 and its detail as JSON text. */
export function auditRecord(entry: ParentAuditEntry): { at: string; detailText: string | null } {
  checkId(entry.facilityId, 'facilityId');
  checkId(entry.guardianId, 'guardianId');
  if (!ACTION_RE.test(entry.action)) {
    throw new ValidationError(
      ErrorCodes.badRequest,
      'an audit action is lower case words joined by .',
      'action',
    );
  }
  if (!OUTCOMES.includes(entry.outcome)) {
    throw new ValidationError(ErrorCodes.badRequest, 'an audit outcome is ok or refused', 'outcome');
  }
  const detailText = entry.detail === null ? null : JSON.stringify(entry.detail);
  if (detailText !== null && detailText.length > AUDIT_DETAIL_MAX) {
    throw new ValidationError(ErrorCodes.badRequest, 'an audit detail is at most 2 KiB', 'detail');
  }
  return { at: checkInstant(entry.at, 'at'), detailText };
}

/** A stored audit entry (table parent_audit): `at` as UTC ISO 8601, detail as JSON. */
export interface AuditRow {
  facility_id: string;
  at: string;
  guardian_id: string;
  action: string;
  outcome: string;
  detail: string | null;
}

const DetailSchema = z.record(z.string(), z.unknown());

/** A stored audit row as the entry it came from. */
export function auditOf(row: AuditRow): ParentAuditEntry {
  return {
    facilityId: row.facility_id,
    at: row.at,
    guardianId: row.guardian_id,
    action: row.action,
    outcome: row.outcome === 'ok' ? 'ok' : 'refused',
    detail: row.detail === null ? null : DetailSchema.parse(JSON.parse(row.detail)),
  };
}

/** Arguments of purgeParentRecords, checked; the audit bound as UTC ISO 8601. */
export function checkPurge(facilityId: string, cutoff: string, auditBefore: Date): string {
  checkId(facilityId, 'facilityId');
  checkDate(cutoff);
  if (Number.isNaN(auditBefore.getTime())) {
    throw new ValidationError(CloudErrorCodes.invalidDate, 'auditBefore is not a time', 'auditBefore');
  }
  return auditBefore.toISOString();
}
