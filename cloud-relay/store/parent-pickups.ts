import { z } from 'zod';
import { ConflictError, ValidationError } from '../../common/errors.ts';
import { formatRfc3339 } from '../../common/time.ts';
import { describeIssues, ErrorCodes } from '../../protocol/index.ts';
import type { ParentMessage } from '../../protocol/parent-notices.ts';
import {
  ParentPickupRequestSchema,
  ParentPickupSchema,
  PickupPeopleUploadSchema,
  PickupPersonSchema,
  type ParentPickup,
  type PickupPeopleUpload,
  type PickupPerson,
} from '../../protocol/parent-pickups.ts';
import { CloudErrorCodes } from '../errors.ts';
import { checkDate, checkId } from './inputs.ts';
import type { NewParentPickup } from './pickup-types.ts';

/*
 * Checks and encodings both backends share for pickup people and plans (ParentPickupStore), so that they
 * refuse the same input with the same codes and read rows back the same way.
 */

/** A plan's columns as both backends write them (and compare a resend with). */
export interface PickupColumns {
  id: string;
  guardian_id: string;
  /** JSON array. */
  child_ids: string;
  date: string;
  time: string;
  /** JSON object {id, kind, name, relation}. */
  person: string;
  note: string | null;
}

/** A stored plan as read back: the columns, its seq, UTC ISO times and the facility's zone. */
export interface StoredPickupRow extends PickupColumns {
  seq: number;
  sent_at: string;
  read_at: string | null;
  time_zone: string;
}

const PersonSchema = ParentPickupSchema.shape.person;

/** The columns of a new plan, checked (typed callers could still build one by hand). */
export function pickupColumns(facilityId: string, pickup: NewParentPickup): PickupColumns {
  checkId(facilityId, 'facilityId');
  checkId(pickup.guardianId, 'guardianId');
  const parsed = ParentPickupRequestSchema.safeParse(pickup.request);
  if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
  const person = PersonSchema.safeParse(pickup.person);
  if (!person.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(person.error));
  const r = parsed.data;
  checkDate(r.date);
  const p = person.data;
  return {
    // uuid columns read back in lower case on PostgreSQL: both backends keep that spelling.
    id: r.id.toLowerCase(),
    guardian_id: pickup.guardianId,
    child_ids: JSON.stringify(r.childIds),
    date: r.date,
    time: r.time,
    // Keys in one order, so that a resend compares equal as text.
    person: JSON.stringify({ id: p.id, kind: p.kind, name: p.name, relation: p.relation }),
    note: r.note ?? null,
  };
}

const PICKUP_FIELDS = [
  'guardian_id',
  'child_ids',
  'date',
  'time',
  'person',
  'note',
] as const satisfies readonly (keyof PickupColumns)[];

/** insertPickup's answer when the id is stored: the same content is a resend, other content refused. */
export function resentPickup(
  facilityId: string,
  stored: StoredPickupRow,
  incoming: PickupColumns,
): { pickup: ParentPickup; created: boolean } {
  if (!PICKUP_FIELDS.every((field) => stored[field] === incoming[field])) {
    throw new ConflictError(
      CloudErrorCodes.parentPickupConflict,
      `facility ${facilityId} already holds pickup plan ${incoming.id} with other content`,
    );
  }
  return { pickup: pickupOf(stored), created: false };
}

/** insertPickup's answer for a new plan, read back in the inserting transaction. */
export function insertedPickup(row: StoredPickupRow | undefined): { pickup: ParentPickup; created: boolean } {
  if (row === undefined) throw new Error('a pickup plan inserted is not read back');
  return { pickup: pickupOf(row), created: true };
}

const StringListSchema = z.array(z.string());

/** A stored row as the wire's ParentPickup: times with the facility's offset. */
export function pickupOf(row: StoredPickupRow): ParentPickup {
  const at = (iso: string) => formatRfc3339(new Date(iso), row.time_zone);
  return ParentPickupSchema.parse({
    id: row.id,
    guardianId: row.guardian_id,
    childIds: StringListSchema.parse(JSON.parse(row.child_ids)),
    date: row.date,
    time: row.time,
    person: PersonSchema.parse(JSON.parse(row.person)),
    ...(row.note !== null && { note: row.note }),
    sentAt: at(row.sent_at),
    status: row.read_at === null ? 'sent' : 'read',
    readAt: row.read_at === null ? null : at(row.read_at),
  });
}

/** A stored plan as the hub fetches it (GET /v1/hub/parent-messages). */
export function pickupMessageOf(row: StoredPickupRow): ParentMessage {
  return { seq: row.seq, type: 'pickup', pickup: pickupOf(row) };
}

/** A pickup people upload checked, with its people as stored JSON. */
export function pickupPeopleRecord(
  facilityId: string,
  childId: string,
  upload: PickupPeopleUpload,
): { upload: PickupPeopleUpload; peopleText: string } {
  checkId(facilityId, 'facilityId');
  checkId(childId, 'childId');
  const parsed = PickupPeopleUploadSchema.safeParse(upload);
  if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
  return { upload: parsed.data, peopleText: JSON.stringify(parsed.data.people) };
}

const PeopleSchema = z.array(PickupPersonSchema);

/** A stored people list (JSON) as the wire's PickupPerson[]. */
export function peopleOf(text: string): PickupPerson[] {
  return PeopleSchema.parse(JSON.parse(text));
}
