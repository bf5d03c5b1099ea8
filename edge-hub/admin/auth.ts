import { hashTokenBase64url } from '../../common/secrets.ts';
import type { Clock } from '../../common/time.ts';
import type { AdminSessionInfo, AdminSignInRequest } from '../../protocol/admin.ts';
import { newToken, PinSignIn } from '../access/pin-sign-in.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import type { AdminSessionRow } from '../store/people.ts';

/** Idle timeout of an admin session: shorter than a tablet's, the office PC may be shared. */
export const ADMIN_IDLE_MS = 30 * 60_000;
/** Absolute end of an admin session, however busy. */
export const ADMIN_MAX_MS = 8 * 60 * 60_000;

/** Who is signed in to the admin app (for routes, the audit log, and the ledger routes' hook). */
export interface AdminContext {
  staffId: string;
  name: string;
  tokenHash: string;
  info: AdminSessionInfo;
}

export interface AdminSignedIn {
  token: string;
  info: AdminSessionInfo;
}

/**
 * Sessions of the director's admin web app: role `admin` only. Unknown staff, a wrong PIN, a disabled
 * account and a staff-role account are all refused alike (BadCredentialsError after one scrypt check), so
 * that the answer tells nothing about which it was. Limiters are in memory, like the tablet's.
 */
export class AdminAuth {
  private readonly store: StoreOf<'people' | 'audit' | 'signInLimits'> & Transactional;
  private readonly clock: Clock;
  private readonly format: (d: Date) => string;
  private readonly pins: PinSignIn;

  constructor(options: {
    store: StoreOf<'people' | 'audit' | 'signInLimits'> & Transactional;
    clock: Clock;
    format: (d: Date) => string;
    /** An admin signed in with a PIN shorter than 6 digits (set before that rule): the hub warns. */
    onShortAdminPin?: (staffId: string) => void;
  }) {
    this.store = options.store;
    this.clock = options.clock;
    this.format = options.format;
    this.pins = new PinSignIn(options.store, options.clock, options.onShortAdminPin);
  }

  /** Signs an admin in from `remote` (the client address, the per-browser limiter's key). */
  async signIn(request: AdminSignInRequest, remote: string): Promise<AdminSignedIn> {
    // The PIN is checked whatever the role: a staff-role account takes as long as an admin's.
    const staff = await this.pins.verify(
      request,
      remote,
      { action: 'admin.sign_in' },
      (s) => s.role === 'admin',
    );
    const now = this.clock.now();
    const token = newToken();
    const row: AdminSessionRow = {
      tokenHash: hashTokenBase64url(token),
      staffId: staff.id,
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + ADMIN_MAX_MS).toISOString(),
    };
    this.store.transaction(() => {
      this.store.people.pruneAdminSessions(now);
      this.store.people.createAdminSession(row);
      this.store.audit.append({
        actorKind: 'staff',
        actorId: staff.id,
        action: 'admin.sign_in',
        subject: `staff:${staff.id}`,
        outcome: 'ok',
      });
    });
    return { token, info: this.infoOf(row, staff.name) };
  }

  /**
   * The live session a cookie names, or undefined; `touch` extends its idle timer. A session idle too
   * long, past its end, of a disabled account or of an account no longer admin is not live (and is
   * deleted: a clock stepped back later must not revive it).
   */
  session(cookie: string | undefined, touch = true): AdminContext | undefined {
    if (cookie === undefined || cookie === '') return undefined;
    const tokenHash = hashTokenBase64url(cookie);
    const row = this.store.people.adminSession(tokenHash);
    if (!row) return undefined;
    const staff = this.store.people.staff(row.staffId);
    if (!staff || staff.disabled || staff.role !== 'admin' || !this.live(row, this.clock.now())) {
      this.store.people.deleteAdminSession(tokenHash);
      return undefined;
    }
    if (touch) {
      row.lastSeenAt = this.clock.now().toISOString();
      this.store.people.touchAdminSession(tokenHash, row.lastSeenAt);
    }
    return { staffId: staff.id, name: staff.name, tokenHash, info: this.infoOf(row, staff.name) };
  }

  signOut(ctx: AdminContext): void {
    this.store.transaction(() => {
      this.store.people.deleteAdminSession(ctx.tokenHash);
      this.store.audit.append({
        actorKind: 'staff',
        actorId: ctx.staffId,
        action: 'admin.sign_out',
        subject: `staff:${ctx.staffId}`,
        outcome: 'ok',
      });
    });
  }

  private infoOf(row: AdminSessionRow, name: string): AdminSessionInfo {
    return {
      staff: { id: row.staffId, name, role: 'admin' },
      expiresAt: this.format(this.endOf(row)),
    };
  }

  private endOf(s: AdminSessionRow): Date {
    return new Date(Math.min(Date.parse(s.lastSeenAt) + ADMIN_IDLE_MS, Date.parse(s.expiresAt)));
  }

  private live(s: AdminSessionRow, now: Date): boolean {
    return now.getTime() < this.endOf(s).getTime();
  }
}
