import {
  ParentPickupRequestSchema,
  type ParentPickup,
  type ParentPickupPeople,
  type ParentPickupRequest,
  type PickupPerson,
} from '../../../protocol/parent-pickups.ts';

/**
 * The pickup form (お迎え) as the parent fills it in, and the request it becomes. A plan is for today
 * only; the person is one on the facility's list of every chosen child, or someone else named (staff
 * check who comes). The cloud has the last word (own children, today, the lists).
 */

/** The <select> value of "someone else" (never a person id: ids are the facility's, `other` is ours). */
export const OTHER_PERSON = 'other';

export interface PickupDraft {
  readonly childIds: readonly string[];
  /** HH:MM as the time input gives it ('' until chosen). */
  readonly time: string;
  /** A person id from the list, OTHER_PERSON, or '' until chosen. */
  readonly person: string;
  readonly otherName: string;
  readonly otherRelation: string;
  readonly note: string;
}

export type PickupProblem = 'noChild' | 'noTime' | 'noPerson' | 'noOtherName' | 'invalid';

/**
 * A new draft for `childIds`; when the first child already has today's plan, its time and person are
 * filled in (the parent changes what changed, usually the time).
 */
export function newPickupDraft(childIds: readonly string[], current: ParentPickup | null): PickupDraft {
  const blank: PickupDraft = { childIds, time: '', person: '', otherName: '', otherRelation: '', note: '' };
  if (current === null) return blank;
  const other = current.person.kind === 'other' || current.person.id === null;
  return {
    ...blank,
    time: current.time,
    person: other ? OTHER_PERSON : (current.person.id ?? ''),
    otherName: other ? current.person.name : '',
    otherRelation: other ? current.person.relation : '',
  };
}

/**
 * The people the parent can choose for the chosen children: those on EVERY chosen child's list (the cloud
 * refuses a person missing from one of them), in the first child's order. No child chosen: none.
 */
export function choosablePeople(
  lists: ParentPickupPeople['children'],
  childIds: readonly string[],
): PickupPerson[] {
  const of = (childId: string) => lists.find((c) => c.childId === childId)?.people ?? [];
  const [first, ...rest] = childIds;
  if (first === undefined) return [];
  return of(first).filter((p) => rest.every((id) => of(id).some((q) => q.id === p.id)));
}

export type PickupDraftResult =
  | { readonly ok: true; readonly request: ParentPickupRequest }
  | { readonly ok: false; readonly problem: PickupProblem };

/** The request a draft makes under `id` (the form's request id, the same on every resend) for `today`. */
export function pickupRequest(
  id: string,
  draft: PickupDraft,
  today: string,
  people: readonly PickupPerson[],
): PickupDraftResult {
  const fail = (problem: PickupProblem): PickupDraftResult => ({ ok: false, problem });
  if (draft.childIds.length === 0) return fail('noChild');
  if (!/^\d{2}:\d{2}$/.test(draft.time)) return fail('noTime');
  const other = draft.person === OTHER_PERSON;
  if (!other && !people.some((p) => p.id === draft.person)) return fail('noPerson');
  const otherName = draft.otherName.trim();
  if (other && otherName === '') return fail('noOtherName');
  const note = draft.note.trim();
  const request: ParentPickupRequest = {
    id,
    childIds: [...draft.childIds],
    date: today,
    time: draft.time,
    ...(other
      ? { someoneElse: { name: otherName, relation: draft.otherRelation.trim() } }
      : { personId: draft.person }),
    ...(note === '' ? {} : { note }),
  };
  return ParentPickupRequestSchema.safeParse(request).success ? { ok: true, request } : fail('invalid');
}
