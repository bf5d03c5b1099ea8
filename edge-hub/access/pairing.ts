import { randomBytes } from 'node:crypto';
import { AuthError, ForbiddenError, RateLimitedError, ValidationError } from '../../common/errors.ts';
import { hashPassword } from '../../common/passwords.ts';
import { hashToken, hashTokenBase64url, sameBytes } from '../../common/secrets.ts';
import { formatRfc3339, systemClock, type Clock } from '../../common/time.ts';
import {
  encodePairingPayload,
  ErrorCodes,
  PairingPayloadSchema,
  type PairRequest,
} from '../../protocol/index.ts';
import { DEFAULT_PAIRING_MINUTES } from '../defaults.ts';
import { checkDeviceId, newDevicePassword } from './devices.ts';
import { DEVICE_ROLES, type DeviceRole, type PairingCodeRow } from '../store/devices.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';

/** A day: a pairing code is meant to be scanned right away, not to lie around. */
export const MAX_PAIRING_MINUTES = 1440;

/** A one-time pairing code: 192 random bits, base64url (32 characters). */
export function newPairingCode(): string {
  return randomBytes(24).toString('base64url');
}

export interface IssuedPairing {
  deviceId: string;
  role: DeviceRole;
  /** RFC 3339 in the facility's time zone. */
  expires: string;
  /** GKP1.… (protocol/pairing.ts): what the QR code holds. */
  payload: string;
}

/**
 * Issues a pairing code for a device (`genkan device pair`), creating the device if it does not exist.
 * A new device gets a random password nobody is shown, so it can connect only once paired; an existing
 * one keeps working with its password until the code is used.
 */
export async function issuePairingCode(
  store: StoreOf<'facility' | 'devices' | 'audit'> & Transactional,
  deviceId: string,
  options: {
    hubUrl: string;
    role?: DeviceRole;
    minutes?: number;
    clock?: Clock;
    /** The hub's CA fingerprint (protocol/pairing.ts certFingerprint): carried with an https hubUrl only. */
    tls?: string;
  },
): Promise<IssuedPairing> {
  const clock = options.clock ?? systemClock;
  checkDeviceId(deviceId);
  if (options.role !== undefined && !DEVICE_ROLES.includes(options.role)) {
    throw new ValidationError('bad_role', `role must be one of ${DEVICE_ROLES.join(', ')}`, 'role');
  }
  const minutes = options.minutes ?? DEFAULT_PAIRING_MINUTES;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_PAIRING_MINUTES) {
    throw new ValidationError(
      'bad_minutes',
      `--minutes must be a whole number from 1 to ${MAX_PAIRING_MINUTES}`,
      'minutes',
    );
  }
  // A trailing slash would make the kiosk post to //api/pair.
  const hub = options.hubUrl.replace(/\/+$/, '');
  const code = newPairingCode();
  const tls = hub.startsWith('https:') ? options.tls : undefined;
  const checked = PairingPayloadSchema.safeParse({
    hub,
    device: deviceId,
    code,
    ...(tls !== undefined && { tls }),
  });
  if (!checked.success) {
    throw new ValidationError(
      'bad_hub_url',
      '--hub-url must be the http(s)://HOST:PORT address at which devices reach the hub',
      'hubUrl',
    );
  }
  // Hashed before the transaction: scrypt is asynchronous, and unused if the device exists.
  const unusable = await hashPassword(newDevicePassword(), 'random');
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + minutes * 60_000);
  const role = store.transaction(() => {
    const existing = store.devices.deviceRole(deviceId);
    const r = options.role ?? existing ?? 'kiosk';
    if (existing === undefined) store.devices.upsertDevice(deviceId, r, unusable);
    store.devices.addPairingCode(hashTokenBase64url(code), deviceId, r, expiresAt);
    store.audit.append({
      actorKind: 'cli',
      actorId: null,
      action: 'device.pairing_code_issued',
      subject: `device:${deviceId}`,
      outcome: 'ok',
      after: { role: r, created: existing === undefined, expiresAt: expiresAt.toISOString() },
    });
    return r;
  });
  return {
    deviceId,
    role,
    expires: formatRfc3339(expiresAt, store.facility.meta().timeZone),
    payload: encodePairingPayload(checked.data),
  };
}

/** A pairing code that is unknown, used, expired, or another device's: all alike, so there is no oracle. */
export class PairingCodeError extends AuthError {
  constructor() {
    super(ErrorCodes.pairingCodeInvalid, 'pairing code is unknown, used already or expired');
  }
}

/**
 * A pairing code used where its device's role does not belong: a tablet's code at POST /api/pair (tablets
 * have no MQTT login), a kiosk's at POST /api/tablet/device. Refused and not spent, so it still works where
 * it belongs.
 */
export class PairingRoleError extends ForbiddenError {
  constructor(codeRole: DeviceRole) {
    super(
      ErrorCodes.forbidden,
      codeRole === 'tablet'
        ? 'this pairing code sets up a tablet: open its link on the tablet'
        : 'this pairing code is not for a tablet',
    );
  }
}

/** Too many failed pairing attempts from one address. */
export class TooManyRequestsError extends RateLimitedError {
  constructor(retryAfterSeconds: number) {
    super(
      ErrorCodes.tooManyRequests,
      `too many failed pairing attempts; retry in ${retryAfterSeconds} s`,
      retryAfterSeconds,
    );
  }
}

/**
 * Counts failures per key (remote address) in a sliding window, in memory: a restart forgets them, which
 * is fine for a limit meant to make guessing a 192-bit code pointless rather than impossible.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();
  constructor(
    private readonly clock: Clock,
    private readonly max = 10,
    private readonly windowMs = 60_000,
    /** Bound on the addresses tracked, so that a spray of sources cannot grow the map without end. */
    private readonly maxKeys = 10_000,
  ) {}

  /** Seconds until `key` may try again, or undefined when it may now. */
  retryAfter(key: string): number | undefined {
    const now = this.clock.now().getTime();
    const recent = this.recent(key, now);
    if (recent.length < this.max) return undefined;
    const oldest = recent[recent.length - this.max] ?? now;
    return Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000));
  }

  fail(key: string): void {
    const now = this.clock.now().getTime();
    const recent = this.recent(key, now);
    recent.push(now);
    this.failures.delete(key);
    this.failures.set(key, recent.slice(-this.max));
    if (this.failures.size > this.maxKeys) {
      // Maps iterate in insertion order: the first key is the one that failed longest ago.
      const first = this.failures.keys().next();
      if (first.done !== true) this.failures.delete(first.value);
    }
  }

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length === 0) this.failures.delete(key);
    return list;
  }
}

export interface PairingResult {
  deviceId: string;
  role: DeviceRole;
  /** The device's new password, shown once. */
  password: string;
}

/**
 * POST /api/pair without the HTTP: checks a code against the device's live codes in constant time, and on
 * a match marks it used, rotates the device's password (as `genkan device add` does) and audits, all in
 * one transaction. Of two requests with the same code only the first to commit succeeds.
 */
export class PairingService {
  private readonly store: StoreOf<'devices' | 'audit'> & Transactional;
  private readonly clock: Clock;
  private readonly limiter: FailureLimiter;

  constructor(options: {
    store: StoreOf<'devices' | 'audit'> & Transactional;
    clock: Clock;
    limiter?: FailureLimiter;
  }) {
    this.store = options.store;
    this.clock = options.clock;
    this.limiter = options.limiter ?? new FailureLimiter(options.clock);
  }

  async pair(request: PairRequest, remote: string): Promise<PairingResult> {
    const wait = this.limiter.retryAfter(remote);
    if (wait !== undefined) throw new TooManyRequestsError(wait);
    const hash = hashToken(request.code);
    // Checked before the password is hashed, so that a wrong code costs no scrypt.
    const match = matchPairingCode(this.store, request.deviceId, hash, this.clock.now());
    if (match === undefined) {
      this.limiter.fail(remote);
      throw new PairingCodeError();
    }
    if (match.role !== 'kiosk') throw new PairingRoleError(match.role);
    const password = newDevicePassword();
    const passwordHash = await hashPassword(password, 'random');
    // Checked again inside the transaction: another request may have used the code meanwhile.
    const role = this.store.transaction(() => {
      const row = matchPairingCode(this.store, request.deviceId, hash, this.clock.now());
      if (row?.role !== 'kiosk' || !this.store.devices.usePairingCode(row.id, this.clock.now()))
        return undefined;
      this.store.devices.upsertDevice(row.deviceId, row.role, passwordHash);
      this.store.audit.append({
        actorKind: 'device',
        actorId: row.deviceId,
        action: 'device.pair',
        subject: `device:${row.deviceId}`,
        deviceId: row.deviceId,
        outcome: 'ok',
        after: { role: row.role },
      });
      return row.role;
    });
    if (role === undefined) {
      this.limiter.fail(remote);
      throw new PairingCodeError();
    }
    return { deviceId: request.deviceId, role, password };
  }
}

/**
 * The live pairing code of a device equal to `hash` (a kiosk's or a tablet's set-up); every candidate is
 * compared, in constant time each.
 */
export function matchPairingCode(
  store: StoreOf<'devices'>,
  deviceId: string,
  hash: Buffer,
  now: Date,
): PairingCodeRow | undefined {
  let found: PairingCodeRow | undefined;
  for (const row of store.devices.livePairingCodes(deviceId, now)) {
    const stored = Buffer.from(row.codeHash, 'base64url');
    if (sameBytes(stored, hash)) found = row;
  }
  return found;
}
