import { randomBytes } from 'node:crypto';
import { AuthError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { hashPassword, verifyPassword } from '../../common/passwords.ts';
import { hashToken, hashTokenBase64url, sameBytes } from '../../common/secrets.ts';
import type { Clock } from '../../common/time.ts';
import {
  describeIssues,
  ID_RE,
  PinSchema,
  STAFF_ROLES,
  type SessionInfo,
  type SignInRequest,
  type StaffRole,
  type TabletDeviceRequest,
  textProblem,
} from '../../protocol/index.ts';
import {
  FailureLimiter,
  matchPairingCode,
  PairingCodeError,
  PairingRoleError,
  TooManyRequestsError,
} from './pairing.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import type { SessionRow, StaffRow } from '../store/people.ts';
import { SignInBackoff } from './sign-in-backoff.ts';

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

/** Idle timeout of a staff session: every authenticated request extends it. */
export const SESSION_IDLE_MS = 60 * 60_000;
/** Absolute end of a staff session, however busy: a shift. */
export const SESSION_MAX_MS = 12 * 60 * 60_000;
/** Lifetime of the tablet device cookie. */
export const DEVICE_COOKIE_MAX_AGE_S = 365 * 24 * 60 * 60;
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

/** A request without a valid tablet device cookie. */
export class DeviceNotSetUpError extends AuthError {
  constructor() {
    super('device_not_set_up', 'this browser is not set up as a tablet of this hub');
  }
}

/** A request without a valid staff session on this tablet. */
export class NotSignedInError extends AuthError {
  constructor() {
    super('not_signed_in', 'sign in first (the session is missing, expired or ended)');
  }
}

/** A pairing code of a device that is not a tablet (a kiosk's code never sets up a tablet). */
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

export interface SignedIn {
  token: string;
  info: SessionInfo;
}

export interface SessionContext {
  tokenHash: string;
  session: SessionRow;
  staff: { id: string; name: string; role: StaffRole };
  deviceId: string;
  info: SessionInfo;
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

/**
 * Tablet device set-up and staff sessions. The per-staff back-off is stored (a restart keeps it); the
 * per-tablet and pairing limiters are in memory.
 */
export class StaffAuth {
  private readonly store: StoreOf<'people' | 'devices' | 'audit' | 'signInLimits'> & Transactional;
  private readonly clock: Clock;
  private readonly pairingLimiter: FailureLimiter;
  private readonly pins: PinSignIn;
  private readonly format: (d: Date) => string;

  constructor(options: {
    store: StoreOf<'people' | 'devices' | 'audit' | 'signInLimits'> & Transactional;
    clock: Clock;
    /** Formats an instant for SessionInfo.expiresAt (RFC 3339 in the facility's zone). */
    format: (d: Date) => string;
    pairingLimiter?: FailureLimiter;
  }) {
    this.store = options.store;
    this.clock = options.clock;
    this.format = options.format;
    this.pairingLimiter = options.pairingLimiter ?? new FailureLimiter(options.clock);
    this.pins = new PinSignIn(options.store, options.clock);
  }

  /**
   * POST /api/tablet/device: spends a tablet's pairing code (single use) and returns a new device cookie
   * value. A kiosk's code is refused (PairingRoleError) and also spends nothing.
   */
  setUpDevice(request: TabletDeviceRequest, remote: string): string {
    const wait = this.pairingLimiter.retryAfter(remote);
    if (wait !== undefined) throw new TooManyRequestsError(wait);
    const hash = hashToken(request.code);
    const token = newToken();
    const outcome = this.store.transaction((): 'ok' | 'bad' | 'kiosk' => {
      const row = matchPairingCode(this.store, request.deviceId, hash, this.clock.now());
      if (row === undefined) return 'bad';
      if (row.role !== 'tablet' || this.store.devices.deviceRole(row.deviceId) !== 'tablet') return 'kiosk';
      if (!this.store.devices.usePairingCode(row.id, this.clock.now())) return 'bad';
      this.store.devices.addTabletToken(hashTokenBase64url(token), row.deviceId);
      this.store.audit.append({
        actorKind: 'device',
        actorId: row.deviceId,
        action: 'tablet.set_up',
        subject: `device:${row.deviceId}`,
        deviceId: row.deviceId,
        outcome: 'ok',
      });
      return 'ok';
    });
    if (outcome === 'ok') return token;
    this.pairingLimiter.fail(remote);
    if (outcome === 'kiosk') throw new PairingRoleError('kiosk');
    throw new PairingCodeError();
  }

  /** The tablet a device cookie names; throws DeviceNotSetUpError. */
  device(cookie: string | undefined): string {
    const deviceId =
      cookie === undefined ? undefined : this.store.devices.tabletOfToken(hashTokenBase64url(cookie));
    if (deviceId === undefined) throw new DeviceNotSetUpError();
    return deviceId;
  }

  async signIn(deviceId: string, request: SignInRequest): Promise<SignedIn> {
    const staff = await this.pins.verify(request, deviceId, { action: 'session.sign_in', deviceId });
    const now = this.clock.now();
    const token = newToken();
    const row: SessionRow = {
      tokenHash: hashTokenBase64url(token),
      staffId: staff.id,
      deviceId,
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + SESSION_MAX_MS).toISOString(),
    };
    this.store.transaction(() => {
      this.store.people.pruneSessions(now);
      this.store.people.createSession(row);
      this.store.audit.append({
        actorKind: 'staff',
        actorId: staff.id,
        action: 'session.sign_in',
        subject: `staff:${staff.id}`,
        deviceId,
        outcome: 'ok',
      });
    });
    return {
      token,
      info: {
        staff: { id: staff.id, name: staff.name, role: staff.role },
        deviceId,
        expiresAt: this.format(this.endOf(row)),
      },
    };
  }

  /**
   * The live session a cookie names on this tablet (undefined otherwise); `touch` extends its idle timer.
   * A session of another tablet, of a disabled account, idle too long or past its end is not live.
   */
  session(deviceId: string, cookie: string | undefined, touch = true): SessionContext | undefined {
    if (cookie === undefined) return undefined;
    const tokenHash = hashTokenBase64url(cookie);
    const session = this.store.people.session(tokenHash);
    if (!session) return undefined;
    if (!sameBytes(Buffer.from(session.deviceId), Buffer.from(deviceId))) return undefined;
    const now = this.clock.now();
    if (!this.live(session, now)) {
      // Gone for good: a clock stepped back later must not revive it.
      this.store.people.deleteSession(tokenHash);
      return undefined;
    }
    const staff = this.store.people.staff(session.staffId);
    if (!staff || staff.disabled) return undefined;
    if (touch) {
      session.lastSeenAt = now.toISOString();
      this.store.people.touchSession(tokenHash, session.lastSeenAt);
    }
    return {
      tokenHash,
      session,
      staff: { id: staff.id, name: staff.name, role: staff.role },
      deviceId,
      info: {
        staff: { id: staff.id, name: staff.name, role: staff.role },
        deviceId,
        expiresAt: this.format(this.endOf(session)),
      },
    };
  }

  /** Whether a stored session is still live (not deleted, idle or past its end). */
  stillLive(tokenHash: string): boolean {
    const s = this.store.people.session(tokenHash);
    if (!s) return false;
    const staff = this.store.people.staff(s.staffId);
    return staff !== undefined && !staff.disabled && this.live(s, this.clock.now());
  }

  signOut(ctx: SessionContext): void {
    this.store.transaction(() => {
      this.store.people.deleteSession(ctx.tokenHash);
      this.store.audit.append({
        actorKind: 'staff',
        actorId: ctx.staff.id,
        action: 'session.sign_out',
        subject: `staff:${ctx.staff.id}`,
        deviceId: ctx.deviceId,
        outcome: 'ok',
      });
    });
  }

  /** The instant the session ends unless extended: the earlier of idle end and absolute end. */
  private endOf(s: SessionRow): Date {
    return new Date(Math.min(Date.parse(s.lastSeenAt) + SESSION_IDLE_MS, Date.parse(s.expiresAt)));
  }

  private live(s: SessionRow, now: Date): boolean {
    return now.getTime() < this.endOf(s).getTime();
  }
}

/** Too many failed sign-ins for this staff id or on this tablet. */
export class SignInLimitedError extends TooManyRequestsError {
  constructor(retryAfterSeconds: number) {
    super(retryAfterSeconds);
    this.message = `too many failed sign-ins; retry in ${retryAfterSeconds} s`;
  }
}

/** `<hub>/tablet/#pair=<GKP1 payload>`: what a tablet's QR code opens (the tablet app posts the code). */
export function tabletPairingUrl(hubUrl: string, payload: string): string {
  return `${hubUrl.replace(/\/+$/, '')}/tablet/#pair=${payload}`;
}
