import { NotFoundError, ValidationError } from '../../common/errors.ts';
import { hashPassword } from '../../common/passwords.ts';
import {
  describeIssues,
  ID_RE,
  PinSchema,
  STAFF_ROLES,
  type StaffRole,
  textProblem,
} from '../../protocol/index.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';

/** An admin's PIN is longer than a staff member's: it opens the whole facility's data (issue 15). */
export const ADMIN_PIN_MIN_DIGITS = 6;
const ADMIN_PIN_RE = /^[0-9]{6,12}$/;

/** What the hub logs of an admin whose PIN is shorter than that (set before the rule; it still signs in). */
export const SHORT_ADMIN_PIN_WARNING =
  "an admin's PIN is shorter than 6 digits: set a new one with `genkan staff add ID --role admin` (6–12 digits)";

/** Whether a PIN is shorter than an admin's minimum (what `staff list` flags and the hub warns of). */
export function pinTooShortForAdmin(pin: string): boolean {
  return pin.length < ADMIN_PIN_MIN_DIGITS;
}

/** A staff account as `genkan staff` reports it. */
export interface StaffAccount {
  staffId: string;
  name: string;
  role: StaffRole;
}

/**
 * `genkan staff add`: creates the account or updates its name, role and PIN (hashed with scrypt), and
 * audits the change without the PIN.
 */
export async function addStaff(
  store: StoreOf<'people' | 'audit' | 'signInLimits'> & Transactional,
  input: { id: string; name: string; pin: string; role?: StaffRole },
): Promise<StaffAccount> {
  if (!ID_RE.test(input.id)) {
    throw new ValidationError(
      'bad_staff_id',
      `not a valid staff id: ${input.id} (letters, digits, _ and -)`,
      'id',
    );
  }
  const name = input.name.trim();
  // The record's text rule (protocol/plausibility.ts): a name shows on tablets and ledgers.
  if (name === '' || textProblem(name, 100) !== undefined) {
    throw new ValidationError(
      'bad_name',
      'the name must be 1–100 characters, without control characters',
      'name',
    );
  }
  const role = input.role ?? 'staff';
  if (!STAFF_ROLES.includes(role)) {
    throw new ValidationError('bad_role', `role must be one of ${STAFF_ROLES.join(', ')}`, 'role');
  }
  const pin = PinSchema.safeParse(input.pin);
  if (!pin.success) throw new ValidationError('bad_pin', `PIN ${describeIssues(pin.error)}`, 'pin');
  if (role === 'admin' && !ADMIN_PIN_RE.test(pin.data)) {
    throw new ValidationError(
      'bad_pin',
      `an admin's PIN must be ${ADMIN_PIN_MIN_DIGITS}–12 digits (a staff member's 4–12)`,
      'pin',
    );
  }
  const pinHash = await hashPassword(pin.data, 'chosen');
  store.transaction(() => {
    const before = store.people.upsertStaff(input.id, name, role, pinHash);
    store.signInLimits.setPinShort(input.id, pinTooShortForAdmin(pin.data));
    store.audit.append({
      actorKind: 'cli',
      actorId: null,
      action: before === undefined ? 'staff.add' : 'staff.update',
      subject: `staff:${input.id}`,
      outcome: 'ok',
      // Names are personal data but the audit log is the place for them; the PIN never is.
      before: before && { name: before.name, role: before.role },
      after: { name, role, pinChanged: true },
    });
  });
  return { staffId: input.id, name, role };
}

/**
 * `genkan staff disable|enable`: a disabled account cannot sign in and its sessions (tablet and admin
 * app) end at once (a running hub's push channels notice within a second). Its name stays on the records it made.
 */
export function setStaffEnabled(
  store: StoreOf<'people' | 'audit'> & Transactional,
  id: string,
  enabled: boolean,
): StaffAccount & { enabled: boolean } {
  return store.transaction(() => {
    const staff = store.people.staff(id);
    if (!staff) throw new NotFoundError('unknown_staff', `no staff account ${id}`);
    store.people.setStaffDisabled(id, !enabled);
    const ended = enabled ? 0 : store.people.deleteSessionsOf(id) + store.people.deleteAdminSessionsOf(id);
    store.audit.append({
      actorKind: 'cli',
      actorId: null,
      action: enabled ? 'staff.enable' : 'staff.disable',
      subject: `staff:${id}`,
      outcome: 'ok',
      before: { disabled: staff.disabled },
      after: { disabled: !enabled, sessionsEnded: ended },
    });
    return { staffId: id, name: staff.name, role: staff.role, enabled };
  });
}
