import type { Aedes, AuthenticateError, Client } from 'aedes';
import { GenkanError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import type { DeviceRole } from '../store/devices.ts';
import type { LoginGuard } from './login-guard.ts';

/** A CONNECT's keepalive must be 1 to this many seconds: the hub notices a silent device by it. */
export const MAX_KEEPALIVE_SECONDS = 300;

/** What the broker counts of refused logins and dropped connections (for /metrics). */
export interface BrokerStats {
  /** Logins refused without a password check: their address failed too often lately (CONNACK 3). */
  loginsLimited: number;
  /** Logins refused without a password check: too many checks under way (CONNACK 3). */
  loginsBusy: number;
  /** Connections dropped before any TLS handshake: too many from their address not logged in yet. */
  connectionsRefused: number;
  /** Logins refused for a keepalive of 0 or above MAX_KEEPALIVE_SECONDS (CONNACK 5). */
  keepaliveRefused: number;
  /** Logged-in connections dropped for not reading what the hub sends. */
  slowClientsDropped: number;
}

export const emptyStats = (): BrokerStats => ({
  loginsLimited: 0,
  loginsBusy: 0,
  connectionsRefused: 0,
  keepaliveRefused: 0,
  slowClientsDropped: 0,
});

/**
 * CONNACK return codes of MQTT 3.1.1 (aedes speaks 3.1 and 3.1.1 only; an MQTT 5 CONNECT gets 1): 2
 * identifier rejected, 3 server unavailable (try again later), 4 bad user name or password, 5 not
 * authorised.
 */
export function authError(returnCode: 2 | 3 | 4 | 5, message: string): AuthenticateError {
  // aedes declares the codes as an ambient const enum, which isolatedModules cannot reference by name.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
  return Object.assign(new GenkanError('unauthorized', message), { returnCode });
}

export interface DeviceLoginOptions {
  logger: Logger;
  /** Checks a device's credentials (username = device id). */
  authenticate: (deviceId: string, password: string) => Promise<boolean>;
  roleOf: (deviceId: string) => DeviceRole | undefined;
  guard: LoginGuard;
  stats: BrokerStats;
  /** The key of the source address of a client's connection (login-guard.ts addressKey). */
  addressOf: (client: Client) => string;
  /** Whether another live connection of this device was heard from within the takeover grace. */
  heldElsewhere: (deviceId: string) => boolean;
  /** The login succeeded (before aedes registers the client). */
  onLogin: (client: Client, deviceId: string) => void;
}

/**
 * aedes' preConnect and authenticate for device logins. Every refusal that needs no password check comes
 * first (keepalive, anonymous, client id, the address's failure limit, saturated checks), so that a flood
 * of bad logins costs no scrypt beyond the guard's allowance.
 */
export function deviceLogin(options: DeviceLoginOptions): {
  preConnect: Aedes['preConnect'];
  authenticate: Aedes['authenticate'];
} {
  const { logger, guard, stats } = options;
  const keepaliveOf = new WeakMap<Client, number>();
  /** Addresses whose limiting was logged, until when: one line per address and window, not per attempt. */
  const noted = new Map<string, number>();
  const noteLimited = (key: string, retryAfterSeconds: number) => {
    const now = Date.now();
    if ((noted.get(key) ?? 0) > now) return;
    noted.delete(key);
    noted.set(key, now + retryAfterSeconds * 1000);
    const oldest = noted.keys().next();
    if (noted.size > 1000 && oldest.done !== true) noted.delete(oldest.value);
    logger.warn(
      { address: key, retryAfterSeconds },
      'device logins from this address refused unchecked for a while: too many failed',
    );
  };

  const preConnect: Aedes['preConnect'] = (client, packet, done) => {
    keepaliveOf.set(client, packet.keepalive ?? 0);
    done(null, true);
  };

  const authenticate: Aedes['authenticate'] = (client, username, password, done) => {
    const keepalive = keepaliveOf.get(client) ?? 0;
    if (keepalive < 1 || keepalive > MAX_KEEPALIVE_SECONDS) {
      stats.keepaliveRefused++;
      logger.warn(
        { deviceId: username?.slice(0, 64), keepalive },
        `device login refused: keepalive must be 1 to ${MAX_KEEPALIVE_SECONDS} s`,
      );
      done(authError(5, `keepalive must be 1 to ${MAX_KEEPALIVE_SECONDS} seconds`), null);
      return;
    }
    if (username === undefined || username === '' || password === undefined) {
      done(authError(5, 'anonymous connections are not allowed'), null);
      return;
    }
    // Checked before the password and before aedes looks for a session to take over (that happens only
    // after a successful login), so a refused connection leaves the device's live session alone.
    if (client.id !== username) {
      logger.warn(
        { deviceId: username.slice(0, 64) },
        'device login refused: client id is not the device id',
      );
      done(authError(2, 'the client id must be the device id'), null);
      return;
    }
    const key = options.addressOf(client);
    guard
      .check(key, () => options.authenticate(username, password.toString('utf8')))
      .then(
        (result) => {
          if (typeof result === 'object') {
            if (result.kind === 'limited') {
              stats.loginsLimited++;
              noteLimited(key, result.retryAfterSeconds);
              done(
                authError(3, `too many failed logins; retry in ${String(result.retryAfterSeconds)} s`),
                null,
              );
            } else {
              stats.loginsBusy++;
              logger.debug({ address: key }, 'device login refused: password checks saturated');
              done(authError(3, 'busy; retry shortly'), null);
            }
            return;
          }
          const role = result ? options.roleOf(username) : undefined;
          if (role === undefined) {
            logger.warn({ deviceId: username.slice(0, 64) }, 'device login refused');
            done(authError(4, 'bad device id or password'), null);
            return;
          }
          // Tablets work over the staff-authenticated HTTP paths only: a tablet's password is no way around
          // the staff PIN (and tablets paired before this rule still hold one).
          if (role !== 'kiosk') {
            logger.warn({ deviceId: username }, 'device login refused: tablets have no MQTT login');
            done(authError(5, 'tablets have no MQTT login'), null);
            return;
          }
          // Two devices given the same id would throw each other off for ever: the one connected stays while
          // it is heard from. A device reconnecting after a drop the hub has not noticed yet gets in once its
          // old connection has been silent for the grace (a kiosk pings after 1 s of silence).
          if (options.heldElsewhere(username)) {
            logger.error(
              { deviceId: username },
              'device login refused: this device id is connected already (two devices sharing one id?)',
            );
            done(authError(2, 'this device id is connected already'), null);
            return;
          }
          options.onLogin(client, username);
          done(null, true);
        },
        (err: unknown) => {
          logger.error({ err, deviceId: username.slice(0, 64) }, 'device authentication failed');
          done(authError(3, 'authentication unavailable'), null);
        },
      );
  };

  return { preConnect, authenticate };
}
