import { z } from 'zod';
import { ValidationError } from '../../common/errors.ts';
import { formatRfc3339 } from '../../common/time.ts';
import {
  FacilityNoticeUploadSchema,
  type FacilityNoticeRead,
  type FacilityNoticeUpload,
} from '../../protocol/facility-notices.ts';
import { describeIssues, ErrorCodes } from '../../protocol/index.ts';
import type { ParentMessage } from '../../protocol/parent-notices.ts';
import type { GuardianFacilityNotice, StoredFacilityNotice } from './facility-notice-types.ts';
import { checkId, checkInstant } from './inputs.ts';

/*
 * Checks and encodings both backends share for the facility's notices and their reads
 * (FacilityNoticeStore).
 */

/** A notice upload's columns as both backends write them. */
export interface FacilityNoticeColumns {
  id: string;
  version: number;
  title: string;
  body: string;
  /** JSON array, or null for every guardian. */
  class_ids: string | null;
  /** UTC ISO 8601. */
  published_at: string;
  withdrawn: boolean;
  /** JSON array. */
  guardian_ids: string;
}

/** An upload checked, as columns. */
export function facilityNoticeColumns(
  facilityId: string,
  upload: FacilityNoticeUpload,
): FacilityNoticeColumns {
  checkId(facilityId, 'facilityId');
  const parsed = FacilityNoticeUploadSchema.safeParse(upload);
  if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
  const { version, notice, guardianIds } = parsed.data;
  return {
    id: notice.id.toLowerCase(),
    version,
    title: notice.title,
    body: notice.body,
    class_ids: notice.classIds === null ? null : JSON.stringify(notice.classIds),
    published_at: checkInstant(notice.publishedAt, 'publishedAt'),
    withdrawn: notice.withdrawn,
    // Each guardian once: the recipients are a set.
    guardian_ids: JSON.stringify([...new Set(guardianIds)]),
  };
}

/** A stored notice as read back (UTC ISO times, the facility's zone; booleans as the backend gives). */
export interface StoredFacilityNoticeRow {
  id: string;
  version: number;
  title: string;
  body: string;
  class_ids: string | null;
  published_at: string;
  withdrawn: boolean | number;
  guardian_ids: string;
  pushed: boolean | number;
  time_zone: string;
}

const StringListSchema = z.array(z.string());

/** A stored row as the notice, its recipients and push state. */
export function facilityNoticeOf(row: StoredFacilityNoticeRow): StoredFacilityNotice {
  return {
    version: row.version,
    notice: {
      id: row.id,
      title: row.title,
      body: row.body,
      classIds: row.class_ids === null ? null : StringListSchema.parse(JSON.parse(row.class_ids)),
      publishedAt: formatRfc3339(new Date(row.published_at), row.time_zone),
      withdrawn: Boolean(row.withdrawn),
    },
    guardianIds: StringListSchema.parse(JSON.parse(row.guardian_ids)),
    pushed: Boolean(row.pushed),
  };
}

/** A notice for a guardian, with the guardian's read (UTC ISO or null). */
export interface GuardianNoticeRow {
  id: string;
  title: string;
  body: string;
  published_at: string;
  read_at: string | null;
  time_zone: string;
}

export function guardianNoticeOf(row: GuardianNoticeRow): GuardianFacilityNotice {
  const at = (iso: string) => formatRfc3339(new Date(iso), row.time_zone);
  return {
    id: row.id,
    title: row.title,
    body: row.body,
    publishedAt: at(row.published_at),
    readAt: row.read_at === null ? null : at(row.read_at),
  };
}

/** A stored read (table facility_notice_reads) with the facility's zone. */
export interface StoredReadRow {
  seq: number;
  notice_id: string;
  guardian_id: string;
  read_at: string;
  time_zone: string;
}

export function readOf(row: StoredReadRow): FacilityNoticeRead {
  return {
    noticeId: row.notice_id,
    guardianId: row.guardian_id,
    readAt: formatRfc3339(new Date(row.read_at), row.time_zone),
  };
}

/** A stored read as the hub fetches it (GET /v1/hub/parent-messages). */
export function readMessageOf(row: StoredReadRow): ParentMessage {
  return { seq: row.seq, type: 'facility_notice_read', read: readOf(row) };
}

/** A uuid column refuses other text with an error: such an id names no notice. */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
