import { randomBytes } from 'node:crypto';
import { AuthError } from '../../common/errors.ts';
import { hashPassword, verifyPassword } from '../../common/passwords.ts';
import type { Clock } from '../../common/time.ts';
import type { SignInRequest } from '../../protocol/index.ts';
import { FailureLimiter, TooManyRequestsError } from './pairing.ts';
import { SignInBackoff } from './sign-in-backoff.ts';
import { pinTooShortForAdmin } from './staff-accounts.ts';
import type { StoreOf } from '../store/hub-store.ts';
import type { StaffRow } from '../store/people.ts';

/* The sign-in parts the tablet (staff.ts) and the admin app (admin/auth.ts) share. */

/**
 * Failed sign-ins allowed per place (a tablet, a client address) in SIGN_IN_WINDOW_MS; per staff id a
 * persisted growing back-off applies instead (sign-in-backoff.ts).
 */
export const SIGN_IN_MAX_PER_DEVICE = 20;
export const SIGN_IN_WINDOW_MS = 5 * 60_000;

/** A device cookie or session token: 256 random bits, base64url. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Unknown staff, wrong PIN or disabled account: all alike, so there is no oracle. */
export class BadCredentialsError extends AuthError {
  constructor() {
    super('bad_credentials', 'unknown staff id or wrong PIN');
  }
}

/**
 * The PIN check of both sign-ins (a tablet, the admin app): limits per staff id and per place (a tablet,
 * a client address), one scrypt verification whatever the outcome (an unknown id is checked against a
 * dummy hash, so the answer's timing says nothing), and an audited refusal. Unknown staff, a wrong PIN,
 * a disabled account and an account `accept` refuses all get the same BadCredentialsError.
 */
export class PinSignIn {
  private readonly store: StoreOf<'people' | 'audit' | 'signInLimits'>;
  private readonly staffBackoff: SignInBackoff;
  private readonly placeLimiter: FailureLimiter;
  private readonly onShortAdminPin: (staffId: string) => void;
  private dummyHash: Promise<string> | undefined;

  constructor(
    store: StoreOf<'people' | 'audit' | 'signInLimits'>,
    clock: Clock,
    /** Called when an admin signs in with a PIN shorter than an admin's minimum (the hub logs it). */
    onShortAdminPin: (staffId: string) => void = () => undefined,
  ) {
    this.store = store;
    this.staffBackoff = new SignInBackoff(store, clock);
    this.placeLimiter = new FailureLimiter(clock, SIGN_IN_MAX_PER_DEVICE, SIGN_IN_WINDOW_MS);
    this.onShortAdminPin = onShortAdminPin;
  }

  async verify(
    request: SignInRequest,
    place: string,
    audit: { action: string; deviceId?: string },
    accept: (staff: StaffRow) => boolean = () => true,
  ): Promise<StaffRow> {
    const wait = Math.max(
      this.staffBackoff.retryAfter(request.staffId) ?? 0,
      this.placeLimiter.retryAfter(place) ?? 0,
    );
    if (wait > 0) throw new SignInLimitedError(wait);
    const staff = this.store.people.staff(request.staffId);
    const ok = staff
      ? await verifyPassword(request.pin, staff.pinHash)
      : await verifyPassword(request.pin, await (this.dummyHash ??= hashPassword(newToken(), 'chosen')));
    if (staff && ok && !staff.disabled && accept(staff)) {
      this.staffBackoff.succeed(staff.id);
      // A PIN's length is known only when it is typed: an admin PIN set before the 6-digit rule.
      const short = pinTooShortForAdmin(request.pin);
      if (staff.role === 'admin' && short) this.onShortAdminPin(staff.id);
      if (staff.pinShort !== short) this.store.signInLimits.setPinShort(staff.id, short);
      return staff;
    }
    this.staffBackoff.fail(request.staffId);
    this.placeLimiter.fail(place);
    this.store.audit.append({
      actorKind: 'staff',
      actorId: request.staffId,
      action: audit.action,
      subject: `staff:${request.staffId}`,
      ...(audit.deviceId !== undefined && { deviceId: audit.deviceId }),
      outcome: 'bad_credentials',
    });
    throw new BadCredentialsError();
  }
}

/** Too many failed sign-ins for this staff id or on this tablet. */
export class SignInLimitedError extends TooManyRequestsError {
  constructor(retryAfterSeconds: number) {
    super(retryAfterSeconds);
    this.message = `too many failed sign-ins; retry in ${retryAfterSeconds} s`;
  }
}
