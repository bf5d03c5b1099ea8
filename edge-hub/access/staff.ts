import { AuthError } from '../../common/errors.ts';
import { hashToken, hashTokenBase64url, sameBytes } from '../../common/secrets.ts';
import type { Clock } from '../../common/time.ts';
import type { SessionInfo, SignInRequest, StaffRole, TabletDeviceRequest } from '../../protocol/index.ts';
import {
  FailureLimiter,
  matchPairingCode,
  PairingCodeError,
  PairingRoleError,
  TooManyRequestsError,
} from './pairing.ts';
import { newToken, PinSignIn } from './pin-sign-in.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import type { SessionRow } from '../store/people.ts';

/** Idle timeout of a staff session: every authenticated request extends it. */
export const SESSION_IDLE_MS = 60 * 60_000;
/** Absolute end of a staff session, however busy: a shift. */
export const SESSION_MAX_MS = 12 * 60 * 60_000;
/** Lifetime of the tablet device cookie. */
export const DEVICE_COOKIE_MAX_AGE_S = 365 * 24 * 60 * 60;

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
 * Tablet device set-up and staff sessions (the PIN check is pin-sign-in.ts, the accounts staff-accounts.ts).
 * The per-staff back-off is stored (a restart keeps it); the per-tablet and pairing limiters are in memory.
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

/** `<hub>/tablet/#pair=<GKP1 payload>`: what a tablet's QR code opens (the tablet app posts the code). */
export function tabletPairingUrl(hubUrl: string, payload: string): string {
  return `${hubUrl.replace(/\/+$/, '')}/tablet/#pair=${payload}`;
}
